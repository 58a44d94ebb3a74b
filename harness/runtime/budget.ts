// One concurrency budget for a conformance run, sized from the machine: how many cases may be in
// flight at once across every vitest worker. A case is mostly waiting on its peers, but each peer
// start costs CPU (a JVM, a Go binary, a docker exec), and a 2-core runner at load 32 turned our own
// wall-clock deadlines into verdicts. docs/architecture.md "Concurrency budget" has the figures.
import { availableParallelism } from "node:os";

/**
 * How a case's peers start, which is what a case costs: as local processes (the process runtime),
 * entered into their containers with nsenter (a local process too), or through `docker exec` (the
 * engine's CPU as well: harness/host/container-entry.ts).
 */
export type PeerStart = "process" | "nsenter" | "docker-exec";

/**
 * Cases in flight per core, by how peers start. A docker exec case costs about twice a process case
 * (237 s for the container catalogue at one worker of three cases against 201 s at three of one);
 * with nsenter the container catalogue took 63 s at three of one and 51 s at two of three, as the
 * process catalogue does (docs/performance.md).
 */
export const casesPerCore: Record<PeerStart, number> = { process: 3, nsenter: 3, "docker-exec": 1.5 };

const startNames: Record<PeerStart, string> = { process: "process", nsenter: "container (nsenter)", "docker-exec": "container (docker exec)" };

export class ConcurrencyBudgetError extends Error {}

/**
 * Cases in flight per working slot, so a freed slot finds a case ready to work, and room beside
 * them for the cases that wait on purpose: a file starts those first (runner/run-scenario.ts
 * waitingRowsFirst), and each holds its place in flight for 1 to 5 s without working. The modes
 * area has 17 of them next to 176 that do not wait: with room for all of them the file took 5.0 s,
 * with 12 in flight in all 6.4 s (their waits then held every place in flight).
 */
const inFlightPerSlot = 4;
const waitingRoom = 20;

export interface ConcurrencyBudget {
  /** Cases in flight at once, across every worker. */
  cases: number;
  /** vitest workers of the conformance project (at most one per suite file). */
  workers: number;
  /** Cases working at once within one worker (runtime/case-slots.ts). */
  casesPerWorker: number;
  /**
   * Cases in flight within one worker (vitest's maxConcurrency): more than work at once, so a case
   * that gives its slot back for a deliberate wait (case-slots.ts) finds another ready to work.
   */
  inFlightPerWorker: number;
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
 * The budget for `files` suite files whose peers start as `start`: MTLS_CONCURRENCY when set, else
 * cores times what a case costs (at least 2). A worker plays as many cases at once as a core carries
 * (3 process or nsenter cases, 1 docker exec case), so a file whose cases mostly wait (the modes area's
 * detection pauses) is not the run's critical path, and there are as many workers as that takes,
 * never more than the files; workers x casesPerWorker never exceeds the budget.
 *
 * `floorFiles` files start first and hold a worker each for a wall time the CPU does not shorten
 * (runtime/file-order.ts): there is at least one worker more than them, so the other files' work
 * goes on beside them. On 2 cores that spreads the same 6 cases over 3 workers of 2: the process
 * catalogue took 18.2 s against 19.0 to 19.7 s with 2 workers of 3 (docs/performance.md).
 */
export function concurrencyBudget(start: PeerStart, files: number, env: NodeJS.ProcessEnv = process.env, cores = availableParallelism(), floorFiles = 0): ConcurrencyBudget {
  const override = concurrencyOverride(env.MTLS_CONCURRENCY);
  const cases = override ?? Math.max(2, Math.floor(cores * casesPerCore[start]));
  const perWorker = Math.max(1, Math.floor(casesPerCore[start]));
  const workers = Math.max(1, Math.min(files, cases, Math.max(Math.ceil(cases / perWorker), floorFiles + 1)));
  const casesPerWorker = Math.max(1, Math.floor(cases / workers));
  const source = override !== undefined ? "MTLS_CONCURRENCY" : `${cores} cores x ${casesPerCore[start]} ${startNames[start]} cases a core`;
  return { cases: workers * casesPerWorker, workers, casesPerWorker, inFlightPerWorker: casesPerWorker * inFlightPerSlot + waitingRoom, source };
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
