// A client run as the results model every report is written from (JUnit, TAP; the JSON is the
// ClientReport itself): one case per scenario row, named `client > <row> > <label> (client)`.
import { verdictTable } from "../report/command-reports.js";
import { resultsModel, type CaseResult, type ResultsModel } from "../report/results.js";
import type { ClientReport, ClientRowResult } from "./run-client.js";

export const clientSuiteFile = "harness/scenarios/client.ts";

export const clientCaseName = (rowId: string, label: string): string => `client > ${rowId} > ${label} (client)`;

const expectedWord = (expected: string) => (expected === "accepted" ? "accepted" : "refused");

function caseOf(row: ClientRowResult, label: string): CaseResult {
  const failing = row.verdict === "fail" || row.verdict === "undetermined";
  return {
    name: clientCaseName(row.id, label),
    file: clientSuiteFile,
    project: "client",
    suitePath: ["client", row.id],
    expected: row.expected,
    observed: row.observed,
    verdict: row.verdict,
    reason: row.verdict === "skipped" ? row.detail : undefined,
    message: failing ? `${row.verdict === "fail" ? "" : `${row.verdict}: `}expected ${expectedWord(row.expected)} (${row.expected}), observed ${row.observed} (${row.detail})` : undefined,
    durationMs: row.durationMs,
    properties: {
      implementation: label,
      runtime: "client",
      scenario: row.title,
      expected: row.expected,
      outcome: row.observed,
      "check-verdict": row.verdict,
      detail: row.detail,
    },
  };
}

export function clientResultsModel(report: ClientReport, generatedAt = new Date()): ResultsModel {
  return resultsModel(report.rows.map((row) => caseOf(row, report.label)), generatedAt);
}

export function clientTable(report: ClientReport): string {
  const mark: Record<string, string> = { pass: "PASS", fail: "FAIL", undetermined: "UNDET", skipped: "SKIP" };
  const rows = report.rows.map((row) => [mark[row.verdict] ?? row.verdict, row.id, `${expectedWord(row.expected)}`, row.observed, row.exitCode === undefined ? (row.observed === "timeout" ? "timeout" : "-") : `exit ${row.exitCode}`]);
  const failing = report.rows.filter((row) => row.verdict === "fail" || row.verdict === "undetermined");
  const passed = report.rows.filter((row) => row.verdict === "pass").length;
  const skipped = report.rows.filter((row) => row.verdict === "skipped").length;
  return [
    `client ${report.label}: ${report.rows.length} scenario(s) on loopback, server name ${report.serverName}, name proxy ${report.proxy}`,
    ...verdictTable(["", "scenario", "expected", "observed", "command"], rows, 6),
    "",
    ...failing.map((row) => `${row.verdict} ${row.id}: ${row.title}; ${row.detail}`),
    `${passed} passed, ${failing.length} failed${skipped ? `, ${skipped} skipped` : ""}`,
  ].join("\n");
}
