import { describe, expect, it } from "vitest";
import { CatalogueError, defineCatalogue, expectationFor, judge, type Scenario } from "./scenario.js";
import { clientAuthScenarios } from "./scenarios/client-auth.js";
import { expiryScenarios } from "./scenarios/expiry.js";
import { identityScenarios } from "./scenarios/identity.js";
import { modeScenarios } from "./scenarios/modes.js";
import { rotationScenarios } from "./scenarios/rotation.js";

const row: Scenario = { id: "area::a::b", title: "t", subject: "server", server: { cert: "server" }, client: {}, expect: "accepted" };

describe("scenario catalogues", () => {
  it("rejects a duplicate id", () => {
    expect(() => defineCatalogue("area", [row, row])).toThrow(CatalogueError);
    expect(() => defineCatalogue("area", [row, row])).toThrow(/duplicate scenario id "area::a::b"/);
  });

  it("rejects an id outside its area and an unknown outcome", () => {
    expect(() => defineCatalogue("other", [row])).toThrow(/outside the area/);
    expect(() => defineCatalogue("area", [{ ...row, expect: "rejected:nope" as never }])).toThrow(/unknown outcome "rejected:nope"/);
  });

  const deviating: Scenario = { ...row, deviations: { node: { advisory: "rejected:expired", reason: "why", reference: "RFC" }, openssl: { skip: "cannot" } } };

  it("applies a deviation only to the implementation it names", () => {
    expect(expectationFor(deviating, "node")).toEqual({ expect: "accepted", advisory: { outcome: "rejected:expired", reason: "why", reference: "RFC" } });
    expect(expectationFor(deviating, "openssl")).toEqual({ skip: "cannot" });
    expect(expectationFor(deviating, "gnutls")).toEqual({ expect: "accepted" });
  });

  it.each([
    ["node", "accepted", "pass"],
    ["node", "rejected:expired", "advisory"],
    ["node", "rejected:unknown-ca", "fail"],
    ["gnutls", "rejected:expired", "fail"],
  ] as const)("judges %s observing %s as %s", (implementation, observed, verdict) => {
    const expectation = expectationFor(deviating, implementation) as Exclude<ReturnType<typeof expectationFor>, { skip: string }>;
    expect(judge(observed, expectation)).toBe(verdict);
  });

  it("keeps ids unique across all five areas", () => {
    const ids = [expiryScenarios, identityScenarios, clientAuthScenarios, rotationScenarios, modeScenarios].flat().map((scenario) => scenario.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(50);
  });
});
