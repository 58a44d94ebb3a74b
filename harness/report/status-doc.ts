// The status table of docs/statuses.md, generated from statusTable so that the documentation cannot
// drift from what the reports do (report.test.ts fails when the file's table is not this one).
import { statusTable, verdicts, type Verdict } from "../core/case-record.js";

const counted: Record<(typeof statusTable)[Verdict]["counts"], string> = {
  passed: "passed",
  failed: "failed: fails the run",
  "known-violation": "apart, never passed; does not fail the run",
  fixed: "apart, never passed; fails the run under strict deviations",
  skipped: "skipped",
  neither: "apart, never passed",
};

const junit: Record<(typeof statusTable)[Verdict]["junit"], (verdict: Verdict) => string> = {
  pass: () => "none (a passing testcase with its properties)",
  failure: () => "`<failure>`",
  "failure-known": () => '`<failure type="known-violation">`, reason and reference in the message',
  "failure-if-strict": () => '`<failure type="fixed">` under strict deviations, else none',
  error: (verdict) => `\`<error type="${verdict}">\`, the cause in the message`,
  skipped: () => "`<skipped>`",
};

export function statusDocTable(): string {
  const rows = verdicts.map((verdict) => {
    const status = statusTable[verdict];
    return `| \`${verdict}\` | ${status.label} | ${status.meaning} | ${counted[status.counts]} | ${junit[status.junit](verdict)} | \`${status.tap}\` | \`${status.colour}\` |`;
  });
  return ["| status | label | meaning | how counted | JUnit | TAP | colour |", "| --- | --- | --- | --- | --- | --- | --- |", ...rows].join("\n") + "\n";
}
