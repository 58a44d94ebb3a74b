// Turns a scenario catalogue into vitest tests: describe(area) > describe(scenario id) >
// it(implementation (runtime)), so JUnit names read `<area> > <scenario> > <implementation>`.
import { describe, expect, inject, it } from "vitest";
import { implementationsFor } from "./implementations.js";
import type { Observation } from "./peers/types.js";
import { runScenario } from "./run-scenario.js";
import { containerRuntime } from "./runtime/container.js";
import { processRuntime } from "./runtime/process.js";
import type { Runtime } from "./runtime/types.js";
import { expectationFor, type Scenario } from "./scenario.js";

/** The runtime globalSetup prepared (MTLS_RUNTIME): its containers are started once per run, there. */
function selectedRuntime(): Runtime {
  const context = inject("runtime");
  return context.name === "container" ? containerRuntime(context.containers, context.scratchRoot) : processRuntime;
}

const runtime = selectedRuntime();
const probeTimeoutMs = 5_000;

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

export function conformanceSuite(area: string, catalogue: Scenario[]): void {
  describe(area, () => {
    for (const row of catalogue) {
      describe(row.id, () => {
        for (const implementation of implementationsFor(row.subject, runtime)) {
          const expectation = expectationFor(row, implementation.name);
          const name = `${implementation.name} (${runtime.name})`;
          if ("skip" in expectation) {
            it.skip(`${name} — skipped: ${expectation.skip}`, () => {});
            continue;
          }
          it(name, async ({ annotate }) => {
            const observation = await runScenario(row, implementation, { fixtures: inject("fixtures"), timeoutMs: probeTimeoutMs });
            await annotate(implementation.name, "implementation");
            await annotate(runtime.name, "runtime");
            await annotate(row.title, "scenario");
            await annotate(expectation.expect, "expected");
            await annotate(observation.outcome, "observed");
            if (observation.tlsVersion) await annotate(observation.tlsVersion, "tls-version");
            if (observation.cipher) await annotate(observation.cipher, "cipher");
            if (expectation.reason) await annotate(expectation.reason, "deviation");
            expect(observation.outcome, `expected ${expectation.expect}, observed ${describeObservation(observation)}`).toBe(expectation.expect);
          });
        }
      });
    }
  });
}
