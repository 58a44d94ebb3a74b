// A gallery of real endpoints nobody on the team wrote (openssl s_server, python3's http.server
// and ssl module), each probed through the `mtls-conformance` command as a user would run it.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec, serverIdentity, serverName } from "../../fixtures/profiles.js";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../network.js";
import { startProcess } from "../runtime/process.js";
import type { ManagedProcess } from "../runtime/types.js";
import type { ExternalReport } from "./run-checks.js";

const command = join(import.meta.dirname, "..", "bin", "mtls-conformance.mjs");
const sniffer = join(import.meta.dirname, "gallery", "permissive_sniffer.py");

type EndpointKind = "strict" | "requests-but-does-not-verify" | "optional" | "plaintext-http" | "permissive-sniffer";

let fixtures: FixtureSet;
const endpoints = new Map<EndpointKind, Endpoint>();
const running: ManagedProcess[] = [];

function serverArgs(endpoint: Endpoint, clientAuth: string[]): string[] {
  const server = fixtures.certs.server!;
  return ["s_server", "-accept", formatEndpoint(endpoint), "-cert", server.cert, "-cert_chain", server.chain, "-key", server.key, "-www", "-CAfile", fixtures.bundles["trust-a"]!, ...clientAuth];
}

async function start(kind: EndpointKind): Promise<void> {
  const endpoint = await allocateEndpoint();
  const server = fixtures.certs.server!;
  const programs: Record<EndpointKind, [string, string[], RegExp]> = {
    strict: ["openssl", serverArgs(endpoint, ["-Verify", "10", "-verify_return_error"]), /^ACCEPT$/m],
    // Without -verify_return_error s_server demands a certificate but accepts any (measured).
    "requests-but-does-not-verify": ["openssl", serverArgs(endpoint, ["-Verify", "10"]), /^ACCEPT$/m],
    optional: ["openssl", serverArgs(endpoint, ["-verify", "10", "-verify_return_error"]), /^ACCEPT$/m],
    "plaintext-http": ["python3", ["-u", "-m", "http.server", String(endpoint.port), "--bind", endpoint.host, "--directory", fixtures.dir + "/none"], /Serving HTTP/],
    "permissive-sniffer": ["python3", ["-u", sniffer, endpoint.host, String(endpoint.port), server.fullChain, server.key, fixtures.bundles["trust-a"]!], /^READY$/m],
  };
  const [program, args, ready] = programs[kind];
  running.push(await startProcess(program, args, { ready, readyTimeoutMs: 10_000, description: `${kind} endpoint` }));
  endpoints.set(kind, endpoint);
}

beforeAll(async () => {
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  for (const kind of ["strict", "requests-but-does-not-verify", "optional", "plaintext-http", "permissive-sniffer"] as const) await start(kind);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(running.map((process) => process.stop()));
  if (fixtures) await removeFixtureSet(fixtures);
});

