// The one results model every report is generated from: one entry per vitest test case, with the
// properties the test annotated (implementation, runtime, expected, observed, ...), and what the
// run detected on the machine (which implementations played, which were missing and why).
import { verdicts, type CaseRecord, type CaseProperty, type Verdict } from "../case-record.js";
import type { HostReport } from "../host-report.js";

export type { Verdict };

/** One case of a report: the shared case record (harness/case-record.ts). */
export type CaseResult = CaseRecord;

export interface ResultsModel {
  generatedAt: string;
  totals: Record<Verdict, number>;
  /** Implementations present, missing and not selected; test tools; the container engine. */
  host?: HostReport;
  cases: CaseResult[];
}

/** The part of vitest's TestCase the model reads (vitest/node's reporter API). */
export interface ReportedTestCase {
  name: string;
  module: { moduleId: string; project: { name: string } };
  parent: { type: string; name?: string; parent?: unknown };
  result(): { state: string; errors?: ReadonlyArray<{ message?: string; name?: string }>; note?: string };
  annotations(): ReadonlyArray<{ type: string; message: string }>;
  diagnostic(): { duration: number } | undefined;
}

function suitePathOf(testCase: ReportedTestCase): string[] {
  const path: string[] = [];
  let node = testCase.parent as { type: string; name?: string; parent?: unknown } | undefined;
  while (node && node.type === "suite") {
    path.unshift(node.name ?? "");
    node = node.parent as typeof node;
  }
  return path;
}

export function caseResult(testCase: ReportedTestCase, root: string): CaseResult {
  const result = testCase.result();
  const properties: CaseResult["properties"] = {};
  for (const annotation of testCase.annotations()) properties[annotation.type as CaseProperty] = annotation.message;
  const suitePath = suitePathOf(testCase);
  // An external check annotates its own verdict (undetermined and unstable fail the test too).
  const checkVerdict = verdicts.find((verdict) => verdict === properties["check-verdict"]);
  const verdict: Verdict =
    result.state === "skipped" || result.state === "pending"
      ? "skipped"
      : checkVerdict ?? (result.state === "failed" ? "fail" : properties.verdict === "advisory" ? "advisory" : "pass");
  const file = testCase.module.moduleId.startsWith(root) ? testCase.module.moduleId.slice(root.length + 1) : testCase.module.moduleId;
  return {
    name: [...suitePath, testCase.name].join(" > "),
    file,
    project: testCase.module.project.name,
    suitePath,
    expected: properties.expected,
    observed: properties.outcome,
    verdict,
    reason: result.note ?? properties.advisory,
    message: result.errors?.map((error) => error.message ?? String(error)).join("\n") || undefined,
    durationMs: testCase.diagnostic()?.duration ?? 0,
    properties,
  };
}

export function resultsModel(cases: CaseResult[], generatedAt = new Date(), host?: HostReport): ResultsModel {
  const totals = Object.fromEntries(verdicts.map((verdict) => [verdict, 0])) as Record<Verdict, number>;
  for (const entry of cases) totals[entry.verdict]++;
  return { generatedAt: generatedAt.toISOString(), totals, ...(host ? { host } : {}), cases };
}

/** A conformance cell: one scenario (row) x one implementation on one runtime (column). */
export interface MatrixCell {
  area: string;
  scenario: string;
  column: string;
  result: CaseResult;
}

/** The cases that form the scenario x implementation matrix: those that name an implementation. */
export function matrixCells(model: ResultsModel): MatrixCell[] {
  return model.cases
    .filter((entry) => entry.properties.implementation !== undefined && entry.suitePath.length >= 2)
    .map((entry) => ({
      area: entry.suitePath[0]!,
      scenario: entry.suitePath[entry.suitePath.length - 1]!,
      column: `${entry.properties.implementation} (${entry.properties.runtime ?? "?"})`,
      result: entry,
    }));
}

/** Rows and columns in first-seen order, and the cells by row and column. */
export function matrixLayout(cells: MatrixCell[]): { areas: Map<string, string[]>; columns: string[]; at: (scenario: string, column: string) => MatrixCell | undefined } {
  const areas = new Map<string, string[]>();
  const columns: string[] = [];
  const byKey = new Map<string, MatrixCell>();
  for (const cell of cells) {
    const scenarios = areas.get(cell.area) ?? [];
    if (!scenarios.includes(cell.scenario)) scenarios.push(cell.scenario);
    areas.set(cell.area, scenarios);
    if (!columns.includes(cell.column)) columns.push(cell.column);
    byKey.set(`${cell.scenario}\u0000${cell.column}`, cell);
  }
  return { areas, columns, at: (scenario, column) => byKey.get(`${scenario}\u0000${column}`) };
}
