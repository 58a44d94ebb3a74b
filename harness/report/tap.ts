// TAP version 13 from the results model: one line per case, the failure message as a YAML block.
import { isFailing } from "../case-record.js";
import type { ResultsModel } from "./results.js";

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();

export function tapText(model: ResultsModel): string {
  const lines = ["TAP version 13", `1..${model.cases.length}`];
  model.cases.forEach((entry, index) => {
    const number = index + 1;
    if (entry.verdict === "skipped") return lines.push(`ok ${number} - ${oneLine(entry.name)} # SKIP ${oneLine(entry.reason ?? "")}`);
    if (!isFailing(entry.verdict)) return lines.push(`ok ${number} - ${oneLine(entry.name)}`);
    lines.push(`not ok ${number} - ${oneLine(entry.name)}`, "  ---", `  message: ${JSON.stringify(oneLine(entry.message ?? "failed"))}`, "  ...");
  });
  return lines.join("\n") + "\n";
}
