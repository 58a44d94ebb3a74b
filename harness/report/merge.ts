// Merging results models: the shards of a mesh run, or the process and the container runs of the
// conformance matrix, into one model every report is written from. A case may appear in one input
// only: two inputs with the same case are two runs of it, not shards, and the merge refuses them.
import { resultsModel, type BaselineSummary, type ResultsModel } from "./results.js";

export class MergeError extends Error {}

export interface NamedModel {
  /** Where the model came from, for errors. */
  file: string;
  model: ResultsModel;
}

export function mergeModels(inputs: readonly NamedModel[], generatedAt = new Date()): ResultsModel {
  if (!inputs.length) throw new MergeError("nothing to merge: name at least one results.json");
  const seen = new Map<string, string>();
  for (const { file, model } of inputs) {
    for (const entry of model.cases) {
      const earlier = seen.get(entry.name);
      if (earlier !== undefined) throw new MergeError(`failed to merge ${file}: case "${entry.name}" is also in ${earlier} (the inputs must be disjoint, e.g. the shards of one run)`);
      seen.set(entry.name, file);
    }
  }
  const merged = resultsModel(inputs.flatMap(({ model }) => model.cases), generatedAt);
  const hosts = inputs.flatMap(({ model }) => model.hosts ?? (model.host ? [model.host] : []));
  if (hosts.length === 1) merged.host = hosts[0];
  else if (hosts.length > 1) merged.hosts = hosts;
  const meshes = inputs.flatMap(({ model }) => (model.mesh ? [model.mesh] : []));
  if (meshes.length) merged.mesh = { shards: meshes.flatMap((mesh) => mesh.shards), targets: meshes.flatMap((mesh) => mesh.targets) };
  // Shards compared with one baseline keep their comparison; a merge with --baseline redoes it.
  const baselines = inputs.flatMap(({ model }) => (model.baseline ? [model.baseline] : []));
  if (baselines.length) {
    const union = (key: keyof Omit<BaselineSummary, "file">) => baselines.flatMap((summary) => summary[key]);
    merged.baseline = { file: [...new Set(baselines.map((summary) => summary.file))].join(", "), known: union("known"), fixed: union("fixed"), regressions: union("regressions") };
  }
  return merged;
}
