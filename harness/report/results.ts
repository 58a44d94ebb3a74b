// The one results model every report is generated from: one entry per vitest test case, with the
// properties the test annotated (implementation, runtime, expected, observed, ...), and what the
// run detected on the machine (which implementations played, which were missing and why).
import type { HostReport } from "../host-report.js";

export type Verdict = "pass" | "fail" | "advisory" | "skipped";

export interface CaseResult {
  /** `<area> > <scenario> > <implementation> (<runtime>)` for conformance cases. */
  name: string;
  /** The test file, relative to the project root. */
  file: string;
  project: string;
  /** The describe levels above the test: area, then scenario id, for conformance cases. */
  suitePath: string[];
  verdict: Verdict;
  /** Why: the skip note, the advisory or deviation reason. */
  reason?: string;
  /** The failure message (expected and observed). */
  message?: string;
  durationMs: number;
  /** Everything the test annotated, by annotation type. */
  properties: Record<string, string>;
}

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
  const properties: Record<string, string> = {};
  for (const annotation of testCase.annotations()) properties[annotation.type] = annotation.message;
  const suitePath = suitePathOf(testCase);
  const verdict: Verdict =
    result.state === "failed" ? "fail" : result.state === "skipped" || result.state === "pending" ? "skipped" : properties.verdict === "advisory" ? "advisory" : "pass";
  const file = testCase.module.moduleId.startsWith(root) ? testCase.module.moduleId.slice(root.length + 1) : testCase.module.moduleId;
  return {
    name: [...suitePath, testCase.name].join(" > "),
    file,
    project: testCase.module.project.name,
    suitePath,
    verdict,
    reason: result.note ?? properties.advisory,
    message: result.errors?.map((error) => error.message ?? String(error)).join("\n") || undefined,
    durationMs: testCase.diagnostic()?.duration ?? 0,
    properties,
  };
}

export function resultsModel(cases: CaseResult[], generatedAt = new Date(), host?: HostReport): ResultsModel {
  const totals: Record<Verdict, number> = { pass: 0, fail: 0, advisory: 0, skipped: 0 };
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
