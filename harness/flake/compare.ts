// Compares repeated runs of the same suites: a case whose verdict or observed outcome is not the
// same in every run of its runtime is a flake, whatever the verdicts were, with one exception: a
// case whose recorded deviation is declared intermittent (property intermittent=yes) may flip
// between pass and that deviation, and its rate is reported. A case that was an error in any run
// is reported apart: the harness could not play it, so the runs prove nothing about it. Pure, so
// the flake command's judgement is unit tested without running the suites.
import { causeOf, type CaseResult, type ResultsModel, type Verdict } from "../report/results.js";
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

/** A case declared intermittent: in how many of its runs the deviation happened. */
export interface IntermittentCase {
  runtime: RuntimeName;
  name: string;
  /** The deviation's status when it happened (known-violation or other-reason); undefined when it never did. */
  status?: Verdict;
  deviated: number;
  runs: number;
  /** Whether the case's variants were only pass and that one deviation (else it is in changed too). */
  allowed: boolean;
}

/** A case the harness could not play in some run. */
export interface ErrorCase {
  runtime: RuntimeName;
  name: string;
  runs: number[];
  /** The distinct causes. */
  evidence: string[];
}

export interface FlakeReport {
  generatedAt: string;
  runs: Array<{ runtime: RuntimeName; run: number; exitCode: number | undefined; durationMs: number; totals: ResultsModel["totals"]; cases: number }>;
  /** Per runtime: how many runs and distinct cases were compared, how many changed, how many are declared intermittent, how many were an error in some run. */
  summary: Array<{ runtime: RuntimeName; runs: number; cases: number; changed: number; intermittent: number; errors: number }>;
  changed: ChangedCase[];
  intermittent: IntermittentCase[];
  errors: ErrorCase[];
}

const deviationStatuses: readonly Verdict[] = ["known-violation", "other-reason"];

/** An intermittent case's allowed variants: pass with one outcome, and one deviation with one outcome. */
function onlyPassAndDeviation(variants: CaseVariant[]): boolean {
  const passes = variants.filter((variant) => variant.verdict === "pass").length;
  const deviations = variants.filter((variant) => deviationStatuses.includes(variant.verdict as Verdict)).length;
  return passes <= 1 && deviations <= 1 && passes + deviations === variants.length;
}

/** One line per intermittent case, e.g. "caddy rotation-live ...: known-violation 2/10 runs". */
export function intermittentLine(entry: IntermittentCase): string {
  return `${entry.name}: ${entry.status ?? "deviation"} ${entry.deviated}/${entry.runs} runs${entry.allowed ? "" : " (and other changes: see changed)"}`;
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
  const intermittent: IntermittentCase[] = [];
  const errors: ErrorCase[] = [];
  const summary: FlakeReport["summary"] = [];
  for (const runtime of runtimes) {
    const runs = records.filter((record) => record.runtime === runtime);
    const names = [...new Set(runs.flatMap((record) => record.model.cases.map((entry) => entry.name)))];
    let changedHere = 0;
    let intermittentHere = 0;
    let errorsHere = 0;
    for (const name of names) {
      const variants = new Map<string, CaseVariant>();
      let declaredIntermittent = false;
      const error: ErrorCase = { runtime, name, runs: [], evidence: [] };
      for (const record of runs) {
        const entry = record.model.cases.find((candidate) => candidate.name === name);
        if (entry?.properties.intermittent === "yes") declaredIntermittent = true;
        if (entry?.verdict === "error") {
          error.runs.push(record.run);
          const cause = causeOf(entry);
          if (!error.evidence.includes(cause) && error.evidence.length < evidenceKept) error.evidence.push(cause);
        }
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
      const sorted = [...variants.values()].sort((a, b) => b.count - a.count);
      const allowed = declaredIntermittent && onlyPassAndDeviation(sorted);
      if (declaredIntermittent) {
        intermittentHere++;
        const deviation = sorted.find((variant) => deviationStatuses.includes(variant.verdict as Verdict));
        intermittent.push({ runtime, name, ...(deviation ? { status: deviation.verdict as Verdict } : {}), deviated: deviation?.count ?? 0, runs: runs.length, allowed });
      }
      if (variants.size > 1 && !allowed) {
        changedHere++;
        changed.push({ runtime, name, variants: sorted });
      }
      if (error.runs.length) {
        errorsHere++;
        errors.push(error);
      }
    }
    summary.push({ runtime, runs: runs.length, cases: names.length, changed: changedHere, intermittent: intermittentHere, errors: errorsHere });
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
    intermittent,
    errors,
  };
}
