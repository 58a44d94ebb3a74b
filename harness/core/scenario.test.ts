import { describe, expect, it } from "vitest";
import type { Capability } from "./capabilities.js";
import { CatalogueError, defineCatalogue, expectationFor, judge, type Scenario } from "./scenario.js";
import { clientAuthScenarios } from "../scenarios/client-auth.js";
import { expiryScenarios } from "../scenarios/expiry.js";
import { identityScenarios } from "../scenarios/identity.js";
import { modeScenarios } from "../scenarios/modes.js";
import { rotationScenarios } from "../scenarios/rotation.js";

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

  const deviating: Scenario = { ...row, deviations: { node: { advisory: "rejected:expired", reason: "why", reference: "RFC" } } };
  const stack = (name: string, cannot = {}, notYet = {}, can: Capability[] = ["require-uri-san", "reload-trust", "add-crl"]) => ({ name, can, cannot, notYet });

  it("applies a deviation only to the implementation it names", () => {
    expect(expectationFor(deviating, stack("node"))).toEqual({ expect: "accepted", deviation: { outcome: "rejected:expired", reason: "why", reference: "RFC", status: "known-violation" } });
    expect(expectationFor(deviating, stack("gnutls"))).toEqual({ expect: "accepted" });
  });

  it("skips a row that needs what the stack cannot do, with the stack's reason", () => {
    const needing: Scenario = { ...row, subject: "client", client: { expectIdentity: "spiffe://a/b" }, needs: ["require-uri-san"] };
    expect(expectationFor(needing, stack("openssl", { "require-uri-san": "no option" }))).toEqual({ skip: "no option", skipKind: "stack-cannot" });
    expect(expectationFor(needing, stack("go", {}, { "require-uri-san": "our peer has no flag" }))).toEqual({ skip: "our peer has no flag", skipKind: "peer-not-yet" });
    expect(expectationFor(needing, stack("openssl", { alpn: "no ALPN" }))).toEqual({ expect: "accepted" });
    expect(expectationFor(row, stack("openssl", { "require-uri-san": "no option" }))).toEqual({ expect: "accepted" });
  });

  it("skips a row that needs what the stack neither claims nor explains, saying so", () => {
    const needing: Scenario = { ...row, subject: "client", client: { verifyIp: "127.0.10.1" }, needs: ["verify-ip-san"] };
    expect(expectationFor(needing, stack("curl", {}, {}, []))).toEqual({ skip: "curl does not declare verify-ip-san", skipKind: "not-declared" });
    expect(expectationFor(needing, stack("curl", {}, {}, ["verify-ip-san"]))).toEqual({ expect: "accepted" });
  });

  it("rejects a row whose setup needs a capability it does not declare, and an unknown capability", () => {
    const undeclared: Scenario = { ...row, subject: "client", client: { expectIdentity: "spiffe://a/b" } };
    expect(() => defineCatalogue("area", [undeclared])).toThrow(/needs "require-uri-san" by its setup but does not declare it/);
    expect(() => defineCatalogue("area", [{ ...row, needs: ["teleport" as never] }])).toThrow(/unknown capability "teleport"/);
  });

  it.each([
    ["node", "accepted", "fixed"],
    ["node", "rejected:expired", "known-violation"],
    ["node", "rejected:unknown-ca", "fail"],
    ["node", "timeout", "error"],
    ["gnutls", "accepted", "pass"],
    ["gnutls", "rejected:expired", "fail"],
    ["gnutls", "timeout", "error"],
  ] as const)("judges %s observing %s as %s", (implementation, observed, verdict) => {
    const expectation = expectationFor(deviating, stack(implementation)) as Exclude<ReturnType<typeof expectationFor>, { skip: string }>;
    expect(judge(observed, expectation)).toBe(verdict);
  });

  it("judges a refusal for another reason as other-reason, and an intermittent deviation's policy outcome as pass", () => {
    const refusing: Scenario = { ...row, expect: "rejected:expired", deviations: { node: { advisory: "rejected:bad-certificate", reason: "r", reference: "x" }, go: { advisory: "accepted", reason: "r", reference: "x", intermittent: true } } };
    const of = (name: string) => expectationFor(refusing, stack(name)) as Exclude<ReturnType<typeof expectationFor>, { skip: string }>;
    expect(judge("rejected:bad-certificate", of("node"))).toBe("other-reason");
    expect(judge("rejected:expired", of("node"))).toBe("fixed");
    expect(judge("rejected:expired", of("go"))).toBe("pass");
    expect(judge("accepted", of("go"))).toBe("known-violation");
  });

  const resuming: Scenario = { ...row, server: { cert: "server", clientAuth: "required", clientTrust: "trust-a" }, expect: "rejected:revoked", resumption: { via: "ticket", retrust: { crls: ["issuer-a"] } }, needs: ["reload-trust", "add-crl"] };

  it("asks a resumption row for reload-trust (resume-session-id for a session ID, add-crl for CRLs it did not start with), on the server side only", () => {
    expect(() => defineCatalogue("area", [{ ...resuming, needs: [] }])).toThrow(/needs "reload-trust" by its setup/);
    expect(() => defineCatalogue("area", [{ ...resuming, needs: ["reload-trust"] }])).toThrow(/needs "add-crl" by its setup/);
    expect(() => defineCatalogue("area", [{ ...resuming, server: { ...resuming.server, crls: ["root-a"] }, needs: ["reload-trust"] }])).not.toThrow();
    expect(() => defineCatalogue("area", [{ ...resuming, resumption: { via: "session-id", retrust: {} } }])).toThrow(/needs "resume-session-id" by its setup/);
    expect(() => defineCatalogue("area", [{ ...resuming, subject: "client" }])).toThrow(/only a server under test is asked to refuse/);
    expect(expectationFor(resuming, stack("openssl", { "reload-trust": "no reload" }))).toEqual({ skip: "no reload", skipKind: "stack-cannot" });
  });

  it.each([
    ["refused by a full handshake", { outcome: "rejected:revoked", resumed: false, fullHandshake: "rejected:revoked" }, {}, "pass"],
    ["resumed and accepted", { outcome: "accepted", resumed: true, fullHandshake: "rejected:revoked" }, {}, "fail"],
    ["resumed and accepted, a recorded advisory", { outcome: "accepted", resumed: true, fullHandshake: "rejected:revoked" }, { deviations: { node: { advisory: "accepted", reason: "r", reference: "x" } } }, "known-violation"],
    ["with no decision on the full handshake", { outcome: "rejected:revoked", resumed: false, fullHandshake: "timeout" }, {}, "error"],
    ["refused, but the trust change did not take effect", { outcome: "rejected:revoked", resumed: false, fullHandshake: "accepted" }, {}, "fail"],
    ["a control that resumed", { outcome: "accepted", resumed: true, fullHandshake: "accepted" }, { expect: "accepted", resumption: { via: "ticket", retrust: {}, resumes: true } }, "pass"],
    ["a control that was not resumed", { outcome: "accepted", resumed: false, fullHandshake: "accepted" }, { expect: "accepted", resumption: { via: "ticket", retrust: {}, resumes: true } }, "fail"],
  ] as const)("judges a resumption row %s", (_name, seen, change, verdict) => {
    const expectation = expectationFor({ ...resuming, ...change } as Scenario, stack("node")) as Exclude<ReturnType<typeof expectationFor>, { skip: string }>;
    expect(judge(seen.outcome, expectation, seen)).toBe(verdict);
  });

  it("marks the modes rows a protocol detector decides alone: every plaintext probe, every disabled row, the per-port and detection rows", () => {
    const detectorRows = modeScenarios.filter((scenario) => scenario.detector).map((scenario) => scenario.id);
    const decidedByDetector = (scenario: Scenario) => scenario.client.plaintext || scenario.server.sidecarMode === "disabled" || /^modes::(per-port|detection)::/.test(scenario.id);
    expect(detectorRows).toEqual(modeScenarios.filter(decidedByDetector).map((scenario) => scenario.id));
    expect(detectorRows).toContain("modes::detection::strict::late-plaintext");
    expect(detectorRows).toContain("modes::strict::plaintext");
    expect(detectorRows).toContain("modes::disabled::mtls-valid");
    expect(detectorRows).not.toContain("modes::permissive::mtls-valid");
  });

  it("keeps ids unique across all five areas", () => {
    const ids = [expiryScenarios, identityScenarios, clientAuthScenarios, rotationScenarios, modeScenarios].flat().map((scenario) => scenario.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(50);
  });
});

