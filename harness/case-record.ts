// The one record of a case that the conformance suites, the external checks and every report
// share: what was expected, what was observed, the verdict, and the properties annotated on it.
// One Verdict type covers both kinds of case; docs/external.md describes the external ones.

/**
 * pass: met the policy. advisory: differs where the row records why this stack legitimately does
 * (does not fail a run). fail: did not meet it. skipped: not played (the stack cannot do what the
 * row needs). undetermined, unstable: an external check that could not be judged, or whose
 * attempts disagreed: never a pass. recorded: an external check reported without a verdict.
 */
export const verdicts = ["pass", "advisory", "fail", "skipped", "undetermined", "unstable", "recorded"] as const;
export type Verdict = (typeof verdicts)[number];

/** What judging one conformance case can give (a skip is decided before it is played). */
export type ConformanceVerdict = Extract<Verdict, "pass" | "advisory" | "fail">;
/** What an external check can give (docs/external.md "Checks and verdicts"). */
export type CheckVerdict = Extract<Verdict, "pass" | "fail" | "undetermined" | "unstable" | "recorded">;

/** Verdicts that fail a run: a check that could not be judged is not a pass. */
export const failingVerdicts: readonly Verdict[] = ["fail", "undetermined", "unstable"];
export const isFailing = (verdict: Verdict): boolean => failingVerdicts.includes(verdict);

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
