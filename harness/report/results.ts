// The one results model every report is generated from: one entry per vitest test case, with the
// properties the test recorded (implementation, runtime, expected, observed, ...), and what the
// run detected on the machine (which implementations played, which were missing and why).
import { isFailing, statusLabel, verdicts, type CaseRecord, type CaseProperty, type Verdict } from "../core/case-record.js";
import type { HostReport } from "../host/report.js";

export type { Verdict };

/** One case of a report: the shared case record (harness/core/case-record.ts). */
export type CaseResult = CaseRecord;

/** A case's properties, in the order the case set them (the order the reports list them). */
export type CaseProperties = CaseRecord["properties"];

/** What a case keeps in vitest's task metadata (harness/report/case-properties.ts writes it). */
export interface CasePropertiesMeta {
  caseProperties?: CaseProperties;
}

export interface ResultsModel {
  generatedAt: string;
  /** Every status's count; a results.json written before a status existed lacks its key (read as 0). */
  totals: Record<Verdict, number>;
  /** MTLS_STRICT_DEVIATIONS was set: a fixed case failed its test and fails the run. Absent: not strict. */
  strictDeviations?: boolean;
  /** Implementations present, missing and not selected; test tools; the container engine. */
  host?: HostReport;
  /** A merged model: the host of each run that had one (a process and a container run). */
  hosts?: HostReport[];
  /** A mesh run (mtls-conformance run --targets): each target's run in one line. */
  mesh?: MeshSummary;
  /** The comparison with a baseline, when one was given (harness/report/baseline.ts). */
  baseline?: BaselineSummary;
  cases: CaseResult[];
}

export interface MeshTargetSummary {
  name: string;
  target: string;
  /** judged, no-control, control-lost, unreachable, or not-run (no report: the problem says why). */
  status: string;
  expectMode: string | null;
  observedMode: string | null;
  /** The single-target exit status of this target's run (docs/external.md "Exit status"). */
  exitCode: 0 | 1 | 2;
  problem?: string;
  durationMs: number;
  /** A planned target's (mtls-conformance plan): the objects its expectations were declared by. */
  declaredBy?: string[];
  /** The certificate on the target's expiry horizon that expires first (docs/external.md "server::expiry"); absent: no chain was read. */
  nearestExpiry?: { role: string; subject: string; serial: string; notAfter: string };
}

export interface MeshSummary {
  /** The shards this model covers, e.g. ["0/4"]; empty for an unsharded run. */
  shards: string[];
  targets: MeshTargetSummary[];
  /** A planned file's Service ports whose policy could not be told, with the reason. */
  undeclared?: Array<{ name: string; reason: string; declaredBy?: string[] }>;
}

/** A planned target: what was declared against what the wire showed. */
export interface DeclaredVersusObserved {
  name: string;
  target: string;
  declaredMode: string | null;
  observedMode: string | null;
  declaredBy: string[];
  /** The checks whose declared expectation the endpoint did not meet (verdict fail). */
  disagreeing: string[];
  /** agrees: mode and every check as declared; disagrees; not-judged: no mode observed and no check failed. */
  standing: "agrees" | "disagrees" | "not-judged";
}

/** Every planned target (one with declaredBy) of a mesh run, in the run's order. */
export function declaredVersusObserved(model: Pick<ResultsModel, "cases" | "mesh">): DeclaredVersusObserved[] {
  return (model.mesh?.targets ?? []).filter((target) => target.declaredBy?.length).map((target) => {
    const prefix = `mesh > ${target.name} > `;
    const disagreeing = model.cases.filter((entry) => entry.name.startsWith(prefix) && entry.verdict === "fail").map((entry) => entry.properties.check ?? entry.name.slice(prefix.length));
    const modeDiffers = target.observedMode !== null && target.expectMode !== null && target.observedMode !== target.expectMode;
    const standing = disagreeing.length || modeDiffers ? "disagrees" : target.observedMode === null ? "not-judged" : "agrees";
    return { name: target.name, target: target.target, declaredMode: target.expectMode, observedMode: target.observedMode, declaredBy: target.declaredBy!, disagreeing, standing };
  });
}

export interface BaselineSummary {
  /** The baseline file as given. */
  file: string;
  /** Case names failing now and in the baseline. */
  known: string[];
  /** Case names failing in the baseline and passing now. */
  fixed: string[];
  /** Case names failing now that passed in the baseline or were not in it. */
  regressions: string[];
}

