// Turns a scenario catalogue into vitest tests: describe(area) > describe(scenario id) >
// it(implementation (runtime)), so JUnit names read `<area> > <scenario> > <implementation>`.
import { afterAll, describe, inject, it } from "vitest";
import { isFailing, statusLabel, strictDeviationsFrom, type CaseProperty } from "../core/case-record.js";
import { providedHostReport } from "../host/context.js";
import { isKnownFailure } from "../report/baseline.js";
import { adoptVersions, implementationsFor, planImplementations, referenceSidecar, type Implementation } from "../host/implementations.js";
import type { Observation } from "../core/observation.js";
import { runScenario, waitingRowsFirst } from "./run-scenario.js";
import { ServerPool } from "./server-pool.js";
import { CaseSlots } from "../runtime/case-slots.js";
import { containerRuntime } from "../runtime/container.js";
import { processRuntime } from "../runtime/process.js";
import { adoptSharedPeer, stopSharedPeers } from "../runtime/shared-peers.js";
import type { Runtime } from "../runtime/types.js";
import { livePhases, liveRotationId, permissiveLiveRotationId, runLiveRotation, type LiveCount } from "./rotation-live.js";
import { capabilitySkip } from "../core/capabilities.js";
import { expectationFor, judge, type Scenario } from "../core/scenario.js";
import { decisionCeilingMs } from "../runtime/deadlines.js";
import { withCaseProperties, type RecordProperty } from "../report/case-properties.js";

/** The runtime globalSetup prepared (MTLS_RUNTIME): its containers are started once per run, there. */
function selectedRuntime(): Runtime {
  const context = inject("runtime");
  return context.name === "container" ? containerRuntime(context.containers, context.scratchRoot, context.nsenter) : processRuntime;
}

const runtime = selectedRuntime();
// The peer services globalSetup started for the whole run; it stops them, not this file.
for (const service of inject("peerServices") ?? []) adoptSharedPeer(service.key, { control: service.control, stop: async () => undefined });
// The stacks' versions globalSetup found once for the run.
adoptVersions(runtime.name, inject("stackVersions") ?? {});
// How long a side waits for the other's decision, and a whole case (several connections, peer
// starts). Generous on purpose: a case that decides does so in well under a second on a quiet
// machine, so the deadline costs nothing there, and on a loaded runner it must not become the
// verdict. A case that still sees no decision is an error, never the stack's fail
// (docs/architecture.md "Concurrency budget").
const decisionTimeoutMs = decisionCeilingMs;
const caseTimeoutMs = 180_000;
// MTLS_STRICT_DEVIATIONS=1 (CI): a recorded deviation that did not happen fails its case.
const strictDeviations = strictDeviationsFrom(process.env.MTLS_STRICT_DEVIATIONS);
// Which implementations play, detected once for the run in vitest.config.ts (planned here only
// under a config that does not provide it); the others' cells are skipped with the reason.
const statuses = providedHostReport()?.implementations ?? planImplementations(runtime.name);

/** The lines that say why (a verify error or an alert) rather than the last lines of the log. */
function decisiveLines(text: string): string {
  const lines = text.trim().split("\n");
  const decisive = lines.filter((line) => /verify error|alert|error:|ERR_|authorizationError/.test(line));
  return (decisive.length ? decisive : lines).slice(-2).join(" ");
}

function describeObservation(observation: Observation): string {
  const by = observation.rejectedBy ? ` by the ${observation.rejectedBy}` : "";
  const sides = Object.entries(observation.evidence)
    .filter(([, text]) => text)
    .map(([side, text]) => `${side}: ${decisiveLines(text!)}`);
  return `${observation.outcome}${by}${sides.length ? ` (${sides.join("; ")})` : ""}`;
}

/**
 * Benchmark scaling (npm run bench): MTLS_SCALE_SCENARIOS=2 runs every row twice (ids suffixed
 * #2), MTLS_SCALE_IMPLEMENTATIONS=2 every implementation twice, to see how wall time grows.
 */
