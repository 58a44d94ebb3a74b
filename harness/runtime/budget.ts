// One concurrency budget for a conformance run, sized from the machine: how many cases may be in
// flight at once across every vitest worker. A case is mostly waiting on its peers, but each peer
// start costs CPU (a JVM, a Go binary, a docker exec), and a 2-core runner at load 32 turned our own
// wall-clock deadlines into verdicts. docs/architecture.md "Concurrency budget" has the figures.
import { availableParallelism } from "node:os";
import type { RuntimeName } from "./types.js";

/**
 * Cases in flight per core, by runtime: what a case costs there. A process-runtime case starts its
 * peers directly; a container case starts them through `docker exec` (the engine's CPU too), so
 * it costs about twice as much.
 */
export const casesPerCore: Record<RuntimeName, number> = { process: 3, container: 1.5 };

export class ConcurrencyBudgetError extends Error {}

export interface ConcurrencyBudget {
  /** Cases in flight at once, across every worker. */
  cases: number;
  /** vitest workers of the conformance project (at most one per suite file). */
  workers: number;
  /** Concurrent cases within one worker (vitest's maxConcurrency). */
  casesPerWorker: number;
  /** Where the figure came from, for the banner. */
  source: string;
}

/** MTLS_CONCURRENCY: a positive integer (cases in flight), or unset for the machine's own figure. */
export function concurrencyOverride(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const cases = Number(value);
  if (!Number.isInteger(cases) || cases < 1 || cases > 256) throw new ConcurrencyBudgetError(`failed to size the run: MTLS_CONCURRENCY=${value} is not a whole number of cases from 1 to 256`);
  return cases;
}

/**
 * The budget for `files` suite files on `runtime`: MTLS_CONCURRENCY when set, else cores times what
 * a case costs there (at least 2). A worker plays as many cases at once as a core carries on the
 * runtime (3 process cases, 1 container case), so a file whose cases mostly wait (the modes area's
 * detection pauses) is not the run's critical path, and there are as many workers as that takes,
 * never more than the files; workers x casesPerWorker never exceeds the budget.
 */
export function concurrencyBudget(runtime: RuntimeName, files: number, env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): ConcurrencyBudget {
  const override = concurrencyOverride(env.MTLS_CONCURRENCY);
  const cases = override ?? Math.max(2, Math.floor(cores * casesPerCore[runtime]));
  const perWorker = Math.max(1, Math.floor(casesPerCore[runtime]));
  const workers = Math.max(1, Math.min(files, Math.ceil(cases / perWorker)));
  const casesPerWorker = Math.max(1, Math.floor(cases / workers));
  const source = override !== undefined ? "MTLS_CONCURRENCY" : `${cores} cores x ${casesPerCore[runtime]} ${runtime} cases a core`;
  return { cases: workers * casesPerWorker, workers, casesPerWorker, source };
}

/**
 * vitest workers for the unit project, 1.5 files a core (at least 2): much of a unit file's time is
 * spent waiting on the servers and commands it starts (the gallery's detection pauses alone are
 * minutes), and one file at a time left a core idle (docs/performance.md). MTLS_CONCURRENCY, when
 * set, caps them too.
 */
export function unitWorkers(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  const override = concurrencyOverride(env.MTLS_CONCURRENCY);
  const workers = Math.max(2, Math.floor(cores * 1.5));
  return override === undefined ? workers : Math.max(1, Math.min(workers, override));
}
