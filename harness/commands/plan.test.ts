// `mtls-conformance plan` then `run --targets` on what it wrote, as users run the built command:
// a local mesh of real servers on loopback (harness/mesh/local-mesh.ts), declared one way
// (harness/plan/testdata/local-mesh) and configured another for two of its five services. The run
// must exit 1 naming exactly those two, their disagreeing checks and declaredBy.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec } from "../../fixtures/profiles.js";
import type { PolicyMode } from "../core/observation.js";
import { startLocalMesh, type LocalMesh } from "../mesh/local-mesh.js";
import { readTargetsFile } from "../mesh/targets-file.js";
import type { ResultsModel } from "../report/results.js";

const root = join(import.meta.dirname, "..", "..");
const command = join(root, "harness", "bin", "mtls-conformance.mjs");
const testdata = join(root, "harness", "plan", "testdata");

/** Service -> the mode its server is configured with; cart is declared strict, ledger permissive. */
const configured: Array<[string, PolicyMode]> = [
  ["api", "strict"],
  ["web", "permissive"],
  ["reports", "disabled"],
  ["cart", "permissive"],
  ["ledger", "disabled"],
];

let fixtures: FixtureSet;
let mesh: LocalMesh;

beforeAll(async () => {
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  mesh = await startLocalMesh(fixtures, configured.length, configured.map(([, mode]) => mode));
}, 60_000);

afterAll(async () => {
  await mesh?.stop();
  if (fixtures) await removeFixtureSet(fixtures);
});

