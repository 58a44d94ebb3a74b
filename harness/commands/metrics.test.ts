// `run --metrics FILE` against a strict openssl s_server, read back by two real parsers: the npm
// Prometheus text parser and, when python3-prometheus-client is installed, its strict OpenMetrics
// parser. The expiry must be the earliest notAfter that openssl itself reads from the certificates.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec, serverIdentity, serverName } from "../../fixtures/profiles.js";
import { allocateEndpoint, formatEndpoint } from "../core/network.js";
import { missingTools, skipEachWithout } from "../host/context.js";
import { startStrictSServer } from "../gallery/strict-s-server.js";
import type { ManagedProcess } from "../runtime/types.js";

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const command = join(root, "harness/bin/mtls-conformance.mjs");

/** parse-prometheus-text-format ships no types: the part of its result this test reads. */
type ParsedFamily = { name: string; type: string; metrics: Array<{ value: string; labels?: Record<string, string> }> };
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (text: string) => ParsedFamily[];

/** The strict OpenMetrics parser of prometheus_client; it raises on anything the format forbids (a missing # EOF included). */
const pythonParser = `
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        out.append({"family": family.name, "type": family.type, "name": sample.name, "labels": sample.labels, "value": sample.value})
print(json.dumps(out))
`;

/** The texts the command wrote, parsed again by the strict parser below. */
const written: { single?: string; mesh?: string } = {};

async function parseWithPython(text: string): Promise<Array<{ family: string; type: string; name: string; labels: Record<string, string>; value: number }>> {
  const child = run("/usr/bin/python3", ["-c", pythonParser], { timeout: 30_000 });
  child.child.stdin!.end(text);
  return JSON.parse((await child).stdout);
}

const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("MTLS_")));

async function mtlsConformance(args: string[]): Promise<{ exitCode: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [command, ...args], { env: cleanEnv(), timeout: 90_000 });
    return { exitCode: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { exitCode: failed.code, output: (failed.stdout ?? "") + (failed.stderr ?? "") };
  }
}

/** notAfter as openssl reads it, in Unix seconds. */
async function opensslNotAfter(file: string): Promise<number> {
  const { stdout } = await run("openssl", ["x509", "-noout", "-enddate", "-in", file], { timeout: 10_000 });
  return Date.parse(stdout.trim().replace(/^notAfter=/, "")) / 1000;
}

let work: string;
let fixtures: FixtureSet;
let server: ManagedProcess | undefined;
let target: string;
let closedTarget: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "mtls-metrics-test-"));
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  closedTarget = formatEndpoint(await allocateEndpoint());
  if (missingTools("openssl")) return;
  ({ target, server } = await startStrictSServer(fixtures));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (fixtures) await removeFixtureSet(fixtures);
  if (work) await rm(work, { recursive: true, force: true });
});

const settings = () => ({
  serverName,
  trustBundle: fixtures.bundles["trust-a"]!,
  issuerCert: fixtures.certs["issuer-a"]!.cert,
  issuerKey: fixtures.certs["issuer-a"]!.key,
  expectIdentity: serverIdentity,
  expectMode: "strict",
});
const flags = () => Object.entries(settings()).flatMap(([key, value]) => [`--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`, value]);

/** The earliest notAfter on the horizon: the leaf, the chain it sends (issuer A), the anchor (root A) and the client issuer (issuer A). */
const earliestNotAfter = async () => Math.min(...(await Promise.all([fixtures.certs.server!.cert, fixtures.certs["issuer-a"]!.cert, fixtures.certs["root-a"]!.cert].map(opensslNotAfter))));

