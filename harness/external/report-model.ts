// An external run as the results model every report is written from (JUnit, JSON, TAP): one case
// per check, named `external > <check> > <target> (external)` like the conformance cases.
import { resultsModel, type CaseResult, type ResultsModel } from "../report/results.js";
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

function caseOf(check: CheckResult, target: string): CaseResult {
  return {
    name: externalCaseName(check.id, target),
    file: externalSuiteFile,
    project: "external",
    suitePath: ["external", check.id],
    expected: check.expected,
    observed: check.observed,
    // The check's own verdict: undetermined and unstable stay what they are, and fail the run.
    verdict: check.verdict,
    message: check.pass ? undefined : checkMessage(check),
    durationMs: 0,
    properties: {
      implementation: target,
      runtime: "external",
      expected: check.expected,
      outcome: check.observed,
      "check-verdict": check.verdict,
      ...(check.answer ? { answer: check.answer } : {}),
      ...(check.reason ? { reason: check.reason } : {}),
      detail: check.detail,
    },
  };
}

export function externalResultsModel(report: ExternalReport, generatedAt = new Date()): ResultsModel {
  return resultsModel(report.checks.map((check) => caseOf(check, report.target)), generatedAt);
}