async function runCli(args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const result = await execa(process.execPath, [command, ...args], { reject: false, timeout: 120_000, env: { MTLS_TARGET: "" } });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

describe("mtls-conformance plan, then run --targets: declared vs observed", () => {
  it("exits 1 naming exactly the two services configured otherwise than declared, with their checks and declaredBy", async () => {
    const dir = join(fixtures.dir, "planned");
    await mkdir(dir, { recursive: true });
    const targets = join(dir, "targets.yaml");
    const addresses = configured.flatMap(([name], index) => ["--address", `${name}.default:8080=${mesh.endpoints[index]!.address}`]);
    const plan = await runCli(["plan", join(testdata, "local-mesh"), "--out", targets, ...addresses, "--issuer-cert", fixtures.certs["issuer-a"]!.cert, "--issuer-key", fixtures.certs["issuer-a"]!.key]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stderr.trim()).toBe(`mtls-conformance: planned 5 targets, 0 undeclared, 0 problem lines -> ${targets}`);
    const file = await readTargetsFile(targets);
    expect(file.targets.map((target) => [target.name, `${target.settings.host}:${target.settings.port}`, target.settings.expectMode, target.settings.expectIdentity])).toEqual(
      configured.map(([name], index) => [`default/${name}:http`, mesh.endpoints[index]!.address, { api: "strict", web: "permissive", reports: "disabled", cart: "strict", ledger: "permissive" }[name], name === "reports" ? undefined : "spiffe://cluster.local/ns/default/sa/api"]),
    );

    const reports = join(dir, "reports");
    const run = await runCli(["run", "--targets", targets, "--reports", reports, "--concurrency", "2"]);
    expect(run.exitCode, run.stderr).toBe(1);
    const model = JSON.parse(await readFile(join(reports, "results.json"), "utf8")) as ResultsModel;
    const failing = (name: string) => model.cases.filter((entry) => entry.name.startsWith(`mesh > default/${name}:http > `) && entry.verdict === "fail").map((entry) => entry.properties.check);
    // Only cart and ledger fail anything; each fails its mode.
    expect(configured.map(([name]) => [name, failing(name).length > 0])).toEqual(configured.map(([name]) => [name, name === "cart" || name === "ledger"]));
    expect(failing("cart")).toEqual(["plaintext", "mode"]);
    expect(failing("ledger")).toContain("mode");
    const disagreeing = run.stdout.split("\n").filter((line) => line.startsWith("DISAGREES "));
    expect(disagreeing).toEqual([
      `DISAGREES default/cart:http: declared strict, observed permissive; checks plaintext, mode; declared by Service/default/cart, PeerAuthentication/istio-system/default, Namespace/default (istio-injection=enabled)`,
      `DISAGREES default/ledger:http: declared permissive, observed disabled; checks ${failing("ledger").join(", ")}; declared by Service/default/ledger, PeerAuthentication/default/ledger, Namespace/default (istio-injection=enabled)`,
    ]);
    expect(run.stdout).toContain("declared vs observed: 2 of 5 planned targets disagree");

    // The section comes first in summary.md and matrix.html.
    const summary = await readFile(join(reports, "summary.md"), "utf8");
    const headings = [...summary.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(headings[0]).toBe("Declared vs observed");
    expect(summary).toContain("2 of 5 planned targets disagree with their declaration (exit 1).");
    expect(summary).toContain("| default/cart:http | **DISAGREES** | strict | permissive | plaintext, mode | Service/default/cart, PeerAuthentication/istio-system/default, Namespace/default (istio-injection=enabled) |");
    expect(summary).toContain("| default/api:http | agrees | strict | strict | - |");
    const html = await readFile(join(reports, "matrix.html"), "utf8");
    expect(html.indexOf('<section id="declared">')).toBeGreaterThan(-1);
    expect(html.indexOf('<section id="declared">')).toBeLessThan(html.indexOf('<table id="matrix">'));
    expect([...html.matchAll(/data-target="([^"]+)" data-standing="disagrees"/g)].map((match) => match[1])).toEqual(["default/cart:http", "default/ledger:http"]);

    // Declared as configured: the same mesh agrees everywhere and exits 0.
    const agreeing = join(dir, "agreeing.yaml");
    await writeFile(agreeing, (await readFile(targets, "utf8")).replace(/(name: default\/cart:http\n(?:.*\n)*?\s+expectMode: )strict/, "$1permissive").replace(/(name: default\/ledger:http\n(?:.*\n)*?\s+expectMode: )permissive/, "$1disabled").replace(/(name: default\/ledger:http\n(?:.*\n)*?)\s+expectIdentity: .*\n/, "$1\n"));
    const fixed = await runCli(["run", "--targets", agreeing, "--json", join(dir, "agreeing.json")]);
    expect(fixed.exitCode, fixed.stdout).toBe(0);
    expect(fixed.stdout).toContain("declared vs observed: 0 of 5 planned targets disagree");
  }, 240_000);

  it.each([
    ["no input", ["plan", "--out", "x.yaml"], 'mtls-conformance: nothing to read: "mtls-conformance plan FILE|DIR... --out TARGETS.yaml"'],
    ["no --out", ["plan", "DATA/istio-docs"], "mtls-conformance: missing --out FILE (- for stdout)"],
    ["a bad --address", ["plan", "DATA/istio-docs", "--out", "-", "--address", "api=127.0.0.1"], 'mtls-conformance: invalid --address "api=127.0.0.1": expected NAME.NS=HOST or NAME.NS:PORT=HOST:PORT'],
    ["a missing input", ["plan", "/nonexistent/manifests", "--out", "-"], "mtls-conformance: /nonexistent/manifests: cannot be read (ENOENT)"],
    ["nothing declared", ["plan", "DATA/bad/manifests.yaml", "--out", "-"], "mtls-conformance: nothing to plan: no Service port has a declared mode (0 undeclared)"],
  ])("refuses %s with exit 2", async (_title, args, line) => {
    const result = await runCli(args.map((arg) => arg.replace("DATA", testdata)));
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split("\n")).toContain(line);
  });

  it("a file that is not YAML stops the plan: every bad input one line, nothing written", async () => {
    const out = join(fixtures.dir, "bad-plan.yaml");
    const result = await runCli(["plan", join(testdata, "bad"), join(testdata, "istio-docs"), "--out", out]);
    expect(result.exitCode).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines.at(-1)).toBe("mtls-conformance: nothing written: 1 input file could not be read or parsed");
    await expect(readFile(out, "utf8")).rejects.toThrow(/ENOENT/);
  });
});