async function runCli(args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const result = await execa(process.execPath, [command, ...args], { reject: false, timeout: 60_000, env: { MTLS_TARGET: "" } });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const withIssuer = () => ["--issuer-cert", fixtures.certs["issuer-a"]!.cert, "--issuer-key", fixtures.certs["issuer-a"]!.key];
const withServerChecks = () => ["--server-name", serverName, "--trust-bundle", fixtures.bundles["trust-a"]!, "--expect-identity", serverIdentity];

interface GalleryRow {
  endpoint: EndpointKind;
  expectMode: "strict" | "permissive" | "disabled";
  serverChecks: boolean;
  exitCode: number;
  observedMode: string;
  /** Exactly the checks the JSON must name as failing. */
  failing: string[];
}

const badClientCerts = ["client-cert::rogue-ca", "client-cert::self-signed", "client-cert::expired", "client-cert::not-yet-valid", "client-cert::server-auth-eku"];

const gallery: GalleryRow[] = [
  { endpoint: "strict", expectMode: "strict", serverChecks: true, exitCode: 0, observedMode: "strict", failing: [] },
  { endpoint: "requests-but-does-not-verify", expectMode: "strict", serverChecks: true, exitCode: 1, observedMode: "inconsistent", failing: [...badClientCerts, "mode"] },
  { endpoint: "optional", expectMode: "strict", serverChecks: true, exitCode: 1, observedMode: "inconsistent", failing: ["tls::no-client-cert", "mode"] },
  { endpoint: "plaintext-http", expectMode: "strict", serverChecks: false, exitCode: 1, observedMode: "disabled", failing: ["plaintext", "tls::no-client-cert", ...badClientCerts.slice(0, 2), "client-cert::valid", ...badClientCerts.slice(2), "mode"] },
  { endpoint: "plaintext-http", expectMode: "disabled", serverChecks: false, exitCode: 0, observedMode: "disabled", failing: [] },
  { endpoint: "permissive-sniffer", expectMode: "permissive", serverChecks: true, exitCode: 0, observedMode: "permissive", failing: [] },
  { endpoint: "permissive-sniffer", expectMode: "strict", serverChecks: true, exitCode: 1, observedMode: "permissive", failing: ["plaintext", "mode"] },
];

describe.concurrent("mtls-conformance run against a gallery of real endpoints", () => {
  it.each(gallery)("$endpoint expected $expectMode: exit $exitCode, observed $observedMode", async (row) => {
    const jsonFile = join(fixtures.dir, `report-${row.endpoint}-${row.expectMode}.json`);
    const target = formatEndpoint(endpoints.get(row.endpoint)!);
    const args = ["run", "--target", target, "--expect-mode", row.expectMode, ...withIssuer(), ...(row.serverChecks ? withServerChecks() : []), "--json", jsonFile];
    const result = await runCli(args);
    const report = JSON.parse(await readFile(jsonFile, "utf8")) as ExternalReport;
    expect({ exitCode: result.exitCode, observedMode: report.observedMode }, result.stdout + result.stderr).toEqual({ exitCode: row.exitCode, observedMode: row.observedMode });
    expect(report.checks.filter((check) => !check.pass).map((check) => check.id)).toEqual(row.failing);
    expect(report).toMatchObject({ target, expectMode: row.expectMode });
    expect(result.stdout).toContain(`${report.checks.length - row.failing.length} passed, ${row.failing.length} failed`);
  });

  it("writes JUnit with one testcase per check, failures naming expected and observed", async () => {
    const junitFile = join(fixtures.dir, "external.xml");
    const target = formatEndpoint(endpoints.get("optional")!);
    const result = await runCli(["run", "--target", target, "--expect-mode", "strict", ...withIssuer(), "--junit", junitFile]);
    expect(result.exitCode).toBe(1);
    const junit = await readFile(junitFile, "utf8");
    expect(junit.match(/<testcase /g)).toHaveLength(10);
    expect(junit).toContain(`name="external &gt; tls::no-client-cert &gt; ${target} (external)"`);
    expect(junit).toMatch(/<failure message="expected refused, observed served/);
  });

  it("prints TAP on stdout with --tap", async () => {
    const target = formatEndpoint(endpoints.get("strict")!);
    const result = await runCli(["run", "--target", target, "--expect-mode", "strict", "--tap"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^TAP version 13/m);
    expect(result.stdout).toMatch(/^ok \d+ - .*plaintext/m);
    expect(result.stderr).toContain("passed, 0 failed");
  });
});

describe.concurrent("mtls-conformance run on input it cannot judge: exit 2, one line, no stack trace", () => {
  const badInputs: Array<[string, () => Promise<string[]>, RegExp]> = [
    ["no command", async () => [], /missing command/],
    ["an unknown flag", async () => ["run", "--target", "127.0.0.1:1", "--frobnicate"], /Unknown option '--frobnicate'/],
    ["no target", async () => ["run"], /missing target/],
    ["a target without a port", async () => ["run", "--target", "nohost"], /invalid target "nohost"/],
    ["an unknown mode", async () => ["run", "--target", "127.0.0.1:1", "--expect-mode", "lenient"], /invalid expected mode "lenient"/],
    ["an issuer cert without a key", async () => ["run", "--target", "127.0.0.1:1", "--issuer-cert", fixtures.certs["issuer-a"]!.cert], /needs both/],
    ["a missing trust bundle", async () => ["run", "--target", "127.0.0.1:1", "--trust-bundle", "/nonexistent.pem"], /failed to read trust bundle \/nonexistent.pem: ENOENT/],
    [
      "malformed PEM",
      async () => {
        const path = join(fixtures.dir, "malformed.pem");
        await writeFile(path, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        return ["run", "--target", "127.0.0.1:1", "--trust-bundle", path];
      },
      /certificate 1 is malformed/,
    ],
    ["a key that does not match its certificate", async () => ["run", "--target", "127.0.0.1:1", "--issuer-cert", fixtures.certs["issuer-a"]!.cert, "--issuer-key", fixtures.certs["root-a"]!.key], /does not match certificate/],
    ["an issuer that is not a CA", async () => ["run", "--target", "127.0.0.1:1", "--issuer-cert", fixtures.certs.server!.cert, "--issuer-key", fixtures.certs.server!.key], /is not a CA certificate/],
    [
      "a target that refuses every connection",
      async () => ["run", "--target", formatEndpoint(await allocateEndpoint()), "--expect-mode", "strict", "--timeout-ms", "2000"],
      /failed to reach .*: every connection was refused or timed out/,
    ],
  ];

  it.each(badInputs)("%s", async (_title, args, message) => {
    const result = await runCli(await args());
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
