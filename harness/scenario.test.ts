import { describe, expect, it } from "vitest";
import { CatalogueError, defineCatalogue, expectationFor, type Scenario } from "./scenario.js";
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

  it("applies a deviation only to the implementation it names", () => {
    const deviating: Scenario = { ...row, deviations: { node: { expect: "rejected:expired", reason: "why" }, openssl: { skip: "cannot" } } };
    expect(expectationFor(deviating, "node")).toEqual({ expect: "rejected:expired", reason: "why" });
    expect(expectationFor(deviating, "openssl")).toEqual({ skip: "cannot" });
    expect(expectationFor(deviating, "gnutls")).toEqual({ expect: "accepted" });
  });

  it("keeps ids unique across all five areas", () => {
    const ids = [expiryScenarios, identityScenarios, clientAuthScenarios, rotationScenarios, modeScenarios].flat().map((scenario) => scenario.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(50);
  });
});
