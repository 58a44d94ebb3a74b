// Merging results models and judging them against a baseline, on models shaped as the reporter
// writes them: a process run and a container run that repeat the unit tests, and mesh shards.
import { describe, expect, it } from "vitest";
import type { HostReport } from "../host-report.js";
import { compareWithBaseline } from "./baseline.js";
import { mergeModels } from "./merge.js";
import { exitCodeOf, matrixCells, matrixLayout, resultsModel, type CaseResult, type Verdict } from "./results.js";

const host = (runtime: "process" | "container"): HostReport => ({ runtime, implementations: [], tools: {} as HostReport["tools"], engine: { reason: "none" } });

const conformanceCase = (implementation: string, runtime: string, verdict: Verdict = "pass"): CaseResult => ({
  name: `expiry > server::valid-ecdsa > ${implementation} (${runtime})`,
  file: "suites/expiry.test.ts",
  project: "conformance",
  suitePath: ["expiry", "server::valid-ecdsa"],
  verdict,
  durationMs: 10,
  properties: { implementation, runtime, expected: "accepted", outcome: verdict === "pass" ? "accepted" : "rejected:unknown-ca" },
});
const unitCase: CaseResult = { name: "fixtures > issues the catalogue", file: "fixtures/pki.test.ts", project: "unit", suitePath: ["fixtures"], verdict: "pass", durationMs: 5, properties: {} };

describe("merge", () => {
  const processRun = { file: "results-process.json", model: resultsModel([unitCase, conformanceCase("openssl", "process")], new Date(), host("process")) };
  const containerRun = { file: "results-container.json", model: resultsModel([unitCase, conformanceCase("openssl", "container", "fail")], new Date(), host("container")) };

  it("refuses two runs of the same test as shards, naming the case and both files", () => {
    expect(() => mergeModels([processRun, containerRun])).toThrow('failed to merge results-container.json: case "fixtures > issues the catalogue" is also in results-process.json (shards must be disjoint; for two runs of the same tests, pass --runs)');
  });

  it("merges a process and a container run into one matrix: both columns, repeated tests once per runtime", () => {
    const merged = mergeModels([processRun, containerRun], { runs: true });
    expect(merged.cases.map((entry) => entry.name)).toEqual([
      "fixtures > issues the catalogue (process)",
      "expiry > server::valid-ecdsa > openssl (process)",
      "fixtures > issues the catalogue (container)",
      "expiry > server::valid-ecdsa > openssl (container)",
    ]);
    expect(matrixLayout(matrixCells(merged)).columns).toEqual(["openssl (process)", "openssl (container)"]);
    expect(merged.totals).toMatchObject({ pass: 3, fail: 1 });
    expect(merged.hosts?.map((entry) => entry.runtime)).toEqual(["process", "container"]);
    expect(exitCodeOf(merged)).toBe(1);
  });

  it("refuses two runs of one runtime: their repeated tests could not be told apart", () => {
    expect(() => mergeModels([processRun, { ...processRun, file: "again.json" }], { runs: true })).toThrow("two inputs are runs of the same runtime (process, process)");
  });
});

describe("baseline", () => {
  const run = (verdicts: Record<string, Verdict>) => resultsModel(Object.entries(verdicts).map(([implementation, verdict]) => conformanceCase(implementation, "process", verdict)));

  it("known, fixed and regressions by case name; exit 1 only for regressions", () => {
    const baseline = run({ openssl: "fail", go: "fail", gnutls: "pass" });
    const now = compareWithBaseline(run({ openssl: "fail", go: "pass", gnutls: "unstable", java: "fail", curl: "pass" }), baseline, "baseline.json");
    const name = (implementation: string) => conformanceCase(implementation, "process").name;
    expect(now.baseline).toEqual({ file: "baseline.json", known: [name("openssl")], fixed: [name("go")], regressions: [name("gnutls"), name("java")] });
    expect(now.cases.map((entry) => entry.properties.baseline)).toEqual(["known", "fixed", "regression", "regression", undefined]);
    expect(exitCodeOf(now)).toBe(1);
    expect(exitCodeOf(compareWithBaseline(run({ openssl: "fail", go: "pass" }), baseline, "baseline.json"))).toBe(0);
    // Without a baseline the same known failure fails the run.
    expect(exitCodeOf(run({ openssl: "fail", go: "pass" }))).toBe(1);
  });
});
