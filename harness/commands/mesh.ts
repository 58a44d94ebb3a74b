// The mesh side of the `mtls-conformance` command: `run --targets FILE` (many endpoints, sharded,
// against a baseline) and `merge` (shards, or the process and container runs, into one set of
// reports). harness/commands/cli.ts parses the flags and hands them here.
import type { Verdict } from "../core/case-record.js";
import { baselineLine, BaselineError, compareWithBaseline, readResultsFile } from "../report/baseline.js";
import { mergeModels, MergeError } from "../report/merge.js";
import { meshTargetMetrics, writeMetricsFile } from "../report/metrics.js";
import { declaredVersusObserved, exitCodeOf, type ResultsModel } from "../report/results.js";
import { reportFilesIn, writeReports, type ReportFiles } from "../report/write-reports.js";
import { meshResultsModel } from "../mesh/mesh-model.js";
import { progressOn } from "../mesh/progress.js";
import { defaultConcurrency, runMesh, validateTargetInputs } from "../mesh/run-mesh.js";
import { parseShard, shardOf, ShardError } from "../mesh/shard.js";
import { readTargetsFile, TargetsFileError } from "../mesh/targets-file.js";

/** The command-line flags of `run --targets` and `merge`, for harness/commands/cli.ts's parseArgs. */
export const meshCommandOptions = {
  targets: { type: "string" },
  concurrency: { type: "string" },
  shard: { type: "string" },
  baseline: { type: "string" },
  "update-baseline": { type: "string" },
  reports: { type: "string" },
  summary: { type: "string" },
  html: { type: "string" },
  runs: { type: "boolean", default: false },
} as const;

/** What harness/commands/cli.ts parsed: the mesh flags, and the single run's flags the mesh commands refuse or share. */
type ParsedValues = { [flag in keyof typeof meshCommandOptions]?: string | boolean } & { target?: string; tap?: boolean; json?: string; junit?: string; metrics?: string };

export type MeshCommand = { mesh: "run"; flags: MeshRunFlags } | { mesh: "merge"; inputs: string[]; flags: MergeFlags };

/** Flags of the mesh commands only: refused on a single-target run. */
const meshOnlyFlags = ["concurrency", "shard", "baseline", "update-baseline", "reports", "summary", "html"] as const;

/** `merge ...` or `run --targets ...` as a mesh command; undefined for a single-target run (which may use none of their flags). */
export function meshCommandOf(values: ParsedValues, positionals: string[]): MeshCommand | undefined {
  const text = (flag: keyof typeof meshCommandOptions) => values[flag] as string | undefined;
  const reportFlags = { reports: text("reports"), json: values.json, junit: values.junit, summary: text("summary"), html: text("html") };
  const judging = { baseline: text("baseline"), updateBaseline: text("update-baseline") };
  if (positionals[0] === "merge") {
    if (values.targets || values.target || values.tap || values.metrics) throw new MeshInputError("merge takes results.json files and report flags, not --target, --targets, --tap or --metrics");
    return { mesh: "merge", inputs: positionals.slice(1), flags: { ...reportFlags, ...judging, runs: values.runs === true } };
  }
  if (positionals[0] !== "run" || positionals.length > 1) return undefined;
  if (values.runs) throw new MeshInputError("--runs is for merge");
  if (values.targets !== undefined) {
    if (values.target !== undefined || values.tap) throw new MeshInputError("--targets runs every target of the file: it takes no --target or --tap");
    return { mesh: "run", flags: { ...reportFlags, ...judging, targets: text("targets")!, concurrency: text("concurrency"), shard: text("shard"), metrics: values.metrics } };
  }
  const meshOnly = meshOnlyFlags.find((flag) => values[flag] !== undefined);
  if (meshOnly) throw new MeshInputError(`--${meshOnly} is for --targets and merge (a single target can be a one-entry targets file)`);
  return undefined;
}

export function runMeshCommand(command: MeshCommand): Promise<0 | 1 | 2> {
  return command.mesh === "run" ? runTargetsCommand(command.flags) : mergeCommand(command.inputs, command.flags);
}

/** Bad input to a mesh run or a merge: one line on stderr, exit 2. */
export class MeshInputError extends Error {}

export const isMeshInputError = (error: unknown): error is Error =>
  error instanceof MeshInputError || error instanceof TargetsFileError || error instanceof ShardError || error instanceof BaselineError || error instanceof MergeError;

/** The report flags both commands take: --reports DIR writes all four there; a file flag overrides one. */
export interface ReportFlags {
  reports?: string;
  json?: string;
  junit?: string;
  summary?: string;
  html?: string;
}

export interface MeshRunFlags extends ReportFlags {
  targets: string;
  concurrency?: string;
  shard?: string;
  baseline?: string;
  updateBaseline?: string;
  /** OpenMetrics text of the run (harness/report/metrics.ts). */
  metrics?: string;
}

export interface MergeFlags extends ReportFlags {
  /** The inputs are runs of the same tests (process and container), not shards. */
  runs?: boolean;
  baseline?: string;
  updateBaseline?: string;
}