/** The part of vitest's TestCase the model reads (vitest/node's reporter API). */
export interface ReportedTestCase {
  name: string;
  module: { moduleId: string; project: { name: string } };
  parent: { type: string; name?: string; parent?: unknown };
  result(): { state: string; errors?: ReadonlyArray<{ message?: string; name?: string }>; note?: string };
  meta(): CasePropertiesMeta;
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

const isVerdict = (text: string | undefined): text is Verdict => text !== undefined && (verdicts as readonly string[]).includes(text);

/**
 * A case's status from vitest's state and the verdict it recorded. A failed test is what its
 * verdict property says only when that status fails a test (fail, error, undetermined, unstable; fixed
 * under strict deviations); without one, or with one that does not fail a test (a pass followed by
 * a thrown exception), the harness did not finish the case: error, never the stack's fail. A test
 * that passed keeps its verdict: "fail" there is a known failure of MTLS_BASELINE.
 */
export function statusOf(state: string, recorded: string | undefined, strictDeviations = false): Verdict {
  if (state === "skipped" || state === "pending") return "skipped";
  const verdict = isVerdict(recorded) ? recorded : undefined;
  if (state === "failed") return verdict !== undefined && isFailing(verdict, strictDeviations) ? verdict : "error";
  return verdict ?? "pass";
}

/**
 * A case's properties: those its task's metadata carries, then its annotations (a failed case
 * annotates the same properties for vitest's console; a suite that still annotates is read alike).
 */
export function propertiesOf(testCase: Pick<ReportedTestCase, "meta" | "annotations">): CaseProperties {
  const properties: CaseProperties = { ...testCase.meta().caseProperties };
  for (const annotation of testCase.annotations()) properties[annotation.type as CaseProperty] = annotation.message;
  return properties;
}

export function caseResult(testCase: ReportedTestCase, root: string, strictDeviations = false): CaseResult {
  const result = testCase.result();
  const properties = propertiesOf(testCase);
  const suitePath = suitePathOf(testCase);
  // An external check records its own verdict as check-verdict; a conformance case as verdict.
  const verdict = statusOf(result.state, properties["check-verdict"] ?? properties.verdict, strictDeviations);
  const file = testCase.module.moduleId.startsWith(root) ? testCase.module.moduleId.slice(root.length + 1) : testCase.module.moduleId;
  return {
    name: [...suitePath, testCase.name].join(" > "),
    file,
    project: testCase.module.project.name,
    suitePath,
    expected: properties.expected,
    observed: properties.outcome,
    verdict,
    reason: result.note ?? properties.deviation ?? properties.advisory,
    message: result.errors?.map((error) => error.message ?? String(error)).join("\n") || undefined,
    durationMs: testCase.diagnostic()?.duration ?? 0,
    properties,
  };
}

export function resultsModel(cases: CaseResult[], generatedAt = new Date(), host?: HostReport, strictDeviations?: boolean): ResultsModel {
  const totals = Object.fromEntries(verdicts.map((verdict) => [verdict, 0])) as Record<Verdict, number>;
  // A status this version does not know (a newer file) is still counted under its own name.
  for (const entry of cases) totals[entry.verdict] = (totals[entry.verdict] ?? 0) + 1;
  return { generatedAt: generatedAt.toISOString(), totals, ...(strictDeviations === undefined ? {} : { strictDeviations }), ...(host ? { host } : {}), cases };
}

/** A status's count, 0 when an older results.json has no key for it. */
export const countOf = (model: Pick<ResultsModel, "totals">, verdict: Verdict): number => model.totals[verdict] ?? 0;

/**
 * The counts line of every report: pass and fail always, each other status when it occurred, in
 * statusTable's order, e.g. "3 pass, 1 fail, 2 known violation, 1 error, 4 skipped".
 */
export function countsLine(model: Pick<ResultsModel, "totals" | "strictDeviations">): string {
  const parts = verdicts.filter((verdict) => verdict === "pass" || verdict === "fail" || countOf(model, verdict) > 0).map((verdict) => `${countOf(model, verdict)} ${statusLabel(verdict)}`);
  return `${parts.join(", ")}${model.strictDeviations ? " (strict deviations: fixed fails)" : ""}`;
}

/** What a case's status rests on: the cause of an error (its evidence when it recorded one), the failure message, or the recorded reason. */
export function causeOf(entry: CaseResult): string {
  if (entry.verdict === "error" && entry.properties.verdict === "error") return entry.properties.evidence ?? entry.message ?? "error";
  return entry.message ?? entry.properties.evidence ?? entry.reason ?? statusLabel(entry.verdict);
}

/**
 * A run's exit status from its cases, as the command's: 1 when a determined case failed (fail, or
 * fixed under strict deviations), 2 when a case could not be judged or played (error,
 * undetermined, unstable), else 0. Against a baseline, 1 only for regressions. A planned target
 * (declaredBy) that disagrees with its declaration is 1 in any case.
 */
export function exitCodeOf(model: Pick<ResultsModel, "cases" | "baseline" | "strictDeviations" | "mesh">): 0 | 1 | 2 {
  // What was declared and is not what the wire shows fails the run, whatever a baseline knows.
  if (declaredVersusObserved(model).some((target) => target.standing === "disagrees")) return 1;
  if (model.baseline) return model.baseline.regressions.length ? 1 : 0;
  if (model.cases.some((entry) => entry.verdict === "fail" || (model.strictDeviations && entry.verdict === "fixed"))) return 1;
  return model.cases.some((entry) => isFailing(entry.verdict)) ? 2 : 0;
}

/** A conformance cell: one scenario (row) x one implementation on one runtime (column); for a mesh, one target (row) x one check (column). */
export interface MatrixCell {
  area: string;
  scenario: string;
  column: string;
  result: CaseResult;
}

/** Where a case sits in the matrix: a mesh case by target and check, a conformance case by scenario and implementation (runtime). */
function cellOf(entry: CaseResult): MatrixCell {
  const { target, check, implementation, runtime } = entry.properties;
  if (target !== undefined && check !== undefined) return { area: entry.suitePath[0]!, scenario: target, column: check, result: entry };
  return { area: entry.suitePath[0]!, scenario: entry.suitePath[entry.suitePath.length - 1]!, column: `${implementation} (${runtime ?? "?"})`, result: entry };
}

/** The cases that form the matrix: those that name an implementation (or, for a mesh, a target). */
export function matrixCells(model: ResultsModel): MatrixCell[] {
  return model.cases.filter((entry) => entry.properties.implementation !== undefined && entry.suitePath.length >= 2).map(cellOf);
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
