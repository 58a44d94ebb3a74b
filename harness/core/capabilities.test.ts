import { describe, expect, it } from "vitest";
import { capabilitySkip, checkDeclarations } from "./capabilities.js";

describe("capabilities a stack opts into", () => {
  const declared = { can: ["alpn", "verify-ip-san"] as const, cannot: { "require-uri-san": "no option" }, notYet: { "reload-trust": "not driven" } };

  it("plays a row whose needs are all claimed", () => {
    expect(capabilitySkip("x", declared, [])).toBeUndefined();
    expect(capabilitySkip("x", declared, ["alpn", "verify-ip-san"])).toBeUndefined();
  });

  it("skips with the stated reason first, then says what is not declared", () => {
    expect(capabilitySkip("x", declared, ["alpn", "require-uri-san", "reload-trust"])).toEqual({ reason: "no option", kind: "stack-cannot" });
    expect(capabilitySkip("x", declared, ["add-crl", "reload-trust"])).toEqual({ reason: "not driven", kind: "peer-not-yet" });
    expect(capabilitySkip("x", declared, ["alpn", "add-crl"])).toEqual({ reason: "x does not declare add-crl", kind: "not-declared" });
    expect(capabilitySkip("x", {}, ["alpn"])).toEqual({ reason: "x does not declare alpn", kind: "not-declared" });
  });

  it("refuses a capability claimed and explained as missing, and an unknown one", () => {
    expect(() => checkDeclarations("x", { can: ["alpn"], cannot: { alpn: "no ALPN" } })).toThrow("failed to read the capabilities of x: it declares it can alpn and gives a reason it cannot");
    expect(() => checkDeclarations("x", { can: ["alpn"], notYet: { alpn: "later" } })).toThrow(/can alpn/);
    expect(() => checkDeclarations("x", { can: ["teleport" as "alpn"] })).toThrow('failed to read the capabilities of x: unknown capability "teleport"');
    expect(() => checkDeclarations("x", declared)).not.toThrow();
  });
});
