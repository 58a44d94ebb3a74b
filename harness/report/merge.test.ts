// Merging results models and judging them against a baseline, on models shaped as the reporter
// writes them: a process run and a container run that repeat the unit tests, and mesh shards.
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { verdicts } from "../core/case-record.js";
import type { HostReport } from "../host/report.js";
import { compareWithBaseline } from "./baseline.js";
import { junitXml } from "./junit.js";
import { matrixHtml } from "./matrix-html.js";
import { mergeModels } from "./merge.js";
import { exitCodeOf, matrixCells, matrixLayout, resultsModel, type CaseResult, type ResultsModel, type Verdict } from "./results.js";
import { summaryMarkdown } from "./summary.js";

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

  it("sums every status of every input, and is strict when an input was", () => {
    const everyStatus = (runtime: string) => verdicts.map((verdict) => ({ ...conformanceCase(verdict, runtime, verdict) }));
    const first = { file: "a.json", model: resultsModel(everyStatus("process"), new Date(), undefined, false) };
    const second = { file: "b.json", model: resultsModel([...everyStatus("process").map((entry) => ({ ...entry, name: `${entry.name} again` })), conformanceCase("go", "process", "error")], new Date(), undefined, true) };
    const merged = mergeModels([first, second]);
    expect(merged.totals).toEqual(Object.fromEntries(verdicts.map((verdict) => [verdict, verdict === "error" ? 3 : 2])));
    expect(merged.strictDeviations).toBe(true);
    expect(mergeModels([first]).strictDeviations).toBe(false);
  });

  it("reads an older results.json: advisory and no keys for the newer statuses; advisory is never counted as passed", () => {
    // As an earlier reporter wrote it: totals without known-violation, other-reason, fixed, error.
    const older = {
      generatedAt: "2026-11-01T00:00:00.000Z",
      totals: { pass: 1, fail: 0, advisory: 1, skipped: 0, recorded: 0, undetermined: 0, unstable: 0 },
      cases: [conformanceCase("openssl", "process"), { ...conformanceCase("go", "process"), verdict: "advisory", reason: "no CRL check", properties: { implementation: "go", runtime: "process", expected: "rejected:revoked", outcome: "accepted", verdict: "advisory", advisory: "no CRL check" } }],
    } as unknown as ResultsModel;
    const merged = mergeModels([{ file: "older.json", model: older }, { file: "now.json", model: resultsModel([{ ...conformanceCase("node", "process"), name: "now" }]) }]);
    expect(merged.totals).toMatchObject({ pass: 2, advisory: 1, "known-violation": 0, error: 0 });
    expect(summaryMarkdown(merged)).toContain("## Advisories (an older results.json)\n\n- server::valid-ecdsa, go (process): observed accepted, policy rejected:revoked: no CRL check");
    expect(matrixHtml(merged)).toContain('<span class="advisory" data-status="advisory">');
    expect(junitXml(merged)).toMatch(/tests="3" failures="0" errors="0" skipped="0"/);
    // The closing line's passed (pass and other reason) leaves the advisory out.
    expect(exitCodeOf(merged)).toBe(0);
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

  it("passing against a baseline is pass or other reason only; an error or a strict fixed now is a failure", () => {
    const baseline = run({ openssl: "fail", go: "fail", gnutls: "fail", java: "fail", curl: "pass", node: "pass", caddy: "error" });
    const now = run({ openssl: "known-violation", go: "other-reason", gnutls: "recorded", java: "not-probed", curl: "error", node: "fixed", caddy: "pass" });
    const judged = compareWithBaseline(now, baseline, "baseline.json");
    expect(Object.fromEntries(judged.cases.map((entry) => [entry.properties.implementation, entry.properties.baseline]))).toEqual({
      openssl: undefined,
      go: "fixed",
      gnutls: undefined,
      java: undefined,
      curl: "regression",
      node: undefined,
      caddy: "fixed",
    });
    const strictNow = resultsModel(now.cases, new Date(), undefined, true);
    expect(compareWithBaseline(strictNow, baseline, "baseline.json").baseline?.regressions.map((name) => name.split(" > ")[2])).toEqual(["curl (process)", "node (process)"]);
  });
});

describe("exit status by status", () => {
  const only = (verdict: Verdict, strict?: boolean) => exitCodeOf(resultsModel([conformanceCase("node", "process", verdict)], new Date(), undefined, strict));
  it("1 for fail and a fixed under strict deviations, 2 for what could not be played or judged, 0 otherwise", () => {
    expect(Object.fromEntries(verdicts.map((verdict) => [verdict, only(verdict)]))).toEqual({
      pass: 0,
      fail: 1,
      "known-violation": 0,
      "other-reason": 0,
      fixed: 0,
      error: 2,
      skipped: 0,
      "not-probed": 0,
      recorded: 0,
      undetermined: 2,
      unstable: 2,
      advisory: 0,
    });
    expect(only("fixed", true)).toBe(1);
  });
});