describe("advisories kept in a stack's folder", () => {
  it("name a scenario of the catalogue and a known outcome", async () => {
    const { stacks } = await import("../stacks/registry.js");
    const { isOutcome } = await import("./outcome.js");
    const { liveRotationId } = await import("../runner/rotation-live.js");
    // Every area's rows: an advisory may name any of them (the chain rows' too).
    const { authorizationScenarios } = await import("../scenarios/authorization.js");
    const { chainScenarios } = await import("../scenarios/chain.js");
    const { clientScenarios } = await import("../scenarios/client.js");
    const { protocolScenarios } = await import("../scenarios/protocol.js");
    const areas = [authorizationScenarios, chainScenarios, clientAuthScenarios, clientScenarios, expiryScenarios, identityScenarios, modeScenarios, protocolScenarios, rotationScenarios];
    const ids = new Set([...areas.flat().map((scenario) => scenario.id), liveRotationId]);
    const recorded = stacks.flatMap((stack) => Object.entries(stack.advisories ?? {}).map(([id, deviation]) => ({ stack: stack.name, id, outcome: deviation.advisory })));
    expect(recorded.length).toBeGreaterThan(0);
    for (const entry of recorded) {
      expect(ids.has(entry.id), `${entry.stack}: unknown scenario ${entry.id}`).toBe(true);
      expect(isOutcome(entry.outcome), `${entry.stack}: unknown outcome ${entry.outcome}`).toBe(true);
    }
  });
});
