// Baselines: a previous results.json against which a run is judged, so that CI fails on a
// regression and not each time a known exception shows up again (TLS-Anvil's expected results,
// x509-limbo's regression diff). Cases are matched by name. A case failing now (fail, error,
// undetermined, unstable; fixed under strict deviations) is known when it failed in the baseline
// too and a regression when it did not or was not there; a case failing in the baseline that
// passes now (pass or other reason only: never known violation, recorded or not probed) is fixed.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isFailing, isPassed } from "../core/case-record.js";
import type { BaselineSummary, CaseResult, ResultsModel } from "./results.js";

export class BaselineError extends Error {}

/** Reads a results.json (of `npm test`, `run --targets` or `merge`); one line on what is wrong. */
export async function readResultsFile(path: string, what = "results file"): Promise<ResultsModel> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new BaselineError(`failed to read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseResultsText(text, path, what);
}

function parseResultsText(text: string, path: string, what: string): ResultsModel {
  let model: unknown;
  try {
    model = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`failed to parse ${what} ${path}: ${(error as Error).message.replace(/\s+/g, " ")}`);
  }
  const cases = (model as Partial<ResultsModel> | null)?.cases;
  if (!Array.isArray(cases) || !cases.every((entry) => typeof entry?.name === "string" && typeof entry?.verdict === "string")) {
    throw new BaselineError(`failed to read ${what} ${path}: not a results.json (expected "cases" with a name and a verdict each)`);
  }
  return model as ResultsModel;
}

let fromEnv: { path: string; model: ResultsModel } | undefined;
/** MTLS_BASELINE for `npm test` (read once per process), or undefined when it is unset. */
export function baselineFromEnv(env: NodeJS.ProcessEnv = process.env): { path: string; model: ResultsModel } | undefined {
  const path = env.MTLS_BASELINE?.trim();
  if (!path) return undefined;
  if (fromEnv?.path !== path) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new BaselineError(`failed to read baseline ${path} (MTLS_BASELINE): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    fromEnv = { path, model: parseResultsText(text, path, "baseline (MTLS_BASELINE)") };
  }
  return fromEnv;
}

/**
 * Under `npm test` with MTLS_BASELINE: whether a case that fails now failed in the baseline too, so
 * its test passes (the reports still show it failing, marked known) and only regressions fail the run.
 */
export function isKnownFailure(caseName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const baseline = baselineFromEnv(env);
  return baseline !== undefined && baseline.model.cases.some((entry) => entry.name === caseName && isFailing(entry.verdict, baseline.model.strictDeviations));
}


/** The model with each case's `baseline` property set where it applies, and the summary. */
export function compareWithBaseline(model: ResultsModel, baseline: ResultsModel, file: string): ResultsModel {
  const before = new Map(baseline.cases.map((entry) => [entry.name, entry]));
  const summary: BaselineSummary = { file, known: [], fixed: [], regressions: [] };
  const cases = model.cases.map((entry) => {
    const { baseline: _previous, ...properties } = entry.properties;
    const earlier = before.get(entry.name);
    const failedBefore = earlier !== undefined && isFailing(earlier.verdict, baseline.strictDeviations);
    let status: "known" | "fixed" | "regression" | undefined;
    if (isFailing(entry.verdict, model.strictDeviations)) status = failedBefore ? "known" : "regression";
    else if (failedBefore && isPassed(entry.verdict)) status = "fixed";
    if (!status) return { ...entry, properties };
    summary[status === "regression" ? "regressions" : status].push(entry.name);
    return { ...entry, properties: { ...properties, baseline: status } };
  });
  return { ...model, baseline: summary, cases };
}

/** One line over the comparison, for the end of a run. */
export function baselineLine(summary: BaselineSummary): string {
  return `against baseline ${summary.file}: ${summary.regressions.length} regressions, ${summary.known.length} known failures, ${summary.fixed.length} fixed`;
}
