// Two probes made as one attempt (detect:: checks send the same pair of probes a new way): served
// when either part is served, refused when both are, else what the part that is neither says.
import type { Judgement } from "../oracle.js";

export interface Part {
  label: string;
  judgement: Judgement;
}

export function pairJudgement(first: Part, second: Part): Judgement {
  const parts = [first, second];
  const served = parts.find((part) => part.judgement.classification === "served");
  const open = parts.find((part) => part.judgement.classification !== "refused");
  const decisive = served ?? open;
  const classification = served ? "served" : open ? open.judgement.classification : "refused";
  const reason = decisive ? `${decisive.label}: ${decisive.judgement.reason}` : parts.map((part) => `${part.label}: ${part.judgement.reason}`).join("; ");
  return {
    classification,
    answer: parts.map((part) => `${part.label}: ${part.judgement.answer}`).join("; "),
    reason,
    shape: parts.map((part) => part.judgement.shape).join(" | "),
  };
}
