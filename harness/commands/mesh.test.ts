// `mtls-conformance run --targets`, `--baseline`, `--shard` and `merge`, run as users run the
// built command, against a mesh of loopback endpoints (local-mesh.ts) in strict, permissive and
// disabled mode, each on its own 127.x address.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec } from "../../fixtures/profiles.js";
import type { ResultsModel } from "../report/results.js";
import { startLocalMesh, type LocalMesh } from "../mesh/local-mesh.js";

const root = join(import.meta.dirname, "..", "..");
const command = join(root, "harness", "bin", "mtls-conformance.mjs");

let fixtures: FixtureSet;
let mesh: LocalMesh;

beforeAll(async () => {
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  mesh = await startLocalMesh(fixtures, 6);
}, 60_000);

afterAll(async () => {
  await mesh?.stop();
  if (fixtures) await removeFixtureSet(fixtures);
});

async function runCli(args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const result = await execa(process.execPath, [command, ...args], { reject: false, timeout: 90_000, env: { MTLS_TARGET: "" } });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** A targets file in the fixture dir: the issuer from defaults (paths relative to the file), one entry per endpoint. */
async function targetsFile(name: string, expectFor: (mode: string, index: number) => string = (mode) => mode): Promise<string> {
  // The file is one directory below the fixtures: ../issuer-a.crt resolves against the file, not the working directory.
  expect(fixtures.certs["issuer-a"]!.cert).toBe(join(fixtures.dir, "issuer-a.crt"));
  const lines = ["defaults:", "  issuerCert: ../issuer-a.crt", "  issuerKey: ../issuer-a.key", "  timeoutMs: 3000", "targets:"];
  mesh.endpoints.forEach((endpoint, index) => lines.push(`  - name: ${endpoint.name}`, `    target: "${endpoint.address}"`, `    expectMode: ${expectFor(endpoint.mode, index)}`));
  const file = join(fixtures.dir, "targets", name);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, lines.join("\n") + "\n");
  return file;
}

const readModel = async (file: string): Promise<ResultsModel> => JSON.parse(await readFile(file, "utf8")) as ResultsModel;
const verdictsOf = (model: ResultsModel) => Object.fromEntries(model.cases.map((entry) => [entry.name, entry.verdict]));

