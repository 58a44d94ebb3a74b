// The one record of a case that the conformance suites, the external checks and every report
// share: what was expected, what was observed, the verdict, and the properties annotated on it.
// One Verdict type covers both kinds of case; docs/external.md describes the external ones.

/**
 * Every status a case can have, in one place; every report (table, JSON, JUnit, TAP, summary.md,
 * matrix.html, baselines, merge) reads its label, how it counts and its JUnit mark from here.
 *
 * pass: the policy's outcome was observed. fail: another outcome was observed and none is
 * recorded for this stack. known-violation: the policy is not met, as recorded for this stack with
 * a reason and a reference (never counted as passed). other-reason: the policy is met (a refusal)
 * but for another reason than the row's, as recorded. fixed: a recorded deviation did not happen
 * (a failure under --strict-deviations / MTLS_STRICT_DEVIATIONS). error: the harness could not play
 * the case (a peer that did not start, a deadline of ours, an engine error): the run is
 * incomplete, never the stack's fail. skipped: not played (the skip-kind property says whether the
 * stack cannot, our peer does not yet, or it is not installed or selected). not-probed, recorded:
 * an external check with nothing to judge. undetermined, unstable: an external check the oracle
 * could not decide, or whose attempts disagreed. advisory: the former single status for recorded
 * deviations, read from older results.json files only.
 */
export const statusTable = {
  pass: { label: "pass", counts: "passed", junit: "pass" },
  fail: { label: "fail", counts: "failed", junit: "failure" },
  "known-violation": { label: "known violation", counts: "known-violation", junit: "failure-known" },
  "other-reason": { label: "other reason", counts: "passed", junit: "pass" },
  fixed: { label: "fixed", counts: "fixed", junit: "failure-if-strict" },
  error: { label: "error", counts: "failed", junit: "error" },
  skipped: { label: "skipped", counts: "skipped", junit: "skipped" },
  "not-probed": { label: "not probed", counts: "neither", junit: "skipped" },
  recorded: { label: "recorded", counts: "neither", junit: "skipped" },
  undetermined: { label: "undetermined", counts: "failed", junit: "error" },
  unstable: { label: "unstable", counts: "failed", junit: "error" },
  advisory: { label: "advisory", counts: "passed", junit: "pass" },
} as const satisfies Record<string, { label: string; counts: "passed" | "failed" | "known-violation" | "fixed" | "skipped" | "neither"; junit: string }>;

export const verdicts = Object.keys(statusTable) as Array<keyof typeof statusTable>;
export type Verdict = keyof typeof statusTable;
export const statusLabel = (verdict: Verdict): string => statusTable[verdict].label;

/** What judging one conformance case can give (a skip is decided before it is played). */
export type ConformanceVerdict = Extract<Verdict, "pass" | "advisory" | "fail" | "known-violation" | "other-reason" | "fixed" | "error">;
/** What an external check can give (docs/external.md "Checks and verdicts"). */
export type CheckVerdict = Extract<Verdict, "pass" | "fail" | "undetermined" | "unstable" | "recorded" | "not-probed" | "error">;

/** Verdicts that fail a run: a check that could not be judged is not a pass; fixed only under strict deviations. */
export const failingVerdicts: readonly Verdict[] = verdicts.filter((verdict) => statusTable[verdict].counts === "failed");
export const isFailing = (verdict: Verdict, strictDeviations = false): boolean => failingVerdicts.includes(verdict) || (strictDeviations && verdict === "fixed");
/** Counted as passed in a closing line: pass and other-reason only (never not-probed, recorded, known-violation, fixed). */
export const isPassed = (verdict: Verdict): boolean => statusTable[verdict].counts === "passed";

/**
 * The properties of a case, by annotation type (vitest annotations, JUnit <property> names).
 * Every key is optional in a report because a case that failed early annotated only some.
 */
export interface CaseProperties {
  /** The stack (conformance) or target (external) the case ran against. */
  implementation: string;
  /** process, container, or external. */
  runtime: string;
  /** The stack's own version line. */
  version: string;
  /** The row's title. */
  scenario: string;
  /** The policy's expected outcome (conformance) or what the expected mode requires (external). */
  expected: string;
  /** What was observed. */
  outcome: string;
  verdict: Verdict;
  "tls-version": string;
  cipher: string;
  /** Why an advisory or skipped case differs: the recorded reason. */
  advisory: string;
  /** Where the reason is documented. */
  reference: string;
  /** External: the verdict of the check itself (the same as verdict; kept for readers of earlier reports). */
  "check-verdict": string;
  /** External: the answer seen on the first attempt. */
  answer: string;
  /** External: why it was classified so. */
  reason: string;
  /** External: the check's detail line. */
  detail: string;
  /** Conformance: what each side said (the flake report compares runs by it). */
  evidence: string;
  /** Mesh: the target's name in its targets file (the matrix row; one JUnit testsuite per target). */
  target: string;
  /** Mesh: the check's id (the matrix column). */
  check: string;
  /** Against a baseline: known (failed there too), fixed (failed there, not now) or regression (failing now, not there). */
  baseline: string;
  /** Live rotation: per phase and switch, each client population's accepted, refused and failed handshakes. */
  phases: string;
  /** Resumption rows: whether the server resumed the session offered (yes or no). */
  resumed: string;
  /** Skipped cases: stack-cannot, peer-not-yet (our peer program's gap), not-installed or not-selected. */
  "skip-kind": string;
  /** "yes" when the case's recorded deviation is intermittent (the status follows this run). */
  intermittent: string;
}
export type CaseProperty = keyof CaseProperties;

/** Every property key, in the order reports list them: the record type's keys, checked by the compiler. */
export const casePropertyKeys = Object.keys({
  implementation: true,
  runtime: true,
  version: true,
  scenario: true,
  expected: true,
  outcome: true,
  verdict: true,
  "tls-version": true,
  cipher: true,
  advisory: true,
  reference: true,
  "check-verdict": true,
  answer: true,
  reason: true,
  detail: true,
  evidence: true,
  target: true,
  check: true,
  baseline: true,
  phases: true,
  resumed: true,
  "skip-kind": true,
  intermittent: true,
} satisfies Record<CaseProperty, true>) as CaseProperty[];

/** One case: expected, observed, verdict and the properties, whatever suite produced it. */
export interface CaseRecord {
  /** `<area> > <scenario> > <implementation> (<runtime>)`, or `external > <check> > <target> (external)`. */
  name: string;
  /** The test file, relative to the project root. */
  file: string;
  project: string;
  /** The describe levels above the case: area, then scenario id, for conformance cases. */
  suitePath: string[];
  expected?: string;
  observed?: string;
  verdict: Verdict;
  /** Why: the skip note, the advisory or deviation reason. */
  reason?: string;
  /** The failure message (expected and observed). */
  message?: string;
  durationMs: number;
  properties: Partial<Record<CaseProperty, string>>;
}
