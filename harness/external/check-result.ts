// One check's result, and the rules every strategy shares to make one: which matcher a mode
// expects, the verdict of a classification against it, and the run's exit status from the verdicts.
import type { CheckVerdict } from "../core/case-record.js";
import type { PolicyMode } from "../core/observation.js";
import type { CheckDefinition, Matcher } from "./checks.js";
import { attemptsText, determined, summarize } from "./confirm.js";
import type { Classification, Judgement } from "./oracle.js";

export type { CheckVerdict };

export interface CheckResult {
  id: string;
  title: string;
  expected: string;
  observed: string;
  /** True only for verdict pass: a check that was not probed, or only recorded, did not pass. */
  pass: boolean;
  verdict: CheckVerdict;
  /** How the oracle classified what was seen (probe checks). */
  classification?: Classification | "unstable";
  /** The answer seen on the first attempt, in one line. */
  answer?: string;
  /** Why it was classified so. */
  reason?: string;
  /** Every attempt: the first, its confirmation, and the retries when they disagreed. */
  attempts?: Judgement[];
  /** Set when the check's path was judged over this version only (the control is refused over the other; ExternalReport.judgedOver says why). */
  tlsVersion?: "TLSv1.2";
  detail: string;
}

export function matcherFor(check: CheckDefinition, expectMode: PolicyMode | undefined): Matcher | undefined {
  if (check.always && expectMode !== "disabled") return check.always;
  return expectMode ? check.expect[expectMode] : undefined;
}

const meets: Record<Exclude<Matcher, "verified">, (classification: Classification) => boolean> = {
  served: (classification) => classification === "served",
  refused: (classification) => classification === "refused",
  "served-or-refused": (classification) => classification === "served" || classification === "refused",
  "no-tls": (classification) => classification === "no-tls",
};

/** One verdict from the attempts of a probe check. */
function verdictOf(matcher: Matcher | undefined, classification: Classification | "unstable"): CheckVerdict {
  if (classification === "unstable") return "unstable";
  if (!determined(classification)) return "undetermined";
  if (!matcher || matcher === "verified") return "recorded";
  return meets[matcher](classification) ? "pass" : "fail";
}

/** A probe check's result from its confirmed attempts. */
export function probeResult(check: CheckDefinition, attempts: Judgement[], expectMode: PolicyMode | undefined): CheckResult {
  const matcher = matcherFor(check, expectMode);
  const classification = summarize(attempts);
  const verdict = verdictOf(matcher, classification);
  const first = attempts[0]!;
  return {
    id: check.id,
    title: check.title,
    expected: matcher ?? "-",
    observed: classification,
    pass: verdict === "pass",
    verdict,
    classification,
    answer: first.answer,
    reason: first.reason,
    attempts,
    detail: `${first.answer}; ${classification === "unstable" ? "attempts disagreed" : first.reason}${attemptsText(attempts)}`.replace(/\s+/g, " ").slice(0, 400),
  };
}

/** A check that could not be probed (its path, session or input was not there): not probed, with the reason; never a pass or a failure of the endpoint. */
export const notProbedResult = (check: CheckDefinition, expectMode: PolicyMode | undefined, detail: string): CheckResult => ({
  id: check.id,
  title: check.title,
  expected: matcherFor(check, expectMode) ?? "-",
  observed: "not probed",
  pass: false,
  verdict: "not-probed",
  detail,
});

/**
 * The run's exit status from its checks' verdicts: 1 when a determined check failed; 2 when a check
 * could not be judged (undetermined, unstable, error) or when nothing was probed at all (every check
 * not probed); else 0. Recorded and not-probed checks never make a run pass or fail by themselves.
 */
export function exitCodeOf(checks: Array<Pick<CheckResult, "id" | "verdict" | "detail">>): { exitCode: 0 | 1 | 2; problem?: string } {
  const verdicts = checks.map((check) => check.verdict);
  if (verdicts.includes("fail")) return { exitCode: 1 };
  const unjudged = checks.filter((check) => check.verdict === "undetermined" || check.verdict === "unstable" || check.verdict === "error");
  if (unjudged.length) return { exitCode: 2, problem: `not every check could be judged: ${unjudged.map((check) => `${check.id} ${check.verdict}`).join(", ")}` };
  if (checks.length && verdicts.every((verdict) => verdict === "not-probed")) {
    return { exitCode: 2, problem: `nothing was probed: every check was not probed (${checks.map((check) => `${check.id}: ${check.detail}`).join("; ")})`.replace(/\s+/g, " ") };
  }
  return { exitCode: 0 };
}
