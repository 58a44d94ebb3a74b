import { describe, expect, it } from "vitest";
import { resultsModel, type CaseResult, type Verdict } from "../report/results.js";
import type { RuntimeName } from "../runtime/types.js";
import { compareRuns, type RunRecord } from "./compare.js";

const validRsa = "expiry > expiry::server::valid-rsa > openssl (container)";
const expired = "expiry > expiry::server::expired > openssl (container)";

function entry(name: string, verdict: Verdict, outcome: string, message?: string): CaseResult {
  return { name, file: "suites/expiry.test.ts", project: "conformance", suitePath: name.split(" > ").slice(0, 2), verdict, message, durationMs: 1, properties: { outcome, evidence: `${outcome} (client: ...)` } };
}

function record(runtime: RuntimeName, run: number, cases: CaseResult[]): RunRecord {
  return { runtime, run, exitCode: cases.some((entry) => entry.verdict === "fail") ? 1 : 0, durationMs: 1000, model: resultsModel(cases) };
}

describe("compareRuns", () => {
  it("reports nothing changed when every run agrees, failures included", () => {
    const runs = [1, 2, 3].map((run) => record("process", run, [entry(validRsa, "pass", "accepted"), entry(expired, "fail", "unclassified", "expected rejected:expired")]));
    const report = compareRuns(runs);
    expect(report.changed).toEqual([]);
    expect(report.summary).toEqual([{ runtime: "process", runs: 3, cases: 2, changed: 0 }]);
    expect(report.runs.map((run) => run.totals.fail)).toEqual([1, 1, 1]);
  });

  it("lists a case whose verdict changed, each variant with its count, runs and evidence", () => {
    const red = "expected accepted, observed unclassified (client: Server Temp Key: HTTP/1.1 200 OK)";
    const runs = [
      record("container", 1, [entry(validRsa, "pass", "accepted"), entry(expired, "pass", "rejected:expired")]),
      record("container", 2, [entry(validRsa, "fail", "unclassified", red), entry(expired, "pass", "rejected:expired")]),
      record("container", 3, [entry(validRsa, "pass", "accepted"), entry(expired, "pass", "rejected:expired")]),
    ];
    const report = compareRuns(runs);
    expect(report.changed).toEqual([
      {
        runtime: "container",
        name: validRsa,
        variants: [
          { verdict: "pass", outcome: "accepted", count: 2, runs: [1, 3], evidence: ["accepted (client: ...)"] },
          { verdict: "fail", outcome: "unclassified", count: 1, runs: [2], evidence: [red] },
        ],
      },
    ]);
    expect(report.summary).toEqual([{ runtime: "container", runs: 3, cases: 2, changed: 1 }]);
  });

  it("counts a changed outcome under the same verdict (an advisory that observed something else)", () => {
    const runs = [record("process", 1, [entry(expired, "pass", "rejected:expired")]), record("process", 2, [entry(expired, "pass", "rejected:bad-certificate")])];
    expect(compareRuns(runs).changed.map((changed) => changed.variants.map((variant) => variant.outcome))).toEqual([["rejected:expired", "rejected:bad-certificate"]]);
  });

  it("counts a case missing from a run as changed", () => {
    const runs = [record("process", 1, [entry(validRsa, "pass", "accepted"), entry(expired, "pass", "rejected:expired")]), record("process", 2, [entry(validRsa, "pass", "accepted")])];
    expect(compareRuns(runs).changed[0]!.variants.map((variant) => [variant.verdict, variant.runs])).toEqual([
      ["pass", [1]],
      ["absent", [2]],
    ]);
  });

  it("compares each runtime's runs among themselves", () => {
    const runs = [
      record("process", 1, [entry("a > b > openssl (process)", "pass", "accepted")]),
      record("process", 2, [entry("a > b > openssl (process)", "pass", "accepted")]),
      record("container", 1, [entry("a > b > openssl (container)", "pass", "accepted")]),
      record("container", 2, [entry("a > b > openssl (container)", "pass", "accepted")]),
    ];
    const report = compareRuns(runs);
    expect(report.changed).toEqual([]);
    expect(report.summary.map((line) => [line.runtime, line.runs, line.cases])).toEqual([
      ["process", 2, 1],
      ["container", 2, 1],
    ]);
  });
});
