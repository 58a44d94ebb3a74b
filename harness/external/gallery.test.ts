// A gallery of real endpoints nobody on the team wrote, each probed through the `mtls-conformance`
// command as a user would run it: openssl s_server, python3's http.server and ssl module, and the
// third-party servers and misbehaving endpoints of gallery/launchers.ts (nginx, Caddy, HAProxy, Apache,
// mosquitto, nghttpx, PostgreSQL), whose ground truth was measured by hand (docs/gallery.md).
import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { altServerName, catalogueSpec, clientIdentity, serverIdentity, serverName } from "../../fixtures/profiles.js";
import { missingTools, skipEachWithout } from "../host/context.js";
import { findProgram } from "../host/detection.js";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../core/network.js";
import { startProcess } from "../runtime/process.js";
import type { ManagedProcess } from "../runtime/types.js";
import type { CheckVerdict } from "../core/case-record.js";
import { summaryLine } from "./report-model.js";
import type { ExternalReport } from "./run-checks.js";
import { startGalleryServer, type GalleryOptions, type RunningGalleryServer } from "../gallery/launchers.js";
import { detectionTimeoutMs, galleryServers, type DetectorKind, type GalleryKind } from "../gallery/truth.js";

const command = join(import.meta.dirname, "..", "bin", "mtls-conformance.mjs");
const sniffer = join(import.meta.dirname, "..", "gallery", "permissive_sniffer.py");

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

// The gallery's endpoints are openssl s_server and python3 programs; without them its cases are skipped.
const withoutGalleryPrograms = missingTools("openssl", "python3");

beforeAll(async () => {
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  if (withoutGalleryPrograms) return;
  for (const kind of ["strict", "requests-but-does-not-verify", "optional", "plaintext-http", "permissive-sniffer"] as const) await start(kind);
}, 60_000);

const thirdParty: RunningGalleryServer[] = [];
afterAll(async () => {
  await Promise.allSettled([...running.map((process) => process.stop()), ...thirdParty.map((server) => server.stop())]);
  if (fixtures) await removeFixtureSet(fixtures);
});

/** The command's JSON report; when there is none, the failure says what the command printed. */
async function readReport(jsonFile: string, result: { exitCode: number | undefined; stdout: string; stderr: string }): Promise<ExternalReport> {
  const text = await readFile(jsonFile, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new Error(`no JSON report (${error.code}); exit ${result.exitCode}; stdout: ${result.stdout.slice(-500)}; stderr: ${result.stderr.slice(-500)}`);
  });
  return JSON.parse(text) as ExternalReport;
}

async function runCli(args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const result = await execa(process.execPath, [command, ...args], { reject: false, timeout: 90_000, env: { MTLS_TARGET: "" } });
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
  /** Every check that is not pass, by status. */
  statuses: Statuses;
}

/** The name paths (--server-name): a server that serves TLS without a client certificate under its own name does so under every name. */
const namePaths = ["name::no-sni", "name::sni-case", "name::unknown-sni", "name::host-differs"];
/** Resumption from the default virtual host (a name the server does not serve) onto the server name, where both TLS versions are accepted. */
const resumption = ["resume::other-sni::tls1.2", "resume::other-sni::tls1.3"];

/** --detect: the protocol-detector checks. */
const detectChecks = ["detect::split-hello", "detect::slow-first-byte", "detect::server-first"];

const badClientCerts = ["client-cert::rogue-ca", "client-cert::self-signed", "client-cert::expired", "client-cert::not-yet-valid", "client-cert::server-auth-eku"];

const protocolPaths = ["h2", "http/1.1", "tls1.2", "tls1.3"].flatMap((over) => [`proto::${over}::no-client-cert`, `proto::${over}::rogue-ca`]);
/** The ALPN protocol paths (not probed where the endpoint does not select h2) and the TLS version paths (not probed where one version is not served). */
const [alpnPaths, tlsPaths] = [protocolPaths.slice(0, 4), protocolPaths.slice(4)];

/** The checks of a row that are not pass, by status (tls::negotiated is recorded unless listed). */
type Statuses = Partial<Record<CheckVerdict, string[]>>;

/** What a run was given, to spell out the checks it must report (written here, not read from the code under test). */
interface RunInputs {
  issuer: boolean;
  /** --server-name, --trust-bundle and --expect-identity. */
  serverChecks: boolean;
  protocol?: string;
  expectMode?: string;
  extra?: string[];
}

/** Every check id a judged run reports for these inputs (docs/external.md), CHECK@PATH per path when several. */
function checkIdsOf(inputs: RunInputs): string[] {
  const extra = inputs.extra ?? [];
  const valuesOf = (flag: string) => extra.flatMap((arg, index) => (arg === flag ? [extra[index + 1]!] : []));
  const allowed = valuesOf("--allow-identity").map((id) => (id.includes("://") ? id : `dns:${id.replace(/^dns:/, "")}`));
  const serverName = inputs.serverChecks || extra.includes("--server-name");
  const http = (inputs.protocol ?? "http") === "http" || inputs.protocol === "h2";
  const others = [...new Set(allowed.map((id) => (id.startsWith("dns:") ? `dns:not-allowed.${id.split(".").slice(1).join(".")}` : `spiffe://${new URL(id).host}/ns/mtls-conformance/sa/not-allowed`)))];
  const perPath = [
    "plaintext",
    "tls::no-client-cert",
    "client-cert::rogue-ca",
    "client-cert::self-signed",
    ...(inputs.issuer ? ["client-cert::valid", "client-cert::expired", "client-cert::not-yet-valid", "client-cert::server-auth-eku"] : []),
    ...(serverName ? namePaths : []),
    ...(inputs.issuer ? (http ? protocolPaths : protocolPaths.filter((id) => id.startsWith("proto::tls"))) : []),
    ...allowed.map((id) => `identity::allowed::${id}`),
    ...others.map((id) => `identity::other::${id}`),
  ];
  const paths = valuesOf("--path");
  const once = [
    ...(inputs.serverChecks ? ["server::chain"] : []),
    ...(serverName ? ["server::name"] : []),
    ...(inputs.serverChecks ? ["server::identity"] : []),
    ...(serverName ? resumption : []),
    ...(serverName && allowed.length ? ["resume::other-identity::tls1.2", "resume::other-identity::tls1.3"] : []),
    ...(extra.includes("--resume-sessions") ? ["resume::saved-session::tls1.2", "resume::saved-session::tls1.3"] : []),
    "server::expiry",
    ...(extra.includes("--detect") ? detectChecks : []),
    "tls::negotiated",
    ...(inputs.expectMode ? ["mode"] : []),
  ];
  return [...(paths.length > 1 ? paths.flatMap((path) => perPath.map((id) => `${id}@${path}`)) : perPath), ...once];
}

