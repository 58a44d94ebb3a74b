import { describe, expect, it } from "vitest";
import { ConcurrencyBudgetError, concurrencyBudget, concurrencyOverride, unitWorkers } from "./budget.js";

describe("the concurrency budget", () => {
  it("is sized from the cores and what a case costs on the runtime", () => {
    // A worker plays what a core carries: 3 process cases, 1 container case.
    expect(concurrencyBudget("process", 11, {}, 2)).toEqual({ cases: 6, workers: 2, casesPerWorker: 3, inFlightPerWorker: 32, source: "2 cores x 3 process cases a core" });
    expect(concurrencyBudget("process", 11, {}, 8)).toEqual({ cases: 24, workers: 8, casesPerWorker: 3, inFlightPerWorker: 32, source: "8 cores x 3 process cases a core" });
    expect(concurrencyBudget("docker-exec", 11, {}, 2)).toEqual({ cases: 3, workers: 3, casesPerWorker: 1, inFlightPerWorker: 24, source: "2 cores x 1.5 container (docker exec) cases a core" });
    expect(concurrencyBudget("nsenter", 11, {}, 2)).toEqual({ cases: 6, workers: 2, casesPerWorker: 3, inFlightPerWorker: 32, source: "2 cores x 3 container (nsenter) cases a core" });
    // Never more workers than files: the rest of the budget goes to cases within each worker.
    expect(concurrencyBudget("process", 4, {}, 8)).toEqual({ cases: 24, workers: 4, casesPerWorker: 6, inFlightPerWorker: 44, source: "8 cores x 3 process cases a core" });
    // One core still runs two cases at once (a case is mostly waiting).
    expect(concurrencyBudget("docker-exec", 11, {}, 1).cases).toBe(2);
  });

  it("keeps a worker beside the files that start first and hold one each, within the same budget", () => {
    expect(concurrencyBudget("process", 11, {}, 2, 2)).toEqual({ cases: 6, workers: 3, casesPerWorker: 2, inFlightPerWorker: 28, source: "2 cores x 3 process cases a core" });
    expect(concurrencyBudget("nsenter", 11, {}, 2, 2)).toMatchObject({ cases: 6, workers: 3, casesPerWorker: 2 });
    // Enough workers already: nothing changes.
    expect(concurrencyBudget("process", 11, {}, 8, 2)).toMatchObject({ cases: 24, workers: 8, casesPerWorker: 3 });
    expect(concurrencyBudget("docker-exec", 11, {}, 2, 2)).toMatchObject({ cases: 3, workers: 3, casesPerWorker: 1 });
    // Never more workers than cases or files.
    expect(concurrencyBudget("process", 11, { MTLS_CONCURRENCY: "1" }, 2, 2)).toMatchObject({ cases: 1, workers: 1, casesPerWorker: 1 });
    expect(concurrencyBudget("process", 2, {}, 2, 2)).toMatchObject({ workers: 2, casesPerWorker: 3 });
  });

  it("never exceeds the budget across workers, nor a worker a file", () => {
    for (const runtime of ["process", "nsenter", "docker-exec"] as const) {
      for (const cores of [1, 2, 3, 4, 8, 16]) {
        for (const [files, floorFiles] of [[1, 0], [5, 0], [11, 0], [1, 2], [5, 2], [11, 2]] as const) {
          const budget = concurrencyBudget(runtime, files, {}, cores, floorFiles);
          expect(budget.workers * budget.casesPerWorker).toBe(budget.cases);
          expect(budget.cases).toBeLessThanOrEqual(Math.max(2, Math.floor(cores * (runtime === "docker-exec" ? 1.5 : 3))));
          expect(budget.workers).toBeLessThanOrEqual(files);
        }
      }
    }
  });

  it("takes MTLS_CONCURRENCY over the machine's figure", () => {
    expect(concurrencyBudget("docker-exec", 11, { MTLS_CONCURRENCY: "1" }, 16)).toEqual({ cases: 1, workers: 1, casesPerWorker: 1, inFlightPerWorker: 24, source: "MTLS_CONCURRENCY" });
    expect(concurrencyBudget("process", 11, { MTLS_CONCURRENCY: "21" }, 2)).toMatchObject({ cases: 21, workers: 7, casesPerWorker: 3 });
    expect(concurrencyBudget("docker-exec", 11, { MTLS_CONCURRENCY: "2" }, 16)).toMatchObject({ cases: 2, workers: 2, casesPerWorker: 1 });
  });

  it("refuses a MTLS_CONCURRENCY that is not a whole number of cases, in one line", () => {
    for (const value of ["0", "-3", "2.5", "many", "1000"]) {
      expect(() => concurrencyOverride(value)).toThrow(ConcurrencyBudgetError);
      expect(() => concurrencyOverride(value)).toThrow(new RegExp(`^failed to size the run: MTLS_CONCURRENCY=${value.replace(".", "\\.")} is not a whole number`));
    }
    expect(concurrencyOverride(undefined)).toBeUndefined();
    expect(concurrencyOverride(" ")).toBeUndefined();
  });
});

describe("unitWorkers", () => {
  it("runs 1.5 unit files a core, at least 2, capped by MTLS_CONCURRENCY", () => {
    expect(unitWorkers({}, 1)).toBe(2);
    expect(unitWorkers({}, 2)).toBe(3);
    expect(unitWorkers({}, 8)).toBe(12);
    expect(unitWorkers({ MTLS_CONCURRENCY: "1" }, 8)).toBe(1);
    expect(unitWorkers({ MTLS_CONCURRENCY: "40" }, 2)).toBe(3);
    expect(() => unitWorkers({ MTLS_CONCURRENCY: "x" }, 2)).toThrow(ConcurrencyBudgetError);
  });
});
