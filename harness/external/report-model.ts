// An external run as the results model every report is written from (JUnit, JSON, TAP): one case
// per check, named `external > <check> > <target> (external)` like the conformance cases.
import type { RecordProperty } from "../report/case-properties.js";
import { resultsModel, type CaseResult, type ResultsModel } from "../report/results.js";
import { statusLabel, type CheckVerdict } from "../core/case-record.js";
import type { CheckResult, ExternalReport } from "./run-checks.js";

export const externalSuiteFile = "suites/external.test.ts";

export function externalCaseName(checkId: string, target: string): string {
  return `external > ${checkId} > ${target} (external)`;
}

/** The failure message of a check that did not pass: what was expected, what was seen, and why. */
export function checkMessage(check: CheckResult): string {
  const verdict = check.verdict === "fail" ? "" : `${check.verdict}: `;
  return `${verdict}expected ${check.expected}, observed ${check.observed} (${check.detail})`;
}

/**
 * Records a check's result as its vitest case's properties (the suites' side of checkCase below),
 * and says whether the case is judged: a check not probed, or recorded only, is neither a pass nor
 * a failure, and the reports take its status from check-verdict.
 */
export function recordCheck(record: RecordProperty, check: CheckResult): boolean {
  record("expected", check.expected);
  record("outcome", check.observed);
  record("check-verdict", check.verdict);
  record("detail", check.detail);
  return check.verdict !== "not-probed" && check.verdict !== "recorded";
}

/** A mesh case: `mesh > <target name> > <check>`, a row per target and a column per check in the matrix. */
export function meshCaseName(targetName: string, checkId: string): string {
  return `mesh > ${targetName} > ${checkId}`;
}

/** One check as a case; with `targetName` (a mesh run) it is named and placed by the target's name. */
export function checkCase(check: CheckResult, target: string, targetName?: string): CaseResult {
  const mesh = targetName !== undefined;
  return {
    name: mesh ? meshCaseName(targetName, check.id) : externalCaseName(check.id, target),
    file: externalSuiteFile,
    project: "external",
    suitePath: mesh ? ["mesh", targetName] : ["external", check.id],
    expected: check.expected,
    observed: check.observed,
    // The check's own verdict: undetermined and unstable stay what they are, and fail the run.
    verdict: check.verdict,
    message: check.verdict === "pass" ? undefined : checkMessage(check),
    durationMs: 0,
    properties: {
      implementation: target,
      runtime: "external",
      expected: check.expected,
      outcome: check.observed,
      "check-verdict": check.verdict,
      ...(check.tlsVersion ? { "tls-version": check.tlsVersion } : {}),
      ...(check.answer ? { answer: check.answer } : {}),
      ...(check.reason ? { reason: check.reason } : {}),
      detail: check.detail,
      ...(mesh ? { target: targetName, check: check.id } : {}),
    },
  };
}

export function externalResultsModel(report: ExternalReport, generatedAt = new Date()): ResultsModel {
  return resultsModel(report.checks.map((check) => checkCase(check, report.target)), generatedAt);
}

/** "N passed, N failed", then each other status apart ("6 not probed, 1 recorded"): only pass counts as passed. */
export function summaryLine(verdicts: CheckVerdict[]): string {
  const count = (verdict: CheckVerdict) => verdicts.filter((each) => each === verdict).length;
  const others = (["undetermined", "unstable", "error", "not-probed", "recorded"] as const).filter((verdict) => count(verdict) > 0).map((verdict) => `${count(verdict)} ${statusLabel(verdict)}`);
  return [`${count("pass")} passed`, `${count("fail")} failed`, ...others].join(", ");
}