describe(".ci/run's closing lines", () => {
  // The node -e block that ends .ci/run, run as CI runs it, on a results.json in a scratch dir.
  const closing = async (model: ResultsModel, env: Record<string, string> = {}) => {
    const script = /node -e '\n([\s\S]*?)\n'\s*$/.exec(await readFile(".ci/run", "utf8"))?.[1];
    expect(script, ".ci/run ends with its node -e block").toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), "mtls-ci-closing-"));
    try {
      await mkdir(join(dir, "reports"));
      await writeFile(join(dir, "reports/results.json"), JSON.stringify(model));
      return await execa("node", ["-e", script!], { cwd: dir, reject: false, env: { MTLS_STRICT_DEVIATIONS: "", ...env } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const model = (statuses: Verdict[], strict = false) => resultsModel(statuses.map((verdict, index) => ({ ...conformanceCase(`stack${index}`, "process", verdict) })), new Date(), undefined, strict);

  it("known violations on a line of their own first; passed is pass and other reason only; the rest apart; exit 0 without a failing status", async () => {
    const run = await closing(model(["pass", "pass", "other-reason", "known-violation", "known-violation", "fixed", "not-probed", "recorded", "skipped"]));
    expect(run.stdout.split("\n")).toEqual([
      "2 known violations (policy not met, recorded): see reports/summary.md",
      "3 passed, 0 failed, 0 errors, 1 fixed, 1 not probed, 1 recorded, 1 skipped",
    ]);
    expect(run.exitCode).toBe(0);
  });

  it("exit 1 on an error, a fail, or a fixed under strict deviations", async () => {
    const error = await closing(model(["pass", "error"]));
    expect(error.stdout).toContain("1 passed, 0 failed, 1 errors, 0 fixed");
    expect(error.exitCode).toBe(1);
    expect((await closing(model(["pass", "fail"]))).exitCode).toBe(1);
    const strict = await closing(model(["pass", "fixed"], true));
    expect(strict.stdout).toContain("1 fixed (failing: strict deviations)");
    expect(strict.exitCode).toBe(1);
    expect((await closing(model(["pass", "fixed"]), { MTLS_STRICT_DEVIATIONS: "1" })).exitCode).toBe(1);
    expect((await closing(model(["pass", "fixed"]))).exitCode).toBe(0);
  });
});

describe("declared vs observed (a planned mesh run)", () => {
  const meshCase = (target: string, check: string, verdict: Verdict): CaseResult => ({
    name: `mesh > ${target} > ${check}`, file: "mesh", project: "mesh", suitePath: ["mesh", target], verdict, durationMs: 1, properties: { target, check },
  });
  const target = (name: string, expectMode: string, observedMode: string | null, declaredBy?: string[]) => ({ name, target: `${name}.test:443`, status: observedMode ? "judged" : "unreachable", expectMode, observedMode, exitCode: 0 as const, durationMs: 1, ...(declaredBy ? { declaredBy } : {}) });
  const planned = (shard: string, cases: CaseResult[], targets: ReturnType<typeof target>[]): ResultsModel => ({
    ...resultsModel(cases, new Date("2026-01-01T00:00:00Z")),
    mesh: { shards: [shard], targets, undeclared: [{ name: "shop/db:dns", reason: "protocol UDP" }] },
  });
  const by = ["Service/shop/api", "PeerAuthentication/istio-system/default"];

  it("a disagreeing planned target exits 1 even against a baseline that knows it; merge keeps declaredBy and the undeclared once", () => {
    const first = planned("0/2", [meshCase("api", "plaintext", "fail"), meshCase("api", "mode", "fail")], [target("api", "strict", "permissive", by)]);
    const second = planned("1/2", [meshCase("web", "mode", "pass"), meshCase("db", "control", "undetermined")], [target("web", "permissive", "permissive", by), target("db", "strict", null, by)]);
    const merged = mergeModels([{ file: "a.json", model: first }, { file: "b.json", model: second }]);
    expect(merged.mesh!.undeclared).toEqual([{ name: "shop/db:dns", reason: "protocol UDP" }]);
    const judged = compareWithBaseline(merged, merged, "baseline.json");
    expect(judged.baseline!.regressions).toEqual([]);
    expect(exitCodeOf(judged)).toBe(1);
    const summary = summaryMarkdown(merged);
    expect(summary.indexOf("## Declared vs observed")).toBeLessThan(summary.indexOf("## Failures"));
    expect(summary).toContain("| api | **DISAGREES** | strict | permissive | plaintext, mode | Service/shop/api, PeerAuthentication/istio-system/default |");
    expect(summary).toContain("| web | agrees | permissive | permissive | - |");
    expect(summary).toContain("| db | not judged | strict | none | - |");
    expect(summary).toContain("- shop/db:dns: protocol UDP");
    expect(matrixHtml(merged)).toMatch(/<tr class="disagrees" data-target="api" data-standing="disagrees">/);
  });

  it("a file without declaredBy has no such section and keeps the exit status it had", () => {
    const plain = planned("0/1", [meshCase("web", "mode", "pass")], [target("web", "permissive", "permissive")]);
    expect(summaryMarkdown(plain)).not.toContain("Declared vs observed");
    expect(matrixHtml(plain)).not.toContain('<section id="declared">');
    expect(exitCodeOf(plain)).toBe(0);
  });
});
