// `npm run flake -- --runs N [--runtime process|container|both]`: runs the conformance suites N
// times per runtime, each run in its own vitest process with its own reports directory, and writes
// reports/flake.json: every case whose verdict or outcome changed between runs, with the evidence
// of each variant, the rate of each deviation declared intermittent (the only flip allowed), every
// case that was an error in some run, and the totals of every run. Exit 1 when a case changed or
// was an error in any run (that run is incomplete), 2 on bad usage or a run that produced no results. The container runtime needs the engine and the images
// (npm run engine:up && npm run images:build).
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isFailing, statusLabel } from "../core/case-record.js";
import { countsLine, resultsModel, type ResultsModel } from "../report/results.js";
import { runtimeNames, type RuntimeName } from "../runtime/types.js";
import { noiseFrom, startCpuNoise } from "./noise.js";
import { compareRuns, intermittentLine, type RunRecord } from "./compare.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const vitest = join(root, "node_modules/.bin/vitest");
const usage = "Usage: npm run flake -- --runs N [--runtime process|container|both] [--noise CORES] [--out FILE]";

// A hung run is a failure to report, not a wait without end (a container run takes 2-4 min here).
const runDeadlineMs: Record<RuntimeName, number> = { process: 20 * 60_000, container: 40 * 60_000 };

class UsageError extends Error {}
class RunError extends Error {}

function parseCommandLine(argv: string[]): { runs: number; runtimes: RuntimeName[]; out: string; noise: number } {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { runs: { type: "string" }, runtime: { type: "string" }, out: { type: "string" }, noise: { type: "string" } } }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  const runs = Number(values.runs);
  if (values.runs === undefined || !Number.isInteger(runs) || runs < 2) throw new UsageError(`--runs must be a whole number of at least 2 (got ${values.runs ?? "nothing"})\n${usage}`);
  const runtime = values.runtime ?? "both";
  if (runtime !== "both" && !(runtimeNames as readonly string[]).includes(runtime)) throw new UsageError(`--runtime must be process, container or both (got ${runtime})\n${usage}`);
  let noise: number;
  try {
    noise = noiseFrom(values.noise);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  return { runs, runtimes: runtime === "both" ? [...runtimeNames] : [runtime as RuntimeName], out: values.out ?? "reports/flake.json", noise };
}

let current: ReturnType<typeof spawn> | undefined;
let interrupted = false;

async function runSuites(runtime: RuntimeName, run: number, workDir: string): Promise<RunRecord> {
  const reportsDir = join(workDir, `${runtime}-${run}`);
  const logFile = join(workDir, `${runtime}-${run}.log`);
  const log = createWriteStream(logFile);
  const started = performance.now();
  // detached (setsid): vitest and its peers get a process group of their own, so a deadline kills
  // all of them; a signal to this command is passed on to that group.
  const child = spawn(vitest, ["run", "--project", "conformance", "--reporter=dot", "--reporter=./harness/report/reporter.ts"], {
    cwd: root,
    env: { ...process.env, MTLS_RUNTIME: runtime, MTLS_REPORTS_DIR: reportsDir },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  current = child;
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  }, runDeadlineMs[runtime]);
  const exitCode = await new Promise<number | undefined>((resolveExit, reject) => {
    child.once("error", (error) => reject(new RunError(`failed to start vitest: ${error.message}`)));
    child.once("close", (code) => resolveExit(code ?? undefined));
  }).finally(() => {
    clearTimeout(timer);
    current = undefined;
    log.end();
  });
  const durationMs = performance.now() - started;
  let model: ResultsModel;
  try {
    model = JSON.parse(await readFile(join(reportsDir, "results.json"), "utf8")) as ResultsModel;
  } catch {
    model = resultsModel([]);
  }
  if (timedOut || model.cases.length === 0) {
    const tail = (await readFile(logFile, "utf8").catch(() => "")).trim().split("\n").slice(-5).join(" | ");
    throw new RunError(`failed to run the conformance suites (${runtime} run ${run}): ${timedOut ? `no end within ${runDeadlineMs[runtime] / 60_000} min` : `no results (exit ${exitCode})`}: ${tail}`);
  }
  return { runtime, run, exitCode, durationMs, model };
}

export async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`flake: ${error.message}`);
      return 2;
    }
    throw error;
  }
  // Ctrl-C or a CI cancel: stop the run under way (its own handlers stop its peers and containers).
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      interrupted = true;
      if (current?.pid !== undefined) process.kill(-current.pid, signal);
    });
  }
  const workDir = await mkdtemp(join(tmpdir(), "mtls-flake-"));
  const records: RunRecord[] = [];
  // --noise: N cores kept busy for the whole measurement, bounded by the runs' own deadlines.
  const maxNoiseMs = options.runtimes.reduce((sum, runtime) => sum + options.runs * runDeadlineMs[runtime], 0);
  const noise = startCpuNoise(options.noise, maxNoiseMs);
  if (options.noise) console.error(`flake: ${options.noise} core(s) kept busy by CPU burners during the runs`);
  try {
    for (const runtime of options.runtimes) {
      for (let run = 1; run <= options.runs; run++) {
        const record = await runSuites(runtime, run, workDir).catch((error: unknown) => {
          if (interrupted) return undefined;
          throw error;
        });
        if (interrupted || !record) {
          console.error("flake: interrupted");
          return 130;
        }
        records.push(record);
        console.error(`flake: ${runtime} run ${run}/${options.runs}: ${countsLine(record.model)} (${(record.durationMs / 1000).toFixed(0)} s)`);
        // Named as soon as the run ends, so a measurement cut short still says which cases failed.
        for (const entry of record.model.cases.filter((entry) => isFailing(entry.verdict, record.model.strictDeviations === true))) {
          console.error(`flake:   ${statusLabel(entry.verdict)}: ${entry.name}${entry.reason ? `: ${entry.reason}` : ""}`);
        }
      }
    }
  } catch (error) {
    if (error instanceof RunError) {
      console.error(`flake: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    await noise.stop();
    await rm(workDir, { recursive: true, force: true });
  }
  const report = compareRuns(records);
  const out = resolve(root, options.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2) + "\n");
  for (const { runtime, runs, cases, changed, intermittent, errors } of report.summary) {
    console.error(`flake: ${runtime}: ${runs} runs, ${cases} cases, ${changed} changed, ${errors} with an error, ${intermittent} intermittent`);
  }
  for (const entry of report.intermittent) console.error(`flake: intermittent ${intermittentLine(entry)}`);
  for (const entry of report.changed) {
    console.error(`flake: CHANGED ${entry.name}: ${entry.variants.map((variant) => `${variant.verdict}${variant.outcome ? `/${variant.outcome}` : ""} x${variant.count}`).join(", ")}`);
  }
  for (const entry of report.errors) console.error(`flake: ERROR ${entry.name} in run ${entry.runs.join(", ")}: ${entry.evidence.join(" | ")}`);
  console.error(`flake: wrote ${options.out}`);
  return report.changed.length || report.errors.length ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