/** The status of every check: pass unless `statuses` says otherwise; `only`, for a run that could not judge, lists every check it reports. */
function expectedStatuses(inputs: RunInputs, statuses: Statuses, only = false): Record<string, CheckVerdict> {
  const expected: Record<string, CheckVerdict> = only ? {} : Object.fromEntries(checkIdsOf(inputs).map((id) => [id, id === "tls::negotiated" ? "recorded" : "pass"]));
  for (const [verdict, ids] of Object.entries(statuses) as Array<[CheckVerdict, string[]]>) {
    for (const id of ids) {
      if (!only && !(id in expected)) throw new Error(`${id} is not a check of this run`);
      expected[id] = verdict;
    }
  }
  return expected;
}

const statusesOf = (report: ExternalReport): Record<string, CheckVerdict> => Object.fromEntries(report.checks.map((check) => [check.id, check.verdict]));

const gallery: GalleryRow[] = [
  { endpoint: "strict", expectMode: "strict", serverChecks: true, exitCode: 0, observedMode: "strict", statuses: { "not-probed": [...alpnPaths, ...resumption] } },
  { endpoint: "requests-but-does-not-verify", expectMode: "strict", serverChecks: true, exitCode: 1, observedMode: "inconsistent", statuses: { fail: [...badClientCerts, "proto::tls1.2::rogue-ca", "proto::tls1.3::rogue-ca", "mode"], "not-probed": [...alpnPaths, ...resumption] } },
  { endpoint: "optional", expectMode: "strict", serverChecks: true, exitCode: 1, observedMode: "inconsistent", statuses: { fail: ["tls::no-client-cert", ...namePaths, "proto::tls1.2::no-client-cert", "proto::tls1.3::no-client-cert", ...resumption, "mode"], "not-probed": alpnPaths } },
  { endpoint: "plaintext-http", expectMode: "strict", serverChecks: false, exitCode: 1, observedMode: "disabled", statuses: { fail: ["plaintext", "tls::no-client-cert", ...badClientCerts.slice(0, 2), "client-cert::valid", ...badClientCerts.slice(2), "mode"], "not-probed": protocolPaths, recorded: ["server::expiry", "tls::negotiated"] } },
  { endpoint: "plaintext-http", expectMode: "disabled", serverChecks: false, exitCode: 0, observedMode: "disabled", statuses: { "not-probed": protocolPaths, recorded: ["server::expiry", "tls::negotiated"] } },
  { endpoint: "permissive-sniffer", expectMode: "permissive", serverChecks: true, exitCode: 0, observedMode: "permissive", statuses: { "not-probed": [...alpnPaths, ...resumption] } },
  { endpoint: "permissive-sniffer", expectMode: "strict", serverChecks: true, exitCode: 1, observedMode: "permissive", statuses: { fail: ["plaintext", "mode"], "not-probed": [...alpnPaths, ...resumption] } },
];

