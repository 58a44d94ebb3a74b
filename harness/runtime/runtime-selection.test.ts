import { describe, expect, it } from "vitest";
import { containerEntryFrom, runtimeNameFrom } from "./types.js";

describe("runtimeNameFrom (MTLS_RUNTIME)", () => {
  it.each([
    [undefined, "process"],
    ["", "process"],
    ["process", "process"],
    ["container", "container"],
  ])("%s -> %s", (value, expected) => {
    expect(runtimeNameFrom(value)).toBe(expected);
  });

  it("refuses anything else in one line that names the choices", () => {
    expect(() => runtimeNameFrom("docker")).toThrow("failed to select a runtime: MTLS_RUNTIME=docker is not one of process, container");
  });
});

describe("containerEntryFrom (MTLS_CONTAINER_ENTRY)", () => {
  it.each([
    [undefined, undefined],
    ["", undefined],
    ["nsenter", "nsenter"],
    ["docker-exec", "docker-exec"],
  ])("%s -> %s", (value, expected) => {
    expect(containerEntryFrom(value)).toBe(expected);
  });

  it("refuses anything else in one line that names the choices", () => {
    expect(() => containerEntryFrom("exec")).toThrow("failed to select how peers enter their containers: MTLS_CONTAINER_ENTRY=exec is not one of nsenter, docker-exec");
  });
});
