// Merging results models: the shards of a mesh run, or the process and the container runs of the
// conformance matrix, into one model every report is written from. Shards are disjoint: a case in
// two inputs is two runs of it, and the merge refuses it. Runs (`runs: true`, e.g. `npm test` and
// `npm run test:containers`) repeat the runtime-independent tests: a case in several inputs is kept
// once per input, its name suffixed with the input's runtime, as the conformance cells are.
import { basename } from "node:path";
import { resultsModel, type BaselineSummary, type CaseResult, type ResultsModel } from "./results.js";

export class MergeError extends Error {}

export interface NamedModel {
  /** Where the model came from, for errors. */
  file: string;
  model: ResultsModel;
}

/** What tells one run from another in a repeated case's name: its runtime, else its file name. */
const runLabel = ({ file, model }: NamedModel): string => model.host?.runtime ?? basename(file, ".json");

export function mergeModels(inputs: readonly NamedModel[], options: { runs?: boolean; generatedAt?: Date } = {}): ResultsModel {
  if (!inputs.length) throw new MergeError("nothing to merge: name at least one results.json");
  const seen = new Map<string, string[]>();
  for (const { file, model } of inputs) {
    for (const entry of model.cases) {
      // A name twice in one input is two tests vitest let share a name: kept as they are.
      const earlier = (seen.get(entry.name) ?? []).filter((other) => other !== file);
      if (earlier.length && !options.runs) throw new MergeError(`failed to merge ${file}: case "${entry.name}" is also in ${earlier[0]} (shards must be disjoint; for two runs of the same tests, pass --runs)`);
      seen.set(entry.name, [...earlier, file]);
    }
  }
  if (options.runs) {
    const labels = inputs.map(runLabel);
    if (new Set(labels).size !== labels.length) throw new MergeError(`failed to merge runs: two inputs are runs of the same runtime (${labels.join(", ")}); their repeated cases could not be told apart`);
  }
  const cases = inputs.flatMap((input) =>
    input.model.cases.map((entry): CaseResult => (new Set(seen.get(entry.name)).size > 1 ? { ...entry, name: `${entry.name} (${runLabel(input)})` } : entry)),
  );
  // Totals are counted again over every status, so an older input (with advisory, without the
  // newer statuses' keys) merges too. Strict when any input was: its fixed cases failed their tests.
  const strict = inputs.some(({ model }) => model.strictDeviations === true);
  const merged = resultsModel(cases, options.generatedAt ?? new Date(), undefined, inputs.some(({ model }) => model.strictDeviations !== undefined) ? strict : undefined);
  const hosts = inputs.flatMap(({ model }) => model.hosts ?? (model.host ? [model.host] : []));
  if (hosts.length === 1) merged.host = hosts[0];
  else if (hosts.length > 1) merged.hosts = hosts;
  const meshes = inputs.flatMap(({ model }) => (model.mesh ? [model.mesh] : []));
  if (meshes.length) {
    const undeclared = [...new Map(meshes.flatMap((mesh) => mesh.undeclared ?? []).map((entry) => [entry.name, entry])).values()];
    merged.mesh = { shards: meshes.flatMap((mesh) => mesh.shards), targets: meshes.flatMap((mesh) => mesh.targets), ...(undeclared.length ? { undeclared } : {}) };
  }
  // Shards compared with one baseline keep their comparison; a merge with --baseline redoes it.
  const baselines = inputs.flatMap(({ model }) => (model.baseline ? [model.baseline] : []));
  if (baselines.length) {
    const union = (key: keyof Omit<BaselineSummary, "file">) => baselines.flatMap((summary) => summary[key]);
    merged.baseline = { file: [...new Set(baselines.map((summary) => summary.file))].join(", "), known: union("known"), fixed: union("fixed"), regressions: union("regressions") };
  }
  return merged;
}
