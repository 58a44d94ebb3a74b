// TAP version 13 from the results model: one line per case, the failure message as a YAML block.
// A TAP consumer knows ok, not ok and the SKIP and TODO directives only, so each status is mapped
// to what the consumer must count it as (docs/statuses.md): a known violation is `not ok` (TODO
// would let the consumer count it as passing), skipped, not probed and recorded are `ok # SKIP`
// (never passed), and fixed is `not ok` only under strict deviations. The text after a `#` that is
// not SKIP or TODO is a comment to a consumer, so it names the status without changing the count.
import { statusLabel } from "../core/case-record.js";
import { causeOf, type CaseResult, type ResultsModel } from "./results.js";

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();

/** The YAML block under a `not ok` line: what a reader needs without the other reports. */
function details(entry: CaseResult, fields: Array<[string, string | undefined]>): string[] {
  const present = fields.filter((field): field is [string, string] => field[1] !== undefined && field[1] !== "");
  return ["  ---", ...present.map(([key, value]) => `  ${key}: ${JSON.stringify(oneLine(value))}`), "  ..."];
}

export function tapText(model: ResultsModel): string {
  const strict = model.strictDeviations === true;
  const lines = ["TAP version 13", `1..${model.cases.length}`];
  model.cases.forEach((entry, index) => {
    const head = `${index + 1} - ${oneLine(entry.name)}`;
    const why = oneLine(entry.reason ?? "");
    const deviation: Array<[string, string | undefined]> = [
      ["status", entry.verdict],
      ["expected", entry.properties.expected],
      ["observed", entry.properties.outcome],
      ["reason", entry.reason],
      ["reference", entry.properties.reference],
    ];
    switch (entry.verdict) {
      case "pass":
        return lines.push(`ok ${head}`);
      case "other-reason":
      case "advisory":
        return lines.push(`ok ${head} # ${statusLabel(entry.verdict)}${why ? `: ${why}` : ""}`);
      case "skipped": {
        const kind = entry.properties["skip-kind"];
        return lines.push(`ok ${head} # SKIP ${kind ? `${kind}: ` : ""}${why}`.trimEnd());
      }
      case "not-probed":
      case "recorded":
        return lines.push(`ok ${head} # SKIP ${statusLabel(entry.verdict)}${why || entry.message ? `: ${oneLine(entry.reason ?? entry.message ?? "")}` : ""}`);
      case "known-violation":
        return lines.push(`not ok ${head} # known violation`, ...details(entry, deviation));
      case "fixed":
        if (!strict) return lines.push(`ok ${head} # fixed: the recorded deviation did not happen${why ? `: ${why}` : ""}`);
        return lines.push(`not ok ${head} # fixed`, ...details(entry, deviation));
      case "fail":
        return lines.push(`not ok ${head}`, ...details(entry, [["message", entry.message ?? "failed"]]));
      default:
        // error, undetermined, unstable (and a status this version does not know): not played or not judged.
        return lines.push(`not ok ${head} # ${statusLabel(entry.verdict) ?? entry.verdict}`, ...details(entry, [["status", entry.verdict], ["message", causeOf(entry)]]));
    }
  });
  return lines.join("\n") + "\n";
}
