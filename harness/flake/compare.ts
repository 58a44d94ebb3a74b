// Compares repeated runs of the same suites: a case whose verdict or observed outcome is not the
// same in every run of its runtime is a flake, whatever the verdicts were. Pure, so the flake
// command's judgement is unit tested without running the suites.
import type { CaseResult, ResultsModel, Verdict } from "../report/results.js";
import type { RuntimeName } from "../runtime/types.js";

export interface RunRecord {
  runtime: RuntimeName;
  /** 1-based, per runtime. */
  run: number;
  exitCode: number | undefined;
  durationMs: number;
  model: ResultsModel;
}

/** One distinct result a case had: its verdict and outcome, in which runs, and what was seen. */
export interface CaseVariant {
  verdict: Verdict | "absent";
  outcome?: string;
  count: number;
  runs: number[];
  /** The distinct evidence (the failure message, or the observation) of this variant. */
  evidence: string[];
}

export interface ChangedCase {
  runtime: RuntimeName;
  name: string;
  variants: CaseVariant[];
}

export interface FlakeReport {
  generatedAt: string;
  runs: Array<{ runtime: RuntimeName; run: number; exitCode: number | undefined; durationMs: number; totals: ResultsModel["totals"]; cases: number }>;
  /** Per runtime: how many runs and distinct cases were compared, and how many changed. */
  summary: Array<{ runtime: RuntimeName; runs: number; cases: number; changed: number }>;
  changed: ChangedCase[];
}

// At most this many distinct evidence texts per variant: a timing-dependent message differs in
// every run, and three show the pattern.
const evidenceKept = 3;

function evidenceOf(entry: CaseResult): string | undefined {
  return entry.message ?? entry.properties.evidence ?? entry.reason;
}

const variantKey = (verdict: string, outcome: string | undefined) => `${verdict}\u0000${outcome ?? ""}`;

export function compareRuns(records: RunRecord[], generatedAt = new Date()): FlakeReport {
  const runtimes = [...new Set(records.map((record) => record.runtime))];
  const changed: ChangedCase[] = [];
  const summary: FlakeReport["summary"] = [];
  for (const runtime of runtimes) {
    const runs = records.filter((record) => record.runtime === runtime);
    const names = [...new Set(runs.flatMap((record) => record.model.cases.map((entry) => entry.name)))];
    let changedHere = 0;
    for (const name of names) {
      const variants = new Map<string, CaseVariant>();
      for (const record of runs) {
        const entry = record.model.cases.find((candidate) => candidate.name === name);
        const verdict = entry?.verdict ?? "absent";
        const outcome = entry?.properties.outcome;
        const key = variantKey(verdict, outcome);
        const variant = variants.get(key) ?? { verdict, ...(outcome === undefined ? {} : { outcome }), count: 0, runs: [], evidence: [] };
        variant.count++;
        variant.runs.push(record.run);
        const evidence = entry ? evidenceOf(entry) : undefined;
        if (evidence !== undefined && !variant.evidence.includes(evidence) && variant.evidence.length < evidenceKept) variant.evidence.push(evidence);
        variants.set(key, variant);
      }
      if (variants.size > 1) {
        changedHere++;
        changed.push({ runtime, name, variants: [...variants.values()].sort((a, b) => b.count - a.count) });
      }
    }
    summary.push({ runtime, runs: runs.length, cases: names.length, changed: changedHere });
  }
  return {
    generatedAt: generatedAt.toISOString(),
    runs: records.map((record) => ({
      runtime: record.runtime,
      run: record.run,
      exitCode: record.exitCode,
      durationMs: Math.round(record.durationMs),
      totals: record.model.totals,
      cases: record.model.cases.length,
    })),
    summary,
    changed,
  };
}
