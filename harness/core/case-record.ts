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
 * stack cannot, our peer does not yet, the stack does not declare it, or it is not installed or selected). not-probed, recorded:
 * an external check with nothing to judge. undetermined, unstable: an external check the oracle
 * could not decide, or whose attempts disagreed. advisory: the former single status for recorded
 * deviations, read from older results.json files only.
 */
export const statusTable = {
  pass: { label: "pass", counts: "passed", junit: "pass", tap: "ok", colour: "#b7e4c7", meaning: "the policy's outcome was observed" },
  fail: { label: "fail", counts: "failed", junit: "failure", tap: "not ok", colour: "#f4a3a3", meaning: "another outcome was observed and none is recorded for this stack" },
  "known-violation": { label: "known violation", counts: "known-violation", junit: "failure-known", tap: "not ok # known violation", colour: "#7b2cbf", meaning: "the policy is not met, as recorded for this stack with a reason and a reference" },
  "other-reason": { label: "other reason", counts: "passed", junit: "pass", tap: "ok # other reason", colour: "#a9d6f5", meaning: "the policy is met (a refusal), for another reason than the row's, as recorded" },
  fixed: { label: "fixed", counts: "fixed", junit: "failure-if-strict", tap: "not ok # fixed (strict), else ok # fixed", colour: "#5fd3c6", meaning: "a recorded deviation did not happen this run" },
  error: { label: "error", counts: "failed", junit: "error", tap: "not ok # error", colour: "#3b4252", meaning: "the harness could not play the case (a peer that did not start, a deadline of ours, an engine error)" },
  skipped: { label: "skipped", counts: "skipped", junit: "skipped", tap: "ok # SKIP", colour: "#e4e7ec", meaning: "not played: the stack cannot, our peer does not yet, the stack does not declare what the row needs, or it is not installed or not selected (skip-kind)" },
  "not-probed": { label: "not probed", counts: "neither", junit: "skipped", tap: "ok # SKIP not probed", colour: "#d8e2f0", meaning: "an external check that was not played (nothing to probe it with; the reason says why)" },
  recorded: { label: "recorded", counts: "neither", junit: "skipped", tap: "ok # SKIP recorded", colour: "#f3e8d2", meaning: "an external check with no expectation to judge by: what was seen is recorded" },
  undetermined: { label: "undetermined", counts: "failed", junit: "error", tap: "not ok # undetermined", colour: "#f9a65a", meaning: "an external check the oracle could not decide" },
  unstable: { label: "unstable", counts: "failed", junit: "error", tap: "not ok # unstable", colour: "#e07a5f", meaning: "an external check whose attempts disagreed" },
  // An older "advisory" may have been a policy violation: never counted as passed when read now.
  advisory: { label: "advisory", counts: "neither", junit: "pass", tap: "ok # advisory", colour: "#ffe08a", meaning: "older results.json only: a recorded deviation, before known violation and other reason were told apart" },
} as const satisfies Record<
  string,
  {
    label: string;
    counts: "passed" | "failed" | "known-violation" | "fixed" | "skipped" | "neither";
    /** The JUnit element: none (pass), <failure>, <failure type="known-violation">, <failure type="fixed"> under strict deviations, <error>, <skipped>. */
    junit: "pass" | "failure" | "failure-known" | "failure-if-strict" | "error" | "skipped";
    /** The TAP line's start and directive (harness/report/tap.ts). */
    tap: string;
    /** The matrix.html cell background; every status has its own. */
    colour: string;
    meaning: string;
  }
>;

export const verdicts = Object.keys(statusTable) as Array<keyof typeof statusTable>;
export type Verdict = keyof typeof statusTable;
// A status this version does not know (a newer results.json) keeps its own name.
export const statusLabel = (verdict: Verdict): string => statusTable[verdict]?.label ?? verdict;

/** What judging one conformance case can give (a skip is decided before it is played). */
export type ConformanceVerdict = Extract<Verdict, "pass" | "advisory" | "fail" | "known-violation" | "other-reason" | "fixed" | "error">;
/** What an external check can give (docs/external.md "Checks and verdicts"). */
export type CheckVerdict = Extract<Verdict, "pass" | "fail" | "undetermined" | "unstable" | "recorded" | "not-probed" | "error">;

/** Verdicts that fail a run: a check that could not be judged is not a pass; fixed only under strict deviations. */
export const failingVerdicts: readonly Verdict[] = verdicts.filter((verdict) => statusTable[verdict].counts === "failed");
export const isFailing = (verdict: Verdict, strictDeviations = false): boolean => failingVerdicts.includes(verdict) || (strictDeviations && verdict === "fixed");
/** Counted as passed in a closing line: pass and other-reason only (never not-probed, recorded, known-violation, fixed, advisory). */
export const isPassed = (verdict: Verdict): boolean => statusTable[verdict].counts === "passed";
/** MTLS_STRICT_DEVIATIONS=1: a recorded deviation that did not happen (fixed) fails the run. */
export class StrictDeviationsError extends Error {}

/** MTLS_STRICT_DEVIATIONS: 1 fails a case whose recorded deviation did not happen (fixed); unset or 0 reports it only. */
export function strictDeviationsFrom(value: string | undefined): boolean {
  if (value === undefined || value === "" || value === "0") return false;
  if (value === "1") return true;
  throw new StrictDeviationsError(`failed to read MTLS_STRICT_DEVIATIONS=${value}: use 1 (a fixed deviation fails its case) or 0`);
}


/** Why a case was skipped (property skip-kind): a limit of the stack, a gap of our own peer, a capability the stack does not declare, or the machine or the selection. */
export const skipKinds = {
  "stack-cannot": "the stack cannot",
  "peer-not-yet": "our peer does not yet",
  "not-declared": "not declared",
  "not-installed": "not installed",
  "not-selected": "not selected",
} as const;
export type SkipKind = keyof typeof skipKinds;

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
  /** Why a case with a recorded deviation, or a skipped one, differs: the recorded reason. */
  deviation: string;
  /** The same reason as written by reports before the deviation property (an older results.json). */
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
  /** A skipped case: why (a SkipKind: stack-cannot, peer-not-yet, not-declared, not-installed, not-selected). */
  "skip-kind": string;
  /** "yes" on a case whose recorded deviation happens in some runs only (npm run flake allows its flip to pass). */
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
  deviation: true,
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
