import { describe, expect, it } from "vitest";
import { resultsModel, type CaseResult, type Verdict } from "../report/results.js";
import type { RuntimeName } from "../runtime/types.js";
import { compareRuns, intermittentLine, type RunRecord } from "./compare.js";

const validRsa = "expiry > expiry::server::valid-rsa > openssl (container)";
const expired = "expiry > expiry::server::expired > openssl (container)";

function entry(name: string, verdict: Verdict, outcome: string, message?: string): CaseResult {
  return { name, file: "suites/expiry.test.ts", project: "conformance", suitePath: name.split(" > ").slice(0, 2), verdict, message, durationMs: 1, properties: { outcome, evidence: `${outcome} (client: ...)` } };
}

const live = "rotation-live > rotation-live::a-cross-b::clients-a-ab-b > caddy (process)";
/** A case of a deviation declared intermittent in the data. */
const intermittentEntry = (verdict: Verdict, outcome: string): CaseResult => {
  const base = entry(live, verdict, outcome);
  return { ...base, properties: { ...base.properties, intermittent: "yes" } };
};

function record(runtime: RuntimeName, run: number, cases: CaseResult[]): RunRecord {
  return { runtime, run, exitCode: cases.some((entry) => entry.verdict === "fail") ? 1 : 0, durationMs: 1000, model: resultsModel(cases) };
}

describe("compareRuns", () => {
  it("reports nothing changed when every run agrees, failures included", () => {
    const runs = [1, 2, 3].map((run) => record("process", run, [entry(validRsa, "pass", "accepted"), entry(expired, "fail", "unclassified", "expected rejected:expired")]));
    const report = compareRuns(runs);
    expect(report.changed).toEqual([]);
    expect(report.summary).toEqual([{ runtime: "process", runs: 3, cases: 2, changed: 0, intermittent: 0, errors: 0 }]);
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
    expect(report.summary).toEqual([{ runtime: "container", runs: 3, cases: 2, changed: 1, intermittent: 0, errors: 0 }]);
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

  it("allows a deviation declared intermittent to flip with pass, and gives its rate", () => {
    const runs = Array.from({ length: 10 }, (_, index) =>
      record("process", index + 1, [index === 2 || index === 6 ? intermittentEntry("known-violation", "reset") : intermittentEntry("pass", "accepted"), entry(validRsa, "pass", "accepted")]),
    );
    const report = compareRuns(runs);
    expect(report.changed).toEqual([]);
    expect(report.intermittent).toEqual([{ runtime: "process", name: live, status: "known-violation", deviated: 2, runs: 10, allowed: true }]);
    expect(intermittentLine(report.intermittent[0]!)).toBe(`${live}: known-violation 2/10 runs`);
    expect(report.summary).toEqual([{ runtime: "process", runs: 10, cases: 2, changed: 0, intermittent: 1, errors: 0 }]);
    // Declared, and it never happened: a rate of 0, nothing changed.
    const never = compareRuns([1, 2].map((run) => record("process", run, [intermittentEntry("pass", "accepted")])));
    expect(never.intermittent.map(intermittentLine)).toEqual([`${live}: deviation 0/2 runs`]);
  });

  it("counts the same flip as a change when the case is not declared intermittent, and any other flip of an intermittent case", () => {
    const undeclared = compareRuns([record("process", 1, [entry(live, "pass", "accepted")]), record("process", 2, [entry(live, "known-violation", "reset")])]);
    expect(undeclared.changed.map((changed) => changed.name)).toEqual([live]);
    expect(undeclared.intermittent).toEqual([]);
    // An intermittent case that failed, or deviated with another outcome, changed.
    for (const other of [intermittentEntry("fail", "failed"), intermittentEntry("known-violation", "rejected:unknown-ca")]) {
      const report = compareRuns([record("process", 1, [intermittentEntry("pass", "accepted")]), record("process", 2, [intermittentEntry("known-violation", "reset")]), record("process", 3, [other])]);
      expect(report.changed.map((changed) => changed.name)).toEqual([live]);
      expect(report.intermittent[0]!.allowed).toBe(false);
      expect(intermittentLine(report.intermittent[0]!)).toContain("(and other changes: see changed)");
    }
  });

  it("reports every case that was an error in any run, with its cause, whether or not it changed", () => {
    const cause = "failed to start Go crypto/tls server: did not print ready within 5000 ms";
    const errorEntry = (name: string): CaseResult => ({ ...entry(name, "error", "unclassified", "expected accepted"), properties: { verdict: "error", evidence: cause } });
    const runs = [
      record("container", 1, [errorEntry(validRsa), errorEntry(expired)]),
      record("container", 2, [entry(validRsa, "pass", "accepted"), errorEntry(expired)]),
    ];
    const report = compareRuns(runs);
    expect(report.errors).toEqual([
      { runtime: "container", name: validRsa, runs: [1], evidence: [cause] },
      { runtime: "container", name: expired, runs: [1, 2], evidence: [cause] },
    ]);
    expect(report.changed.map((changed) => changed.name)).toEqual([validRsa]);
    expect(report.summary[0]).toMatchObject({ changed: 1, errors: 2 });
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
