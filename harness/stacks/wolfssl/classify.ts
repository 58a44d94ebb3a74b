import type { Classification } from "../../core/outcome.js";
export function classifyWolfsslText(text: string): Classification {
  return { outcome: "unclassified", raw: text.trim(), source: "unknown" };
}