describe("mtls-conformance run --targets", () => {
  it("judges every target, writes one report over all of them, one progress line per target", async () => {
    // The first permissive endpoint is expected strict: its plaintext and mode checks fail.
    const file = await targetsFile("all.yaml", (mode, index) => (index === 1 ? "strict" : mode));
    const dir = join(fixtures.dir, "reports-all");
    const result = await runCli(["run", "--targets", file, "--reports", dir, "--concurrency", "3"]);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr.trim().split("\n").filter((line) => /^mtls-conformance: \[\d\/6\] /.test(line))).toHaveLength(6);
    const model = await readModel(join(dir, "results.json"));
    expect(model.mesh!.targets.map((target) => [target.name, target.observedMode, target.exitCode])).toEqual(
      mesh.endpoints.map((endpoint, index) => [endpoint.name, endpoint.mode, index === 1 ? 1 : 0]),
    );
    expect(model.cases.filter((entry) => entry.verdict === "fail").map((entry) => entry.name)).toEqual([`mesh > ${mesh.endpoints[1]!.name} > plaintext`, `mesh > ${mesh.endpoints[1]!.name} > mode`]);
    const junit = await readFile(join(dir, "junit.xml"), "utf8");
    expect([...junit.matchAll(/<testsuite name="([^"]+)"/g)].map((match) => match[1])).toEqual(mesh.endpoints.map((endpoint) => `mesh &gt; ${endpoint.name}`));
    const html = await readFile(join(dir, "matrix.html"), "utf8");
    expect([...html.matchAll(/<th class="scenario" scope="row">([^<]+)<\/th>/g)].map((match) => match[1])).toEqual(mesh.endpoints.map((endpoint) => endpoint.name));
    expect([...html.matchAll(/<th scope="col">([^<]+)<\/th>/g)].map((match) => match[1])).toContain("client-cert::rogue-ca");
    const summary = await readFile(join(dir, "summary.md"), "utf8");
    expect(summary).toContain(`| ${mesh.endpoints[1]!.name} | ${mesh.endpoints[1]!.address} | strict | permissive | judged | 1 |`);
    expect(result.stdout).toMatch(/^\d+ passed, 2 failed, 0 not judged, \d+ not probed or recorded, 0 skipped$/m);
  });

  it("exits 1 only for regressions against a baseline, and marks known and fixed cases", async () => {
    const dir = join(fixtures.dir, "reports-baseline");
    const baseline = join(dir, "baseline.json");
    // Baseline: permissive-001 expected strict (2 failing checks), the rest as they are.
    const first = await runCli(["run", "--targets", await targetsFile("b1.yaml", (mode, index) => (index === 1 ? "strict" : mode)), "--reports", dir, "--update-baseline", baseline]);
    expect(first.exitCode).toBe(1);
    const known = await runCli(["run", "--targets", await targetsFile("b2.yaml", (mode, index) => (index === 1 ? "strict" : mode)), "--reports", dir, "--baseline", baseline]);
    expect(known.exitCode, known.stdout).toBe(0);
    expect(known.stdout).toContain("0 regressions, 2 known failures, 0 fixed");
    // Now permissive-001 is expected as it is (fixed) and strict-000 expected permissive (a regression).
    const regressed = await runCli(["run", "--targets", await targetsFile("b3.yaml", (mode, index) => (index === 0 ? "permissive" : mode)), "--reports", dir, "--baseline", baseline]);
    expect(regressed.exitCode, regressed.stdout).toBe(1);
    const model = await readModel(join(dir, "results.json"));
    expect(model.baseline).toMatchObject({ fixed: [`mesh > ${mesh.endpoints[1]!.name} > plaintext`, `mesh > ${mesh.endpoints[1]!.name} > mode`], known: [] });
    expect(model.baseline!.regressions).toContain(`mesh > ${mesh.endpoints[0]!.name} > mode`);
    expect(model.cases.find((entry) => entry.name === `mesh > ${mesh.endpoints[0]!.name} > mode`)!.properties.baseline).toBe("regression");
    const summary = await readFile(join(dir, "summary.md"), "utf8");
    expect(summary).toContain("## Regressions");
    expect(summary).toContain("## Fixed");
    expect(await readFile(join(dir, "matrix.html"), "utf8")).toContain('data-baseline="fixed"');
  });

  it("three shards merged equal the unsharded run, verdict for verdict", async () => {
    const file = await targetsFile("shards.yaml", (mode, index) => (index === 2 ? "strict" : mode));
    const dir = join(fixtures.dir, "reports-shards");
    const whole = await runCli(["run", "--targets", file, "--json", join(dir, "whole.json")]);
    const shards = await Promise.all([0, 1, 2].map((index) => runCli(["run", "--targets", file, "--shard", `${index}/3`, "--json", join(dir, `shard-${index}.json`)])));
    const names = await Promise.all([0, 1, 2].map(async (index) => (await readModel(join(dir, `shard-${index}.json`))).mesh!.targets.map((target) => target.name)));
    expect(names.map((list) => list.length)).toEqual([2, 2, 2]);
    expect(names.flat().sort()).toEqual(mesh.endpoints.map((endpoint) => endpoint.name).sort());
    const merged = await runCli(["merge", ...[0, 1, 2].map((index) => join(dir, `shard-${index}.json`)), "--reports", join(dir, "merged")]);
    expect([merged.exitCode, ...shards.map((shard) => shard.exitCode)]).toEqual([whole.exitCode, ...names.map((list) => (list.includes(mesh.endpoints[2]!.name) ? 1 : 0))]);
    const mergedModel = await readModel(join(dir, "merged", "results.json"));
    expect(verdictsOf(mergedModel)).toEqual(verdictsOf(await readModel(join(dir, "whole.json"))));
    expect(mergedModel.mesh!.shards.sort()).toEqual(["0/3", "1/3", "2/3"]);
    const overlap = await runCli(["merge", join(dir, "shard-0.json"), join(dir, "whole.json"), "--json", join(dir, "bad.json")]);
    expect(overlap.exitCode).toBe(2);
    expect(overlap.stderr).toMatch(/^mtls-conformance: failed to merge .*whole\.json: case "mesh > .*" is also in .*shard-0\.json/);
  });

  it.each([
    ["an unknown key", "targets:\n  - name: api\n    target: 127.0.0.1:1\n    expectmode: strict\n", 'mtls-conformance: targets[0] (api): unknown key "expectmode"'],
    ["a missing target", "targets:\n  - name: api\n  - name: db\n    target: 127.0.0.1:1\n", 'mtls-conformance: targets[0] (api): missing key "target" (HOST:PORT)'],
    ["an unknown default", "defaults:\n  issuer: ca.pem\ntargets:\n  - target: 127.0.0.1:1\n", 'mtls-conformance: defaults: unknown key "issuer"'],
    ["a bad mode", "targets:\n  - target: 127.0.0.1:1\n  - name: db\n    target: 127.0.0.1:2\n    expectMode: strictest\n", 'mtls-conformance: targets[1] (db): invalid expected mode "strictest"'],
    ["an unreadable issuer", "defaults:\n  issuerCert: missing.crt\n  issuerKey: missing.key\ntargets:\n  - name: api\n    target: 127.0.0.1:1\n", "mtls-conformance: target api: failed to read"],
  ])("refuses %s with one line and exit 2", async (_title, text, line) => {
    const file = join(fixtures.dir, `bad-${_title.replace(/\W+/g, "-")}.yaml`);
    await writeFile(file, text);
    const result = await runCli(["run", "--targets", file, "--reports", join(fixtures.dir, "reports-bad")]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(line);
  });

  it.each([
    ["--shard without --targets", ["run", "--target", "127.0.0.1:1", "--shard", "0/2"], "mtls-conformance: --shard is for --targets and merge (a single target can be a one-entry targets file)"],
    ["--targets with --target", ["run", "--targets", "x.yaml", "--target", "127.0.0.1:1"], "mtls-conformance: --targets runs every target of the file: it takes no --target or --tap"],
    ["a shard out of range", ["run", "--targets", "TARGETS", "--shard", "2/2"], 'mtls-conformance: invalid shard "2/2": I must be 0 to 1 (it counts from 0)'],
    ["a bad concurrency", ["run", "--targets", "TARGETS", "--concurrency", "0"], 'mtls-conformance: invalid concurrency "0": expected a whole number from 1 to 1024'],
    ["a missing targets file", ["run", "--targets", "/nonexistent/targets.yaml"], "mtls-conformance: failed to read targets file /nonexistent/targets.yaml: ENOENT"],
    ["merge without inputs", ["merge", "--reports", "out"], 'mtls-conformance: nothing to merge: "mtls-conformance merge IN.json... [--reports DIR] [--json FILE] [--junit FILE] [--summary FILE] [--html FILE]"'],
    ["merge without an output", ["merge", "a.json"], "mtls-conformance: merge writes nothing: name --reports DIR or at least one of --json, --junit, --summary, --html"],
    ["merge of a file that is not results", ["merge", "TARGETS", "--json", "out.json"], "mtls-conformance: failed to parse results file"],
  ])("refuses %s with one line and exit 2", async (_title, args, line) => {
    const targets = await targetsFile("usage.yaml");
    const result = await runCli(args.map((arg) => (arg === "TARGETS" ? targets : arg)));
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringContaining(line)]);
  });

  it("runs under npm test with MTLS_TARGETS, names cases as the command does, and MTLS_BASELINE passes known failures", async () => {
    const file = await targetsFile("vitest.yaml", (mode, index) => (index === 1 ? "strict" : mode));
    const dir = join(fixtures.dir, "reports-vitest");
    const baseline = join(dir, "baseline.json");
    const fromCommand = await runCli(["run", "--targets", file, "--json", baseline]);
    expect(fromCommand.exitCode).toBe(1);
    const vitest = (env: Record<string, string>) =>
      execa(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "--project", "external"], { cwd: root, reject: false, timeout: 120_000, env: { MTLS_TARGET: "", MTLS_TARGETS: file, MTLS_REPORTS_DIR: dir, ...env } });
    const plain = await vitest({ MTLS_BASELINE: "" });
    expect(plain.exitCode, String(plain.stdout).slice(-2000)).toBe(1);
    const plainModel = await readModel(join(dir, "results.json"));
    expect(verdictsOf(plainModel)).toEqual(verdictsOf(await readModel(baseline)));
    // Each case's properties reach the reports from the suite as the command sets them (OpenSSL's
    // error lines in a detail name the thread that wrote them: not compared).
    const suiteKeys = ["implementation", "runtime", "target", "check", "expected", "outcome", "check-verdict", "detail"] as const;
    const withoutThread = (text: string | undefined) => text?.replaceAll(/\b[0-9A-F]{12,16}:error:/g, "<thread>:error:");
    const propertiesOf = (model: ResultsModel) => Object.fromEntries(model.cases.map((entry) => [entry.name, Object.fromEntries(suiteKeys.map((key) => [key, withoutThread(entry.properties[key])]))]));
    expect(propertiesOf(plainModel)).toEqual(propertiesOf(await readModel(baseline)));
    expect(plainModel.cases.every((entry) => entry.properties.detail && entry.properties["check-verdict"])).toBe(true);
    const known = await vitest({ MTLS_BASELINE: baseline });
    expect(known.exitCode, String(known.stdout).slice(-2000)).toBe(0);
    const knownModel = await readModel(join(dir, "results.json"));
    expect(knownModel.baseline).toMatchObject({ known: [`mesh > ${mesh.endpoints[1]!.name} > plaintext`, `mesh > ${mesh.endpoints[1]!.name} > mode`], regressions: [], fixed: [] });
    expect(String(known.stdout)).toContain("0 regressions, 2 known failures, 0 fixed");
  }, 240_000);
});