describe("run --metrics", () => {
  skipEachWithout("openssl");

  it("a single target: every check a 0/1 gauge with its status, the observed mode, probe_ssl_earliest_cert_expiry at the certificates' notAfter, the run's duration and time", async () => {
    const file = join(work, "single.prom");
    const json = join(work, "single.json");
    const before = Date.now() / 1000;
    const result = await mtlsConformance(["run", "--target", target, ...flags(), "--json", json, "--metrics", file]);
    expect(result.exitCode, result.output).toBe(0);
    const text = await readFile(file, "utf8");
    expect(text.endsWith("# EOF\n")).toBe(true);
    const families = new Map(parsePrometheus(text).map((family) => [family.name, family]));
    expect([...families.keys()]).toEqual(["mtls_conformance_check_passed", "mtls_conformance_observed_mode_info", "probe_ssl_earliest_cert_expiry", "mtls_conformance_run_duration_seconds", "mtls_conformance_run_timestamp_seconds"]);
    for (const family of families.values()) expect(family.type, family.name).toBe("GAUGE");

    const report = JSON.parse(await readFile(json, "utf8")) as { checks: Array<{ id: string; verdict: string }> };
    const checks = families.get("mtls_conformance_check_passed")!.metrics;
    expect(checks.map((sample) => [sample.labels!.check, sample.labels!.status, sample.value])).toEqual(report.checks.map((check) => [check.id, check.verdict, check.verdict === "pass" ? "1" : "0"]));
    expect(checks.every((sample) => sample.labels!.target === target && sample.labels!.instance === target)).toBe(true);
    expect(families.get("mtls_conformance_observed_mode_info")!.metrics).toEqual([{ labels: { target, instance: target, mode: "strict", expected: "strict" }, value: "1" }]);
    expect(families.get("probe_ssl_earliest_cert_expiry")!.metrics).toEqual([{ labels: { target, instance: target }, value: String(await earliestNotAfter()) }]);
    const duration = Number(families.get("mtls_conformance_run_duration_seconds")!.metrics[0]!.value);
    const finished = Number(families.get("mtls_conformance_run_timestamp_seconds")!.metrics[0]!.value);
    expect(duration).toBeGreaterThan(0);
    expect(finished).toBeGreaterThanOrEqual(Math.floor(before + duration));
    expect(finished).toBeLessThanOrEqual(Date.now() / 1000);

    written.single = text;
  });

  it("a single target's file passes prometheus_client's strict OpenMetrics parser, with the same expiry", async ({ skip }) => {
    if (missingTools("openmetrics-parser")) skip(missingTools("openmetrics-parser"));
    expect(written.single, "the single-target case wrote the file").toBeDefined();
    const report = JSON.parse(await readFile(join(work, "single.json"), "utf8")) as { checks: Array<{ id: string; verdict: string }> };
    const samples = await parseWithPython(written.single!);
    const expiry = samples.find((sample) => sample.name === "probe_ssl_earliest_cert_expiry")!;
    expect(expiry).toEqual({ family: "probe_ssl_earliest_cert_expiry", type: "gauge", name: "probe_ssl_earliest_cert_expiry", labels: { target, instance: target }, value: await earliestNotAfter() });
    expect(samples.filter((sample) => sample.name === "mtls_conformance_check_passed")).toHaveLength(report.checks.length);
  });

  it("a targets file: one series per target and check, and an unreachable target with its mode none and no expiry", async () => {
    const lines = ["defaults:", ...Object.entries(settings()).map(([key, value]) => `  ${key}: "${value}"`), "targets:", "  - name: strict", `    target: "${target}"`, "  - name: gone", `    target: "${closedTarget}"`];
    await writeFile(join(work, "targets.yaml"), lines.join("\n") + "\n");
    const file = join(work, "mesh.prom");
    const result = await mtlsConformance(["run", "--targets", join(work, "targets.yaml"), "--reports", join(work, "mesh"), "--metrics", file]);
    expect(result.exitCode, result.output).toBe(2);
    const text = await readFile(file, "utf8");
    const families = new Map(parsePrometheus(text).map((family) => [family.name, family]));
    expect(families.get("mtls_conformance_observed_mode_info")!.metrics.map((sample) => [sample.labels!.target, sample.labels!.mode])).toEqual([
      ["strict", "strict"],
      ["gone", "none"],
    ]);
    expect(families.get("probe_ssl_earliest_cert_expiry")!.metrics).toEqual([{ labels: { target: "strict", instance: target }, value: String(await earliestNotAfter()) }]);
    const passed = families.get("mtls_conformance_check_passed")!.metrics;
    expect(passed.filter((sample) => sample.labels!.target === "gone").map((sample) => [sample.labels!.check, sample.labels!.status, sample.value])).toEqual([["control", "undetermined", "0"]]);
    expect(passed.find((sample) => sample.labels!.target === "strict" && sample.labels!.check === "client-cert::valid")).toMatchObject({ labels: { status: "pass" }, value: "1" });

    written.mesh = text;
  });

  it("a targets file's metrics pass prometheus_client's strict OpenMetrics parser", async ({ skip }) => {
    if (missingTools("openmetrics-parser")) skip(missingTools("openmetrics-parser"));
    expect(written.mesh, "the targets-file case wrote the file").toBeDefined();
    const samples = await parseWithPython(written.mesh!);
    expect(samples.filter((sample) => sample.name === "probe_ssl_earliest_cert_expiry").map((sample) => sample.value)).toEqual([await earliestNotAfter()]);
  });

  it("merge refuses --metrics with one line and exit 2", async () => {
    const result = await mtlsConformance(["merge", join(work, "none.json"), "--metrics", join(work, "merge.prom")]);
    expect(result).toEqual({ exitCode: 2, output: "mtls-conformance: merge takes results.json files and report flags, not --target, --targets, --tap or --metrics\n" });
  });
});
