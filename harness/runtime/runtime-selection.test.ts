import { describe, expect, it } from "vitest";
import { runtimeNameFrom } from "./types.js";

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
