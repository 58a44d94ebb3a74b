// The Go crypto/tls and Java JSSE peers against every row of the five catalogues, through the same
// runScenario the conformance suites use, on the process runtime. A row expects its policy outcome
// unless the stack legitimately differs: those differences are data below, each with its reason
// and a reference, and the test expects the stack's behaviour instead.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec } from "../../fixtures/profiles.js";
import type { Implementation } from "../implementations.js";
import type { Outcome } from "../outcome.js";
import { runScenario } from "../run-scenario.js";
import { processRuntime } from "../runtime/process.js";
import type { Scenario } from "../scenario.js";
import { clientAuthScenarios } from "../scenarios/client-auth.js";
import { expiryScenarios } from "../scenarios/expiry.js";
import { identityScenarios } from "../scenarios/identity.js";
import { modeScenarios } from "../scenarios/modes.js";
import { rotationScenarios } from "../scenarios/rotation.js";
import { ensurePeerBinaries } from "./build-peers.js";
import { goClient, goServer } from "./go.js";
import { javaClient, javaServer } from "./java.js";
import type { Observation } from "./types.js";

interface LegitimateDifference {
  implementation: string;
  scenarioId: string;
  observed: Outcome;
  reason: string;
  /** An RFC section or the stack's documentation. */
  reference: string;
}

const legitimateDifferences: LegitimateDifference[] = [
  {
    implementation: "go",
    scenarioId: "client-auth::strict::revoked",
    observed: "accepted",
    reason:
      "Go 1.19's crypto/tls cannot check revocation: tls.Config has no CRL option and crypto/x509's Certificate.Verify never consults CRLs (x509.ParseRevocationList only parses), so a Go server accepts a revoked client certificate unless the service checks it itself in VerifyPeerCertificate",
    reference: "Go 1.19 crypto/tls Config and crypto/x509 VerifyOptions documentation (no revocation fields)",
  },
  {
    implementation: "java",
    scenarioId: "identity::san::cn-only",
    observed: "accepted",
    reason:
      "JSSE's HTTPS endpoint identification follows RFC 2818: with no dNSName SAN it matches the most specific subject CN (sun.security.util.HostnameChecker.matchDNS), which RFC 9525 section 6.3 forbids",
    reference: "RFC 2818 section 3.1; OpenJDK 17 sun.security.util.HostnameChecker",
  },
];

const catalogues: Record<string, Scenario[]> = {
  expiry: expiryScenarios,
  identity: identityScenarios,
  "client-auth": clientAuthScenarios,
  rotation: rotationScenarios,
  modes: modeScenarios,
};

const implementations: Implementation[] = [
  { name: "go", server: goServer(processRuntime), client: goClient(processRuntime) },
  { name: "java", server: javaServer(processRuntime), client: javaClient(processRuntime) },
];

const expectedOutcome = (implementation: string, row: Scenario): Outcome =>
  legitimateDifferences.find((difference) => difference.implementation === implementation && difference.scenarioId === row.id)?.observed ?? row.expect;

function describeObservation(observation: Observation): string {
  const by = observation.rejectedBy ? ` by the ${observation.rejectedBy}` : "";
  const sides = Object.entries(observation.evidence).map(([side, text]) => `${side}: ${text}`);
  return `${observation.outcome}${by} (${sides.join("; ")})`;
}

let fixtures: FixtureSet;
beforeAll(async () => {
  // Validity is relative to the run's start, as in global-setup.ts; building first keeps the
  // first scenario's time its own.
  [fixtures] = await Promise.all([writeFixtureSet(catalogueSpec, new Date()), ensurePeerBinaries()]);
}, 300_000);
afterAll(async () => {
  if (fixtures) await removeFixtureSet(fixtures);
});

describe.each(implementations)("$name", (implementation) => {
  describe.each(Object.entries(catalogues))("%s", (_area, rows) => {
    it.each(rows.map((row) => ({ id: row.id, row, expected: expectedOutcome(implementation.name, row) })))("$id -> $expected", async ({ row, expected }) => {
      const observation = await runScenario(row, implementation, { fixtures, timeoutMs: 5_000 });
      expect(observation.outcome, `expected ${expected}, observed ${describeObservation(observation)}`).toBe(expected);
    });
  });
});

describe("legitimate differences", () => {
  const knownIds = new Set(Object.values(catalogues).flatMap((rows) => rows.map((row) => row.id)));
  it.each(legitimateDifferences)("$implementation $scenarioId names a row and differs from it", (difference) => {
    expect(knownIds.has(difference.scenarioId)).toBe(true);
    const row = Object.values(catalogues).flat().find((candidate) => candidate.id === difference.scenarioId);
    expect(difference.observed).not.toBe(row?.expect);
  });
});
