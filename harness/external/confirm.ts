// The repeat-and-agree rule: a determined verdict is confirmed by a second attempt, and when the
// two disagree two more attempts are made; attempts agree when they are classified alike and got
// the same shape of answer. Every probe check goes through `confirm`.
import type { Classification, Judgement } from "./oracle.js";

/** Attempts of one check at most: the first, its confirmation, and two more when those disagree. */
export const maxAttempts = 4;

export const determined = (classification: Classification) => classification === "served" || classification === "refused" || classification === "no-tls";

/** Attempts agree when they are classified alike and got the same shape of answer (an alert, then a reset, is a disagreement). */
export function summarize(attempts: Judgement[]): Classification | "unstable" {
  const [first] = attempts;
  return attempts.every((attempt) => attempt.classification === first!.classification && attempt.shape === first!.shape) ? first!.classification : "unstable";
}

/** Makes attempts until the rule is met: one when the first is not determined, two when they agree, up to maxAttempts when they do not. */
export async function confirm(attempt: (index: number) => Promise<Judgement>): Promise<Judgement[]> {
  const attempts: Judgement[] = [];
  do {
    attempts.push(await attempt(attempts.length));
  } while (determined(attempts[0]!.classification) && attempts.length < (summarize(attempts) === "unstable" ? maxAttempts : 2));
  return attempts;
}

export function attemptsText(attempts: Judgement[]): string {
  if (attempts.length < 2) return "";
  const counts = new Map<string, number>();
  for (const attempt of attempts) counts.set(`${attempt.classification} (${attempt.shape})`, (counts.get(`${attempt.classification} (${attempt.shape})`) ?? 0) + 1);
  return ` [${attempts.length} attempts: ${[...counts].map(([classification, count]) => `${classification} ${count}`).join(", ")}]`;
}