describe.concurrent("mtls-conformance run against a gallery of real endpoints", () => {
  skipEachWithout("openssl", "python3");
  it.each(gallery)("$endpoint expected $expectMode: exit $exitCode, observed $observedMode", async (row) => {
    const jsonFile = join(fixtures.dir, `report-${row.endpoint}-${row.expectMode}.json`);
    const target = formatEndpoint(endpoints.get(row.endpoint)!);
    const args = ["run", "--target", target, "--expect-mode", row.expectMode, ...withIssuer(), ...(row.serverChecks ? withServerChecks() : []), "--json", jsonFile];
    const result = await runCli(args);
    const report = await readReport(jsonFile, result);
    expect({ exitCode: result.exitCode, observedMode: report.observedMode }, result.stdout + result.stderr).toEqual({ exitCode: row.exitCode, observedMode: row.observedMode });
    expect(statusesOf(report)).toEqual(expectedStatuses({ issuer: true, serverChecks: row.serverChecks, expectMode: row.expectMode }, row.statuses));
    expect(report).toMatchObject({ target, expectMode: row.expectMode });
    // The closing line counts each status apart: a not-probed or recorded check is never counted as passed.
    expect(result.stdout).toContain(summaryLine(report.checks.map((check) => check.verdict)));
    expect(result.stdout).toMatch(new RegExp(`^${report.checks.filter((check) => check.verdict === "pass").length} passed, ${(row.statuses.fail ?? []).length} failed`, "m"));
  });

  it("writes JUnit with one testcase per check, failures naming expected and observed", async () => {
    const junitFile = join(fixtures.dir, "external.xml");
    const target = formatEndpoint(endpoints.get("optional")!);
    const result = await runCli(["run", "--target", target, "--expect-mode", "strict", ...withIssuer(), "--junit", junitFile]);
    expect(result.exitCode).toBe(1);
    const junit = await readFile(junitFile, "utf8");
    // 11 checks, and the 8 protocol paths (the issuer is given).
    expect(junit.match(/<testcase /g)).toHaveLength(19);
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

// A server whose chain is about to run out: its leaf has 3 days, its intermediate 10, under a root
// of its own (verified by hand: `openssl s_client -showcerts` then `openssl x509 -enddate`,
// docs/gallery.md "Expiry horizon"). Client certificates are checked against trust-a as elsewhere.
describe.concurrent("server::expiry against openssl s_server", () => {
  skipEachWithout("openssl");
  const shortLivedSpec = {
    certs: [
      { name: "expiry-root", issuer: "self", subject: { commonName: "mtls-conformance Expiry Root" }, ca: {}, validity: { notBeforeDays: -90, notAfterDays: 3650 } },
      { name: "expiry-issuer", issuer: "expiry-root", subject: { commonName: "mtls-conformance Short-lived Issuer" }, ca: { pathLength: 0 }, validity: { notBeforeDays: -90, notAfterDays: 10 } },
      { name: "expiry-server", issuer: "expiry-issuer", subject: { commonName: serverName }, san: { dns: [serverName] }, eku: ["serverAuth" as const], validity: { notBeforeDays: -1, notAfterDays: 3 } },
    ],
    bundles: [{ name: "expiry-trust", certs: ["expiry-root"] }],
  };

  async function shortLivedServer(): Promise<{ target: string; trust: string; serials: Record<string, string>; stop: () => Promise<void> }> {
    const chain = await writeFixtureSet(shortLivedSpec, new Date());
    const endpoint = await allocateEndpoint();
    const server = chain.certs["expiry-server"]!;
    const args = ["s_server", "-accept", formatEndpoint(endpoint), "-cert", server.cert, "-cert_chain", server.chain, "-key", server.key, "-www", "-CAfile", fixtures.bundles["trust-a"]!, "-Verify", "10", "-verify_return_error"];
    const child = await startProcess("openssl", args, { ready: /^ACCEPT$/m, readyTimeoutMs: 10_000, description: "short-lived chain endpoint" });
    const serials = { leaf: server.serial, chain: chain.certs["expiry-issuer"]!.serial };
    return { target: formatEndpoint(endpoint), trust: chain.bundles["expiry-trust"]!, serials, stop: async () => (await child.stop(), await removeFixtureSet(chain)) };
  }

  it("a leaf with 3 days and an intermediate with 10 fail --min-days 14, each named; --min-days 1 passes", async () => {
    const server = await shortLivedServer();
    try {
      const jsonFile = join(fixtures.dir, "report-expiry-short.json");
      const base = ["run", "--target", server.target, "--expect-mode", "strict", ...withIssuer(), "--trust-bundle", server.trust];
      const result = await runCli([...base, "--json", jsonFile]);
      const report = await readReport(jsonFile, result);
      const evidence = result.stdout + result.stderr;
      expect(result.exitCode, evidence).toBe(1);
      expect(report.checks.filter((check) => check.verdict === "fail").map((check) => check.id), evidence).toEqual(["server::expiry"]);
      const detail = report.checks.find((check) => check.id === "server::expiry")!.detail;
      expect(detail).toMatch(new RegExp(`^leaf CN=${serverName} \\(serial ${server.serials.leaf}\\) notAfter \\S+Z, 2 days left; chain CN=mtls-conformance Short-lived Issuer \\(serial ${server.serials.chain}\\) notAfter \\S+Z, 9 days left$`));
      expect(report.expiry!.certificates.map((entry) => [entry.role, entry.daysLeft])).toEqual([["leaf", 2], ["chain", 9], ["trust-anchor", 3649], ["issuer", 3649]]);
      expect(result.stdout).toMatch(/^nearest expiry: leaf CN=api\.mesh\.test \(serial \w+\) notAfter \S+, 2 days left$/m);

      const relaxed = await runCli([...base, "--min-days", "1"]);
      expect(relaxed.exitCode, relaxed.stdout + relaxed.stderr).toBe(0);
      expect(relaxed.stdout).toMatch(/^PASS\s+server::expiry\s+>= 1 days\s+nearest 2 days \(leaf\)/m);
    } finally {
      await server.stop();
    }
  });

  it("the catalogue's chain (leaf 30 days, issuer and root 10 years) passes and shows its nearest expiry", async () => {
    const target = formatEndpoint(endpoints.get("strict")!);
    const result = await runCli(["run", "--target", target, "--expect-mode", "strict", ...withIssuer(), "--trust-bundle", fixtures.bundles["trust-a"]!]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^nearest expiry: leaf CN=api\.mesh\.test \(serial \w+\) notAfter \S+, (29|30) days left$/m);
    expect(result.stdout).toMatch(/^PASS\s+server::expiry\s+>= 14 days/m);
  });
});

interface ThirdPartyRow {
  title: string;
  kind: GalleryKind;
  options?: GalleryOptions;
  protocol: "http" | "h2" | "raw" | "postgres";
  issuer: boolean;
  /** --server-name, --trust-bundle, --expect-identity (Caddy answers 421 without a matching server name). */
  serverChecks: boolean;
  expectMode: "strict" | "permissive" | "disabled";
  exitCode: number;
  /** null: the run could not judge the endpoint and reports no mode. */
  observedMode: string | null;
  /** Every check that is not pass, by status. */
  statuses: Statuses;
  /** The run could not judge the endpoint: `statuses` lists every check it reports. */
  unjudged?: true;
  /** More flags for the run (--allow-identity). */
  extra?: string[];
  /** Paths judged over a fallback version, as "PATH VERSION" (none when absent). */
  judgedOver?: string[];
  /** What the one line on stderr says (exit 2). */
  stderr?: RegExp;
}


const allowClient = ["--allow-identity", clientIdentity];
const otherIdentityCheck = "identity::other::spiffe://cluster.local/ns/mtls-conformance/sa/not-allowed";

// Ground truth per server, verified by hand with openssl s_client first (docs/gallery.md).
const thirdPartyRows: ThirdPartyRow[] = [
  // nginx refuses inside a completed handshake with 400 pages; the control (a valid certificate) gets 200.
  { title: "nginx ssl_verify_client on", kind: "nginx-verify-on", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": [...protocolPaths, "resume::other-sni::tls1.3"] } },
  { title: "nginx ssl_verify_client on, no issuer (its 400 pages are known refusals)", kind: "nginx-verify-on", protocol: "http", issuer: false, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": ["resume::other-sni::tls1.3"] } },
  { title: "nginx ssl_verify_client optional", kind: "nginx-verify-optional", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 1, observedMode: "inconsistent", statuses: { fail: ["tls::no-client-cert", ...namePaths, "resume::other-sni::tls1.2", "mode"], "not-probed": [...protocolPaths, "resume::other-sni::tls1.3"] } },
  // Identity authorization: nginx trusting the CA admits any identity it signed; the map on $ssl_client_s_dn admits one.
  { title: "nginx ssl_verify_client on, --allow-identity: another identity from the issuer is served", kind: "nginx-verify-on", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 1, observedMode: "strict", statuses: { fail: [otherIdentityCheck], "not-probed": protocolPaths }, extra: allowClient },
  { title: "nginx map on $ssl_client_s_dn, --allow-identity: the allowed identity served, another refused", kind: "nginx-identity-map", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": protocolPaths }, extra: allowClient },
  // A DNS identity: the minted certificates carry it as DNS SAN and CN; the other one is not-allowed.<parent domain>.
  { title: "nginx map admitting CN=client.mesh.test, --allow-identity client.mesh.test (a DNS SAN)", kind: "nginx-identity-map", options: { allowedIdentity: "client.mesh.test" }, protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": protocolPaths }, extra: ["--allow-identity", "client.mesh.test"] },
  { title: "nginx ssl_verify_client on, --allow-identity client.mesh.test: dns:not-allowed.mesh.test is served", kind: "nginx-verify-on", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 1, observedMode: "strict", statuses: { fail: ["identity::other::dns:not-allowed.mesh.test"], "not-probed": protocolPaths }, extra: ["--allow-identity", "dns:client.mesh.test"] },
  // Allowing an identity the server refuses: the control presents it and gets 403, a refused control (nginx 1.22 has no TLS 1.3 to fall back from): nothing is judged.
  { title: "nginx map on $ssl_client_s_dn, allowing an identity it refuses: the control is refused", kind: "nginx-identity-map", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 2, observedMode: null, statuses: { undetermined: ["control"] }, unjudged: true, stderr: /^mtls-conformance: the endpoint refused the control, a valid client certificate from the issuer: HTTP\/1\.1 403 Forbidden: identity not allowed \(the trusted client is refused \(HTTP 403/, extra: ["--allow-identity", "spiffe://cluster.local/ns/default/sa/other"] },
  // Per-path policy: client certificates required under /api only. Probing / misses it; --path /api tests it; both paths fail naming /.
  { title: "nginx requiring a certificate under /api only, probed at /", kind: "nginx-per-location", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 1, observedMode: "inconsistent", statuses: { fail: ["tls::no-client-cert", "mode"], "not-probed": protocolPaths } },
  { title: "nginx requiring a certificate under /api only, --path /api", kind: "nginx-per-location", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": protocolPaths }, extra: ["--path", "/api"] },
  { title: "nginx requiring a certificate under /api only, --path / --path /api: / fails by name", kind: "nginx-per-location", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 1, observedMode: "inconsistent", statuses: { fail: ["tls::no-client-cert@/", "mode"], "not-probed": ["/", "/api"].flatMap((path) => protocolPaths.map((id) => `${id}@${path}`)) }, extra: ["--path", "/", "--path", "/api", "--header", "X-Probe: mtls-conformance"] },
  // Name paths: a default server without client auth serves a request whose Host is not the API's inside the API's handshake.
  { title: "nginx API with an open default server beside it: name::host-differs served", kind: "nginx-default-server-open", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 1, observedMode: "strict", statuses: { fail: ["name::host-differs"], "not-probed": [...protocolPaths, "resume::other-sni::tls1.3"] } },
  { title: "nginx API with a closed default server (ssl_reject_handshake, 421)", kind: "nginx-default-server-closed", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": [...protocolPaths, ...resumption] } },
  // Protocol paths: a refusal written against one protocol misses the other. nghttpx (below) holds on all four paths.
  { title: "nginx refusing no certificate over HTTP/1.1 only: proto::h2 fails by name", kind: "nginx-refuses-http1-only", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 1, observedMode: "strict", statuses: { fail: ["proto::h2::no-client-cert"] } },
  { title: "nginx refusing no certificate under TLS 1.2 only: proto::tls1.3 fails by name", kind: "nginx-refuses-tls12-only", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 1, observedMode: "inconsistent", statuses: { fail: ["tls::no-client-cert", "proto::h2::no-client-cert", "proto::http/1.1::no-client-cert", "proto::tls1.3::no-client-cert", "mode"] } },
  // Resumption: a session from alt.mesh.test (no client auth) offered on api.mesh.test. HAProxy's crt-list resumes and serves it; nginx (CVE-2025-23419 fixed) refuses.
  { title: "HAProxy crt-list, --resume-from alt.mesh.test: resumed sessions served on the API", kind: "haproxy-crt-list-resumption", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 1, observedMode: "strict", statuses: { fail: resumption, "not-probed": alpnPaths }, extra: ["--resume-from", altServerName] },
  { title: "nginx sharing a session cache and ticket key, --resume-from alt.mesh.test: refused", kind: "nginx-shared-sessions", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": alpnPaths }, extra: ["--resume-from", altServerName] },
  // Resumption after presenting another identity: a session from alt.mesh.test (any identity from trust-a) resumed on api.mesh.test (one identity).
  // HAProxy's rule on ssl_fc_sni sees the session's first name on a resumed TLS 1.2 session and serves it; TLS 1.3 holds. nginx refuses both.
  { title: "HAProxy crt-list admitting one identity by a rule on ssl_fc_sni, --resume-from alt.mesh.test: TLS 1.2 resumed and served", kind: "haproxy-sni-identity", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 1, observedMode: "strict", statuses: { fail: ["resume::other-identity::tls1.2"], "not-probed": [...alpnPaths, ...resumption] }, extra: ["--resume-from", altServerName, ...allowClient] },
  // Allowing an identity api.mesh.test refuses: the control gets 403 over TLS 1.3 and over TLS 1.2 alike, a refused control: nothing is judged.
  { title: "nginx admitting one identity on api.mesh.test, allowing another: the control is refused over both versions", kind: "nginx-identity-per-name", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 2, observedMode: null, statuses: { undetermined: ["control"] }, unjudged: true, stderr: /^mtls-conformance: the endpoint refused the control, a valid client certificate from the issuer: HTTP\/1\.1 403 Forbidden: identity not allowed \(the trusted client is refused \(HTTP 403.*forced onto TLS 1\.2: HTTP\/1\.1 403 Forbidden: identity not allowed; nothing can be judged against a refused control$/, extra: ["--resume-from", altServerName, "--allow-identity", "spiffe://cluster.local/ns/default/sa/other"] },
  { title: "nginx admitting one identity on api.mesh.test, sharing sessions with alt.mesh.test, --resume-from alt.mesh.test: refused", kind: "nginx-identity-per-name", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": alpnPaths }, extra: ["--resume-from", altServerName, ...allowClient] },
  // Caddy (Go crypto/tls) verifies names byte for byte: the minted certificate must carry the issuer's subject as is.
  { title: "Caddy require_and_verify", kind: "caddy-require-and-verify", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": resumption } },
  // HAProxy verify optional + http-request deny: 403 where the control gets 200.
  { title: "HAProxy verify optional, deny 403", kind: "haproxy-optional-403", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": alpnPaths } },
  { title: "HAProxy's 403 without a trusted client to compare: undetermined, exit 2", kind: "haproxy-optional-403", protocol: "http", issuer: false, serverChecks: true, expectMode: "strict", exitCode: 2, observedMode: "undetermined", statuses: { undetermined: ["tls::no-client-cert", ...namePaths, ...resumption, "mode"] } },
  // mosquitto speaks MQTT: it closes on an HTTP request, for the control too; raw waits for an alert instead.
  { title: "mosquitto require_certificate, --protocol raw", kind: "mosquitto-require-certificate", protocol: "raw", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": resumption } },
  { title: "mosquitto require_certificate, probed with HTTP", kind: "mosquitto-require-certificate", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": [...alpnPaths, ...resumption] } },
  { title: "nghttpx verify-client, --protocol h2", kind: "nghttpx-h2-verify-client", protocol: "h2", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": resumption } },
  // PostgreSQL only requests a certificate in the handshake; hostssl ... cert maps the certificate's CN to the StartupMessage's user. The
  // minted control (CN mtls-conformance-valid, user mtls-conformance) is refused by the protocol itself ("certificate authentication
  // failed"), over TLS 1.3 and 1.2: a refused control, so nothing is judged (exit 2) rather than calling that error "served".
  { title: "PostgreSQL hostssl cert, --protocol postgres: the control is refused by the protocol", kind: "postgres-hostssl-cert", protocol: "postgres", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 2, observedMode: null, statuses: { undetermined: ["control"] }, unjudged: true, stderr: /the endpoint refused the control, a valid client certificate from the issuer: postgres FATAL 28000: certificate authentication failed for user "mtls-conformance" \(the trusted client is refused \(a postgres ErrorResponse\)/ },
  { title: "PostgreSQL probed with HTTP: TLS after a preamble, nothing served", kind: "postgres-hostssl-cert", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 2, observedMode: null, statuses: { undetermined: ["control"] }, unjudged: true },
  // Apache 2.4, SSLVerifyClient require inside <Location /secure>: under TLS 1.3 it needs post-handshake auth, which node's client never
  // offers, so every client gets 403 there, the valid one included; under TLS 1.2 it renegotiates. /secure is judged over TLS 1.2.
  { title: "Apache SSLVerifyClient require in <Location /secure>, --path /secure: judged over TLS 1.2", kind: "apache-location-require", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": [...protocolPaths, "resume::other-sni::tls1.3"] }, extra: ["--path", "/secure"], judgedOver: ["/secure TLSv1.2"] },
  { title: "Apache SSLVerifyClient require in <Location /secure>, probed at /: served without a certificate", kind: "apache-location-require", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 1, observedMode: "inconsistent", statuses: { fail: ["tls::no-client-cert", "client-cert::rogue-ca", "client-cert::self-signed", "client-cert::expired", "client-cert::not-yet-valid", "client-cert::server-auth-eku", ...tlsPaths, "mode"], "not-probed": alpnPaths } },
  { title: "Apache SSLVerifyClient require in the whole vhost, --path /secure", kind: "apache-vhost-require", protocol: "http", issuer: true, serverChecks: true, expectMode: "strict", exitCode: 0, observedMode: "strict", statuses: { "not-probed": [...alpnPaths, ...resumption] }, extra: ["--path", "/secure"] },
  // Misbehaving endpoints: never a pass.
  { title: "accepts and never speaks", kind: "silent", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 2, observedMode: null, statuses: { undetermined: ["control"] }, unjudged: true },
  { title: "resets every connection after the ClientHello", kind: "reset-after-hello", protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 2, observedMode: null, statuses: { undetermined: ["control"] }, unjudged: true },
  // 11 connections: the control, plaintext twice, the control, four TLS probes twice, the control; then resets.
  // Seeded (the sequence is the same every run): the controls are served, and four checks (three certificates, proto::tls1.2::no-client-cert) are classified differently across their attempts.
  { title: "resets about 30% of connections at random (seed 10): unstable checks", kind: "random-reset", options: { seed: 10 }, protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 2, observedMode: "undetermined", statuses: { unstable: ["client-cert::self-signed", "client-cert::not-yet-valid", "client-cert::server-auth-eku", "proto::tls1.2::no-client-cert"], undetermined: ["mode"], "not-probed": alpnPaths } },
  { title: "stops serving after the second control repeat", kind: "stops-mid-run", options: { serveConnections: 11 }, protocol: "http", issuer: true, serverChecks: false, expectMode: "strict", exitCode: 2, observedMode: null, statuses: { pass: ["plaintext", "tls::no-client-cert", ...badClientCerts], unstable: ["client-cert::valid"], undetermined: ["control"] }, unjudged: true },
];

describe.concurrent("mtls-conformance run against real third-party servers and misbehaving endpoints", () => {
  for (const row of thirdPartyRows) {
    const program = galleryServers[row.kind].program;
    const missing = findProgram(program) ? undefined : `not installed (${program} missing): apt-get install ${galleryServers[row.kind].debianPackage ?? program}, or npm run setup`;
    it(`${row.title}: exit ${row.exitCode}, observed ${row.observedMode ?? "no mode"}`, async ({ skip }) => {
      if (missing) skip(missing);
      const server = await startGalleryServer(row.kind, fixtures, row.options);
      thirdParty.push(server);
      const jsonFile = join(fixtures.dir, `report-${row.kind}-${thirdPartyRows.indexOf(row)}.json`);
      const target = formatEndpoint(server.endpoint);
      const args = ["run", "--target", target, "--expect-mode", row.expectMode, "--protocol", row.protocol, ...(row.issuer ? withIssuer() : []), ...(row.serverChecks ? withServerChecks() : []), ...(row.extra ?? []), "--json", jsonFile];
      try {
        const result = await runCli(args);
        const report = await readReport(jsonFile, result);
        const evidence = `${result.stdout}\n${result.stderr}`;
        expect({ exitCode: result.exitCode, observedMode: report.observedMode }, evidence).toEqual({ exitCode: row.exitCode, observedMode: row.observedMode });
        expect(statusesOf(report), evidence).toEqual(expectedStatuses(row, row.statuses, row.unjudged));
        if (row.exitCode === 2) expect(result.stderr.trim().split("\n"), evidence).toHaveLength(1);
        if (row.stderr) expect(result.stderr, evidence).toMatch(row.stderr);
        expect(report.judgedOver?.map((fallback) => `${fallback.path} ${fallback.tlsVersion}`), evidence).toEqual(row.judgedOver);
        for (const fallback of report.judgedOver ?? []) {
          expect(fallback.reason).toMatch(/refused over TLS 1\.3 \(HTTP\/1\.1 403 Forbidden.*needs post-handshake auth, which node's TLS client never offers/);
          expect(result.stdout).toContain(`judged over TLS 1.2 at ${fallback.path}: ${fallback.reason}`);
          for (const check of report.checks.filter((each) => each.tlsVersion)) expect(check.detail).toMatch(/^over TLS 1\.2 only/);
        }
      } finally {
        await server.stop();
      }
    }, 120_000);
  }
});

// Resumption after a trust change: sessions saved while the server trusts trust-a (the issuer's
// root), offered after a restart that trusts trust-b only, with the same ticket key file. Verified
// by hand with s_client -sess_out/-sess_in first (docs/gallery.md "Resumption after a trust change").
describe.concurrent("--save-sessions, then --resume-sessions after the server's CA list changed", () => {
  const savedChecks = ["resume::saved-session::tls1.2", "resume::saved-session::tls1.3"];
  const rows: Array<{ kind: GalleryKind; title: string; exitCode: number; statuses: Statuses }> = [
    { kind: "haproxy-ticket-keys", title: "HAProxy with a tls-ticket-keys file resumes the old certificate's sessions and serves them", exitCode: 1, statuses: { fail: savedChecks, "not-probed": [...alpnPaths, ...resumption] } },
    { kind: "nginx-client-ca", title: "nginx (session id context over its client CA list) makes a full handshake and refuses them", exitCode: 0, statuses: { "not-probed": alpnPaths } },
  ];
  for (const row of rows) {
    const program = galleryServers[row.kind].program;
    it(`${row.title}: exit ${row.exitCode}`, async ({ skip }) => {
      if (!findProgram(program)) skip(`not installed (${program} missing): apt-get install ${galleryServers[row.kind].debianPackage ?? program}, or npm run setup`);
      const ticketKeys = join(fixtures.dir, `tickets-${row.kind}`);
      const sessionFile = join(fixtures.dir, `sessions-${row.kind}.json`);
      const jsonFile = join(fixtures.dir, `report-${row.kind}-resumed.json`);
      let server = await startGalleryServer(row.kind, fixtures, { ticketKeys });
      thirdParty.push(server);
      const target = formatEndpoint(server.endpoint);
      const base = ["run", "--target", target, "--server-name", serverName, "--expect-mode", "strict"];
      try {
        const saved = await runCli([...base, ...withIssuer(), "--save-sessions", sessionFile]);
        expect(saved.exitCode, saved.stdout + saved.stderr).toBe(0);
        expect(saved.stdout).toContain(`sessions saved to ${sessionFile}: TLS 1.2 4, TLS 1.3 4; it holds session secrets and a private key`);
        expect((await stat(sessionFile)).mode & 0o777).toBe(0o600);
        const file = JSON.parse(await readFile(sessionFile, "utf8")) as { target: string; serverName: string; versions: Record<string, { sessions: string[] }> };
        expect(file).toMatchObject({ target, serverName });

        // The server still trusts the certificate: the check has nothing to judge and says so.
        const unchanged = await runCli([...base, ...withIssuer(), "--resume-sessions", sessionFile, "--json", jsonFile]);
        expect(unchanged.exitCode, unchanged.stdout + unchanged.stderr).toBe(0);
        const still = (await readReport(jsonFile, unchanged)).checks.filter((check) => savedChecks.includes(check.id));
        expect(still.map((check) => [check.verdict, check.observed])).toEqual(savedChecks.map(() => ["recorded", "still trusted (served)"]));

        await server.stop();
        server = await startGalleryServer(row.kind, fixtures, { ticketKeys, clientCa: "trust-b", endpoint: server.endpoint });
        thirdParty.push(server);
        const issuerB = ["--issuer-cert", fixtures.certs["issuer-b"]!.cert, "--issuer-key", fixtures.certs["issuer-b"]!.key];
        const junitFile = join(fixtures.dir, `report-${row.kind}-resumed.xml`);
        const result = await runCli([...base, ...issuerB, "--resume-sessions", sessionFile, "--json", jsonFile, "--junit", junitFile]);
        const report = await readReport(jsonFile, result);
        const evidence = result.stdout + result.stderr;
        expect({ exitCode: result.exitCode, observedMode: report.observedMode }, evidence).toEqual({ exitCode: row.exitCode, observedMode: "strict" });
        expect(statusesOf(report), evidence).toEqual(expectedStatuses({ issuer: true, serverChecks: false, expectMode: "strict", extra: ["--server-name", serverName, "--resume-sessions", sessionFile] }, row.statuses));
        const checks = report.checks.filter((check) => savedChecks.includes(check.id));
        expect(checks.map((check) => check.verdict), evidence).toEqual(savedChecks.map(() => (row.statuses.fail?.length ? "fail" : "pass")));
        const junit = await readFile(junitFile, "utf8");
        for (const id of savedChecks) expect(junit).toContain(`name="external &gt; ${id} &gt; ${target} (external)"`);
        expect((junit.match(/<failure /g) ?? []).length).toBe(row.statuses.fail?.length ?? 0);
        for (const check of checks) expect(check.detail).toMatch(/a full handshake with the saved certificate is refused \(TLS alert unknown_ca \(48\)|HTTP\/1\.1 400 Bad Request/);
      } finally {
        await server.stop();
      }
    }, 120_000);
  }
});

describe.concurrent("mtls-conformance run on input it cannot judge: exit 2, one line, no stack trace", () => {
  const badInputs: Array<[string, () => Promise<string[]>, RegExp]> = [
    ["no command", async () => [], /missing command/],
    ["an unknown flag", async () => ["run", "--target", "127.0.0.1:1", "--frobnicate"], /Unknown option '--frobnicate'/],
    ["no target", async () => ["run"], /missing target/],
    ["a target without a port", async () => ["run", "--target", "nohost"], /invalid target "nohost"/],
    ["an unknown mode", async () => ["run", "--target", "127.0.0.1:1", "--expect-mode", "lenient"], /invalid expected mode "lenient"/],
    ["--allow-identity without an issuer", async () => ["run", "--target", "127.0.0.1:1", "--allow-identity", "spiffe://cluster.local/ns/a/sa/b"], /--allow-identity needs --issuer-cert and --issuer-key/],
    ["an identity that is neither a URI nor a DNS name", async () => ["run", "--target", "127.0.0.1:1", "--allow-identity", "not a name"], /invalid allowed identity "not a name"/],
    ["a relative --path", async () => ["run", "--target", "127.0.0.1:1", "--path", "api"], /invalid path "api"/],
    ["a header without a colon", async () => ["run", "--target", "127.0.0.1:1", "--header", "X-Probe yes"], /invalid header "X-Probe yes"/],
    ["a Host header", async () => ["run", "--target", "127.0.0.1:1", "--header", "Host: other"], /the harness sets Host itself/],
    ["--path with --protocol raw", async () => ["run", "--target", "127.0.0.1:1", "--protocol", "raw", "--path", "/api"], /--path and --header apply to --protocol http and h2/],
    ["a negative --min-days", async () => ["run", "--target", "127.0.0.1:1", "--min-days=-3"], /invalid minimum days "-3"/],
    ["--save-sessions without an issuer", async () => ["run", "--target", "127.0.0.1:1", "--save-sessions", join(fixtures.dir, "never.json")], /--save-sessions needs --issuer-cert and --issuer-key/],
    ["a --resume-sessions file that is not one", async () => ["run", "--target", "127.0.0.1:1", "--resume-sessions", fixtures.certs.client!.cert], /failed to read session file .*: not JSON/],
    [
      "a --resume-sessions file saved for another target",
      async () => {
        const path = join(fixtures.dir, "other-target-sessions.json");
        const pem = await readFile(fixtures.certs.client!.cert, "utf8");
        const versions = { "tls1.2": { sessions: [], answer: "" }, "tls1.3": { sessions: [], answer: "" } };
        await writeFile(path, JSON.stringify({ format: "mtls-conformance-sessions/1", savedAt: new Date().toISOString(), target: "127.0.0.1:2", serverName: serverName, certificate: { pem, keyPem: "-" }, versions }));
        return ["run", "--target", "127.0.0.1:1", "--server-name", serverName, "--resume-sessions", path];
      },
      /session file .* was saved for 127\.0\.0\.1:2 \(server name api\.mesh\.test\), not 127\.0\.0\.1:1 \(server name api\.mesh\.test\): offer sessions only to the endpoint that issued them/,
    ],
    [
      "a --resume-sessions file that holds no session",
      async () => {
        const path = join(fixtures.dir, "empty-sessions.json");
        const pem = await readFile(fixtures.certs.client!.cert, "utf8");
        const none = { sessions: [], answer: "alert certificate_required", problem: "the TLS 1.2 handshake with the valid certificate did not complete" };
        await writeFile(path, JSON.stringify({ format: "mtls-conformance-sessions/1", savedAt: new Date().toISOString(), target: "127.0.0.1:1", serverName, certificate: { pem, keyPem: "-" }, versions: { "tls1.2": none, "tls1.3": { sessions: [], answer: "" } } }));
        return ["run", "--target", "127.0.0.1:1", "--server-name", serverName, "--resume-sessions", path];
      },
      /session file .* holds no session to offer \(TLS 1\.2: the TLS 1\.2 handshake with the valid certificate did not complete; TLS 1\.3: none saved\): save sessions again with --save-sessions/,
    ],
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

// Protocol detectors in front of a strict TLS terminator, each with a 3 s detection timeout, probed
// with --detect and --timeout-ms 4000 (so the pause, min(11 s, --timeout-ms), outlasts the
// detection). Measured by hand first (docs/gallery.md "Protocol detectors").
const nginxStreamModule = "/usr/lib/nginx/modules/ngx_stream_module.so";

describe.concurrent("--detect against protocol detectors", () => {
  const detectTimeoutMs = String(detectionTimeoutMs + 1_000);
  const rows: Array<{ kind: DetectorKind; program: string; title: string; expectMode: "strict" | "permissive"; exitCode: number; statuses: Statuses }> = [
    { kind: "nginx-preread-strict", program: "nginx", title: "nginx ssl_preread, non-TLS dropped: every detector check refused", expectMode: "strict", exitCode: 0, statuses: { "not-probed": protocolPaths } },
    // nginx closes a connection still silent at preread_timeout instead of routing it: the slow plaintext client is not served.
    { kind: "nginx-preread-permissive", program: "nginx", title: "nginx ssl_preread, non-TLS to a plaintext app: plaintext after the pause is closed, not served", expectMode: "permissive", exitCode: 1, statuses: { "not-probed": protocolPaths, fail: ["detect::slow-first-byte"] } },
    { kind: "haproxy-detect-strict", program: "haproxy", title: "HAProxy req.ssl_hello_type, non-TLS rejected: every detector check refused", expectMode: "strict", exitCode: 0, statuses: { "not-probed": alpnPaths } },
    { kind: "haproxy-detect-permissive", program: "haproxy", title: "HAProxy req.ssl_hello_type, non-TLS to a plaintext app: plaintext after the pause served", expectMode: "permissive", exitCode: 0, statuses: { "not-probed": alpnPaths } },
    { kind: "detect-fallback", program: "node", title: "a detector that forwards a silent client as plaintext: the slow first byte is a bypass", expectMode: "strict", exitCode: 1, statuses: { "not-probed": alpnPaths, fail: ["detect::slow-first-byte"] } },
    { kind: "speaks-first", program: "node", title: "a detector that forwards a silent client to a service that speaks first", expectMode: "strict", exitCode: 1, statuses: { "not-probed": alpnPaths, fail: ["detect::slow-first-byte", "detect::server-first"] } },
  ];
  for (const row of rows) {
    it(`${row.title}: exit ${row.exitCode}`, async ({ skip }) => {
      if (!findProgram(row.program)) skip(`not installed (${row.program} missing): npm run setup`);
      if (row.program === "nginx" && !existsSync(nginxStreamModule)) skip(`not installed (${nginxStreamModule} missing): apt-get install libnginx-mod-stream, or npm run setup`);
      const server = await startGalleryServer(row.kind, fixtures);
      thirdParty.push(server);
      const jsonFile = join(fixtures.dir, `report-${row.kind}-detect.json`);
      const extra = ["--detect", "--timeout-ms", detectTimeoutMs];
      try {
        const result = await runCli(["run", "--target", formatEndpoint(server.endpoint), "--expect-mode", row.expectMode, ...withIssuer(), ...extra, "--json", jsonFile]);
        const report = await readReport(jsonFile, result);
        const evidence = `${result.stdout}\n${result.stderr}`;
        expect({ exitCode: result.exitCode, observedMode: report.observedMode }, evidence).toEqual({ exitCode: row.exitCode, observedMode: row.expectMode });
        expect(statusesOf(report), evidence).toEqual(expectedStatuses({ issuer: true, serverChecks: false, expectMode: row.expectMode, extra }, row.statuses));
      } finally {
        await server.stop();
      }
    }, 180_000);
  }
});
