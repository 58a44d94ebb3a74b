// What the rustls peer program prints, classified into the canonical outcomes (harness/core/outcome.ts).
import { fromAlert, type Classification } from "../../core/outcome.js";

export function classifyRustlsText(text: string): Classification {
  const raw = text.trim();
  return { outcome: "unclassified", raw, source: "unknown" };
}