function reportFiles(flags: ReportFlags, defaultDir: string | undefined): ReportFiles {
  const named = { results: flags.json, junit: flags.junit, summary: flags.summary, matrix: flags.html };
  const dir = flags.reports ?? (Object.values(named).some(Boolean) ? undefined : defaultDir);
  const base: ReportFiles = dir ? reportFilesIn(dir) : {};
  return { ...base, ...Object.fromEntries(Object.entries(named).filter(([, file]) => file)) };
}

function parseConcurrency(text: string | undefined): number {
  if (text === undefined) return defaultConcurrency;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 1024) throw new MeshInputError(`invalid concurrency "${text}": expected a whole number from 1 to 1024`);
  return value;
}

/** Compares with --baseline, writes every report and --update-baseline, prints the closing lines; returns the exit status. */
async function finish(
  model: ResultsModel,
  flags: ReportFlags & { baseline?: string; updateBaseline?: string; metrics?: string },
  defaultDir: string | undefined,
  baseline: ResultsModel | undefined,
  startedAt = performance.now(),
): Promise<0 | 1 | 2> {
  const judged = baseline ? compareWithBaseline(model, baseline, flags.baseline!) : model;
  await writeReports(judged, reportFiles(flags, defaultDir));
  if (flags.metrics) await writeMetricsFile(flags.metrics, { finishedAt: new Date(), durationMs: performance.now() - startedAt, targets: meshTargetMetrics(judged) });
  if (flags.updateBaseline) await writeReports(judged, { results: flags.updateBaseline });
  // Passed is pass and other reason only; a check with nothing judged (not probed, recorded) is counted apart.
  const count = (verdict: Verdict): number => judged.totals[verdict] ?? 0;
  process.stdout.write(
    `${count("pass") + count("other-reason")} passed, ${count("fail") + count("error")} failed, ${count("undetermined") + count("unstable")} not judged, ${count("not-probed") + count("recorded")} not probed or recorded, ${count("skipped")} skipped\n`,
  );
  if (judged.baseline) process.stdout.write(`${baselineLine(judged.baseline)}\n`);
  return exitCodeOf(judged);
}

function targetsTable(model: ResultsModel): string {
  const rows = (model.mesh?.targets ?? []).map((target) => [target.name, target.target, target.expectMode ?? "-", target.observedMode ?? `none (${target.status})`, String(target.exitCode)]);
  const header = ["target", "address", "expected", "observed", "exit"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** A planned run's verdict on its declarations: a line per disagreeing target with its checks and declaredBy. */
function declaredLines(model: ResultsModel): string {
  const declared = declaredVersusObserved(model);
  if (!declared.length) return "";
  const disagreeing = declared.filter((target) => target.standing === "disagrees");
  return [
    `declared vs observed: ${disagreeing.length} of ${declared.length} planned targets disagree${model.mesh?.undeclared?.length ? ` (${model.mesh.undeclared.length} undeclared, not probed)` : ""}`,
    ...disagreeing.map((target) => `DISAGREES ${target.name}: declared ${target.declaredMode ?? "-"}, observed ${target.observedMode ?? "none"}; checks ${target.disagreeing.join(", ") || "-"}; declared by ${target.declaredBy.join(", ")}`),
  ].join("\n") + "\n";
}

export async function runTargetsCommand(flags: MeshRunFlags): Promise<0 | 1 | 2> {
  const file = await readTargetsFile(flags.targets);
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  const concurrency = parseConcurrency(flags.concurrency);
  const baseline = flags.baseline ? await readResultsFile(flags.baseline, "baseline") : undefined;
  const targets = shard ? shardOf(file.targets, shard) : file.targets;
  const problem = await validateTargetInputs(targets);
  if (problem) throw new MeshInputError(problem);
  const startedAt = performance.now();
  const progress = progressOn(process.stderr);
  const outcomes = await runMesh(targets, { concurrency, onFinished: (outcome, finished, total) => progress.finished(outcome, finished, total) });
  progress.end();
  // Undeclared ports belong to no shard's targets: the unsharded run and shard 0 carry them.
  const undeclared = !shard || shard.index === 0 ? file.undeclared : [];
  const model = meshResultsModel(
    outcomes.map((outcome, index) => ({ ...outcome, expectMode: targets[index]!.settings.expectMode ?? null, declaredBy: targets[index]!.declaredBy })),
    shard,
    undefined,
    undeclared,
  );
  process.stdout.write(`${targetsTable(model)}\n${declaredLines(model)}`);
  return finish(model, flags, "reports", baseline, startedAt);
}

export async function mergeCommand(inputs: string[], flags: MergeFlags): Promise<0 | 1 | 2> {
  if (!inputs.length) throw new MeshInputError('nothing to merge: "mtls-conformance merge IN.json... [--reports DIR] [--json FILE] [--junit FILE] [--summary FILE] [--html FILE]"');
  if (!Object.keys(reportFiles(flags, undefined)).length && !flags.updateBaseline) throw new MeshInputError("merge writes nothing: name --reports DIR or at least one of --json, --junit, --summary, --html");
  const models = await Promise.all(inputs.map(async (file) => ({ file, model: await readResultsFile(file) })));
  const baseline = flags.baseline ? await readResultsFile(flags.baseline, "baseline") : undefined;
  const merged = mergeModels(models, { runs: flags.runs });
  if (merged.mesh) process.stdout.write(`${targetsTable(merged)}\n${declaredLines(merged)}`);
  return finish(merged, flags, undefined, baseline);
}