function copies(variable: string): number {
  const value = Number(process.env[variable] ?? 1);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

function scaledRows(catalogue: Scenario[]): Scenario[] {
  return Array.from({ length: copies("MTLS_SCALE_SCENARIOS") }, (_, copy) => catalogue.map((row) => (copy ? { ...row, id: `${row.id}#${copy + 1}`, copyOf: row.id } : row))).flat();
}

/** Who plays a row: every stack of its side, or for a detector row each protocol detector. */
function playersOf(row: Scenario): Array<Implementation & { unavailable?: string }> {
  const playing = implementationsFor(row.subject, runtime, statuses);
  return row.detector ? [referenceSidecar, ...playing.filter((implementation) => implementation.server?.detectsProtocol)] : playing;
}

function scaledImplementations(row: Scenario): Array<{ label: string; implementation: Implementation & { unavailable?: string } }> {
  const playing = playersOf(row);
  return Array.from({ length: copies("MTLS_SCALE_IMPLEMENTATIONS") }, (_, copy) =>
    playing.map((implementation) => ({ label: copy ? `${implementation.name}#${copy + 1}` : implementation.name, implementation })),
  ).flat();
}

/** The properties every case carries: who played, which version, where, what it was asked. */
function caseRecorder(implementation: Implementation & { unavailable?: string }, title: string, expected: string): (record: RecordProperty) => Promise<void> {
  return async (record) => {
    record("implementation", implementation.name);
    record("version", implementation.unavailable ? "not run" : await implementation.version());
    record("runtime", runtime.name);
    record("scenario", title);
    record("expected", expected);
  };
}

/** A case reported as skipped, with the reason and its kind (skip-kind: who lacks what). */
function skippedCase(name: string, recordCase: (record: RecordProperty) => Promise<void>, reason: string | undefined, kind: string): void {
  it(
    name,
    withCaseProperties(async ({ skip }, record) => {
      await recordCase(record);
      record("skip-kind", kind);
      skip(reason);
    }),
  );
}

/** Why an implementation does not play at all in this run: not installed, or not selected. */
function unavailableKind(reason: string): "not-installed" | "not-selected" {
  return reason.startsWith("not selected") ? "not-selected" : "not-installed";
}

/** The harness could not play the case: a peer that did not start, a build, the engine. */
export class CaseNotPlayedError extends Error {}

/**
 * Plays a case; anything thrown on the way (a peer that did not start, a deadline of ours, an
 * engine error) is recorded as the verdict `error` with its cause, and the case fails as not
 * played, never as the stack's fail.
 */
async function playOrError<T>(record: RecordProperty, play: () => Promise<T>): Promise<T> {
  try {
    return await play();
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    record("verdict", "error");
    record("evidence", cause);
    throw new CaseNotPlayedError(`could not play the case (error, not the stack's verdict): ${cause}`);
  }
}

// This worker's share of the budget: each case works in a slot (vitest.config.ts provides the size).
const caseSlots = new CaseSlots(inject("caseSlots") ?? 1);

export function conformanceSuite(area: string, catalogue: Scenario[]): void {
  // Servers kept for the next case with the same setup; the file stops them when it ends.
  const keptServers = inject("keepServers") === false ? undefined : new ServerPool();
  // Cases run concurrently on either runtime (vitest's maxConcurrency in flight, the budget's slots
  // working: runtime/case-slots.ts): most of a case is waiting on peers, and each peer has its own
  // 127.x.y.z host, so cases cannot collide on an address. On containers this is safe because runtime/output.ts merges a peer's streams by whole
  // lines (figures and history: docs/performance.md, "Figures behind code choices").
  const describeArea = describe.concurrent;
  describeArea(area, () => {
    // Long-lived peers this file started itself (none when globalSetup provided them) end with its cases.
    afterAll(stopSharedPeers);
    afterAll(() => keptServers?.stopAll());
    for (const row of waitingRowsFirst(scaledRows(catalogue))) {
      describe(row.id, () => {
        for (const { label, implementation } of scaledImplementations(row)) {
          const expectation = expectationFor(row, implementation);
          const name = `${label} (${runtime.name})`;
          const recordCase = caseRecorder(implementation, row.title, row.expect);
          if (implementation.unavailable !== undefined) {
            skippedCase(name, recordCase, implementation.unavailable, unavailableKind(implementation.unavailable));
            continue;
          }
          if ("skip" in expectation) {
            skippedCase(name, recordCase, expectation.skip, expectation.skipKind);
            continue;
          }
          it(name, { timeout: caseTimeoutMs }, withCaseProperties(async ({ expect }, record) => {
            await recordCase(record);
            const observation = await playOrError(record, () =>
              caseSlots.hold((aside) => runScenario(row, implementation, { fixtures: inject("fixtures"), timeoutMs: decisionTimeoutMs, servers: keptServers, aside })),
            );
            const verdict = judge(observation.outcome, expectation, observation);
            const deviation = expectation.deviation;
            const properties: Array<[string | undefined, CaseProperty]> = [
              [observation.outcome, "outcome"],
              [verdict, "verdict"],
              [observation.tlsVersion, "tls-version"],
              [observation.cipher, "cipher"],
              [describeObservation(observation), "evidence"],
              [observation.resumed === undefined ? undefined : observation.resumed ? "yes" : "no", "resumed"],
              [deviation?.reason, "deviation"],
              [deviation?.reference, "reference"],
              [deviation?.intermittent ? "yes" : undefined, "intermittent"],
            ];
            for (const [value, type] of properties) if (value) record(type, value);
            // MTLS_BASELINE: a failure the baseline has too is known; the reports show it, the run goes on.
            if (verdict === "fail" && isKnownFailure(`${area} > ${row.id} > ${name}`)) return;
            const recorded = deviation ? ` (recorded for ${implementation.name}: ${deviation.outcome}, ${statusLabel(deviation.status)})` : "";
            const resumed = `${expectation.resumed ? " with the session resumed" : ""}${expectation.fullHandshake ? ` (a full handshake after the change: ${expectation.fullHandshake})` : ""}`;
            const what = verdict === "error" ? "could not judge: no decision was observed; " : verdict === "fixed" ? "the recorded deviation did not happen (MTLS_STRICT_DEVIATIONS=1 fails it): " : "";
            expect(isFailing(verdict, strictDeviations), `${what}expected ${expectation.expect}${resumed}${recorded}, observed ${describeObservation(observation)}`).toBe(false);
          }));
        }
      });
    }
  });
}

/** One line per phase (and switch): each population's accepted, refused and failed handshakes. */
export function describeLiveCounts(counts: LiveCount[]): string {
  const phases = [...new Set(counts.map((entry) => entry.phase))];
  return phases
    .map((phase) => {
      const cells = counts
        .filter((entry) => entry.phase === phase)
        .map((entry) => `${entry.population}${entry.covered ? "" : " (not covered)"} ${entry.accepted} ok/${entry.refused} refused/${entry.reset ? `${entry.reset} reset/` : ""}${entry.undecided ? `${entry.undecided} undecided/` : ""}${entry.failed} failed`);
      return `${phase}: ${cells.join(", ")}`;
    })
    .join("; ");
}

/**
 * Rotation under live traffic (harness/runner/rotation-live.ts), one case per server that can switch its
 * chain without a restart; the others are skipped by capability (reload-identity).
 */
export function liveRotationSuite(options: { permissive?: boolean } = {}): void {
  const { permissive = false } = options;
  const id = permissive ? permissiveLiveRotationId : liveRotationId;
  // Behind a permissive detector the detector is the implementation: the reference sidecar (in
  // front of the node server) and each stack that detects the protocol itself.
  const playing = implementationsFor("server", runtime, statuses);
  const players: Array<Implementation & { unavailable?: string }> = permissive ? [referenceSidecar, ...playing.filter((implementation) => implementation.server?.detectsProtocol)] : playing;
  const title = permissive
    ? "behind a permissive detector, the server moves A -> cross-signed B -> B under traffic from mTLS clients trusting A, A+B and B and from plaintext clients: no covered handshake fails, plaintext is served throughout, A-only clients are refused on B"
    : "the server moves A -> cross-signed B -> B under traffic from clients trusting A, A+B and B: no covered handshake fails, A-only clients are refused on B";
  // One stack at a time: its clients (and node's server) share this worker's event loop.
  describe(permissive ? "rotation-live-permissive" : "rotation-live", () => {
    describe(id, () => {
      for (const implementation of players) {
        const name = `${implementation.name} (${runtime.name})`;
        const recordCase = caseRecorder(implementation, title, "accepted");
        if (implementation.unavailable !== undefined) {
          skippedCase(name, recordCase, implementation.unavailable, unavailableKind(implementation.unavailable));
          continue;
        }
        const skip = capabilitySkip(implementation.name, implementation, ["reload-identity"]);
        if (skip) {
          skippedCase(name, recordCase, skip.reason, skip.kind);
          continue;
        }
        it(name, { timeout: caseTimeoutMs }, withCaseProperties(async ({ expect }, record) => {
          await recordCase(record);
          // Its 120 s ceiling leaves room for a loaded machine (docs/performance.md, "Figures behind code choices").
          const counts = await playOrError(record, () => runLiveRotation(implementation, inject("fixtures"), { clientsPerPopulation: 3, handshakesPerPhase: 4, timeoutMs: 120_000, maxHandshakes: 4_000, permissive }));
          // Resets at a switch are the stack's recorded deviation when it has one (intermittent:
          // about 1 run in 3 to 6 meets one, for caddy), else failures; the status follows what
          // this run saw, and the phases property counts its resets.
          const recorded = implementation.deviations[id];
          const failed = counts.filter((entry) => entry.failed > 0 || (entry.reset > 0 && !recorded));
          const resets = counts.reduce((sum, entry) => sum + entry.reset, 0);
          const undecided = counts.reduce((sum, entry) => sum + entry.undecided, 0);
          // A handshake with no decision within our deadline says nothing of the stack.
          const verdict = failed.length ? "fail" : undecided > 0 ? "error" : recorded && resets > 0 ? "known-violation" : "pass";
          record("outcome", failed.length ? "failed" : resets > 0 && recorded ? recorded.outcome : "accepted");
          record("verdict", verdict);
          record("phases", describeLiveCounts(counts));
          if (recorded) {
            record("deviation", recorded.reason);
            record("reference", recorded.reference);
            if (recorded.intermittent) record("intermittent", "yes");
          }
          expect(failed.map((entry) => `${entry.phase} ${entry.population}: ${entry.failures.join(" | ")}`)).toEqual([]);
          expect(undecided, `could not judge: ${undecided} handshakes saw no decision within ${decisionCeilingMs} ms`).toBe(0);
          // The harness really moved: A-only clients met B and were refused, and every phase ran.
          expect(counts.find((entry) => entry.phase === "b" && entry.population === "trust-a")?.refused ?? 0).toBeGreaterThan(0);
          for (const phase of livePhases) expect(counts.filter((entry) => entry.phase === phase.name && entry.covered).every((entry) => entry.accepted > 0)).toBe(true);
        }));
      }
    });
  });
}
