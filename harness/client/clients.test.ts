// `mtls-conformance client` proven on real clients nobody here wrote, each verified by hand first
// (docs/client.md): good ones meet every expectation (exit 0); broken ones are caught by exactly
// the scenarios they should fail (exit 1); a hang is bounded and never a pass, a command that does
// not start or refuses the control leaves nothing judged (exit 2). Runs the compiled command as a
// user does.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingImplementations, missingTools } from "../host/context.js";
import type { TestTool } from "../host/detection.js";
import { clientScenarios } from "../scenarios/client.js";
import type { ClientReport } from "./run-client.js";

const command = join(import.meta.dirname, "..", "bin", "mtls-conformance.mjs");
/** The README's example clients. */
const examples = join(import.meta.dirname, "..", "..", "examples", "clients");
const identity = "spiffe://example.org/ns/prod/sa/api";
let scratch: string;

// A service-style node client: https.get by address with the name as SNI, checking the URI SAN too when given one.
const nodeClient = `import https from "node:https";
import tls from "node:tls";
import { readFileSync } from "node:fs";
const [host, port, servername, ca, cert, key, identity] = process.argv.slice(2);
const checkServerIdentity = (name, peer) =>
  tls.checkServerIdentity(name, peer) ?? (identity && !(peer.subjectaltname ?? "").split(", ").includes("URI:" + identity) ? new Error("URI SAN is not " + identity) : undefined);
https.get({ host, port: Number(port), servername, ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key), timeout: 5000, checkServerIdentity }, (response) => {
  response.resume();
  response.on("end", () => process.exit(response.statusCode === 200 ? 0 : 1));
}).on("error", (error) => { console.error(error.message); process.exit(1); });
`;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "mtls-client-test-"));
  writeFileSync(join(scratch, "client.mjs"), nodeClient);
  if (!missingImplementations("java")) execFileSync("javac", ["-d", join(scratch, "java"), join(examples, "ServiceClient.java")], { stdio: "ignore" });
  if (missingTools("openssl")) return;
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(scratch, "ca.key"), "-out", join(scratch, "ca.pem"), "-days", "30",
    "-subj", "/O=Example/CN=Example Client CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], { stdio: "ignore" });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  exitCode?: number;
  stdout: string;
  stderr: string;
  report?: ClientReport;
  ms: number;
}

async function runClient(args: string[]): Promise<Run> {
  const json = join(scratch, `report-${Math.random().toString(36).slice(2)}.json`);
  const started = Date.now();
  const result = await execa(process.execPath, [command, "client", "--json", json, ...args], { reject: false, timeout: 120_000 });
  let report: ClientReport | undefined;
  try {
    report = JSON.parse(readFileSync(json, "utf8")) as ClientReport;
  } catch {
    report = undefined;
  }
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr), report, ms: Date.now() - started };
}

const failing = (report: ClientReport | undefined) => (report?.rows ?? []).filter((row) => row.verdict !== "pass" && row.verdict !== "skipped").map((row) => row.id);
const explain = (run: Run) => `exit ${run.exitCode}\n${run.stdout}\n${run.stderr}`;

const curl = "curl -sS --fail --max-time 5 --cacert {ca} --cert {cert} --key {key} {url}";
const pythonUrllib = (context: string) =>
  `python3 -c "import ssl, sys, urllib.request as u; c = ${context}; c.load_cert_chain(sys.argv[3], sys.argv[4]); print(u.urlopen(sys.argv[1], context=c, timeout=5).read().decode())" {url} {ca} {cert} {key}`;
const sClient = (extra: string) => `openssl s_client -connect {host}:{port} -verify_return_error -CAfile {ca} -cert {cert} -cert_chain {chain} -key {key} ${extra}`;

interface ClientRow {
  name: string;
  tools: TestTool[];
  /** An implementation's runtime it needs (java). */
  implementation?: string;
  args: () => string[];
  /** The scenarios it must fail; none for a good client. */
  fails: string[];
}

const trustFailures = ["client::expiry::expired", "client::expiry::not-yet-valid", "client::name::wrong-dns-name", "client::trust::untrusted-ca", "client::trust::self-signed", "client::trust::missing-intermediate", "client::rotation::b-only-client-trusts-a"];

const clients: ClientRow[] = [
  { name: "curl", tools: ["curl"], args: () => ["--command", curl], fails: [] },
  { name: "curl with the {p12} identity", tools: ["curl", "openssl"], args: () => ["--command", "curl -sS --fail --max-time 5 --cacert {ca} --cert-type P12 --cert {p12}:changeit {url}"], fails: [] },
  { name: "curl with an identity minted from --issuer-cert", tools: ["curl", "openssl"], args: () => ["--command", curl, "--issuer-cert", join(scratch, "ca.pem"), "--issuer-key", join(scratch, "ca.key")], fails: [] },
  { name: "wget (reaches {url} by name through the proxy)", tools: ["wget"], args: () => ["--command", "wget -q -O - --timeout=5 --tries=1 --ca-certificate={ca} --certificate={cert} --private-key={key} {url}"], fails: [] },
  { name: "python3 urllib (examples/clients/service_client.py)", tools: ["python3"], args: () => ["--command", `python3 ${join(examples, "service_client.py")} {url} {ca} {cert} {key}`], fails: [] },
  { name: "openssl s_client -verify_return_error -verify_hostname", tools: ["openssl"], args: () => ["--command", sClient("-servername {server_name} -verify_hostname {server_name}")], fails: [] },
  { name: "gnutls-cli", tools: ["gnutls-cli"], args: () => ["--command", "gnutls-cli --x509cafile {ca} --x509certfile {cert} --x509keyfile {key} --sni-hostname {server_name} --verify-hostname {server_name} --port {port} {host}"], fails: [] },
  { name: "node https checking the URI SAN", tools: [], args: () => ["--expect-identity", identity, "--command", `node ${join(scratch, "client.mjs")} {host} {port} {server_name} {ca} {cert} {key} ${identity}`], fails: [] },
  {
    name: "java HttpClient with the {p12} identity (examples/clients/ServiceClient.java)",
    tools: ["openssl"],
    implementation: "java",
    args: () => ["--command", `java -Dhttps.proxyHost={proxy_host} -Dhttps.proxyPort={proxy_port} -cp ${join(scratch, "java")} ServiceClient {url} {ca} {p12} changeit`],
    fails: [],
  },
  // Broken on purpose.
  { name: "curl -k", tools: ["curl"], args: () => ["--command", "curl -k -sS --fail --max-time 5 --cert {cert} --key {key} {url}"], fails: trustFailures },
  { name: "python3 with verification off", tools: ["python3"], args: () => ["--command", pythonUrllib("ssl._create_unverified_context()")], fails: trustFailures },
  { name: "openssl s_client without -verify_hostname (ignores the name)", tools: ["openssl"], args: () => ["--command", sClient("-servername {server_name}")], fails: ["client::name::wrong-dns-name"] },
  { name: "openssl s_client without SNI", tools: ["openssl"], args: () => ["--command", sClient("-noservername -verify_hostname {server_name}")], fails: ["client::name::sni-selected"] },
  { name: "curl without its client certificate", tools: ["curl"], args: () => ["--command", "curl -sS --fail --max-time 5 --cacert {ca} {url}"], fails: ["client::client-auth::required"] },
  { name: "node https not checking the URI SAN", tools: [], args: () => ["--expect-identity", identity, "--command", `node ${join(scratch, "client.mjs")} {host} {port} {server_name} {ca} {cert} {key}`], fails: ["client::identity::wrong-uri-san"] },
  {
    name: "curl falling back to plain http:// by name",
    tools: ["curl"],
    args: () => ["--shell", "--command", `${curl} || curl -sS --fail --max-time 5 http://{server_name}:{port}/`],
    fails: ["client::downgrade::plaintext-only"],
  },
];

describe("mtls-conformance client on real clients", () => {
  // A JVM starts in about 2 s a row on the loaded 2-core machine.
  it.for(clients)("$name: fails exactly $fails", { timeout: 120_000 }, async ({ tools, implementation, args, fails }, { skip }) => {
    const missing = missingTools(...tools) ?? (implementation ? missingImplementations(implementation) : undefined);
    if (missing) skip(missing);
    const run = await runClient(args());
    expect(run.report, explain(run)).toBeDefined();
    expect(failing(run.report), explain(run)).toEqual(fails);
    expect(run.exitCode, explain(run)).toBe(fails.length ? 1 : 0);
    // Every row ran (the URI SAN row only with --expect-identity), each on its own loopback address.
    const played = run.report!.rows.filter((row) => row.verdict !== "skipped");
    expect(played.length).toBe(args().includes("--expect-identity") ? clientScenarios.length : clientScenarios.length - 1);
    expect(new Set(played.map((row) => row.server.address.split(":")[0])).size).toBe(played.length);
    for (const row of played) expect(row.server.address).toMatch(/^127\./);
  });

  it("writes JUnit and TAP from the same results model", async ({ skip }) => {
    const missing = missingTools("curl");
    if (missing) skip(missing);
    const junit = join(scratch, "client.junit.xml");
    const run = await runClient(["--command", "curl -k -sS --fail --max-time 5 --cert {cert} --key {key} {url}", "--junit", junit, "--tap"]);
    expect(run.exitCode, explain(run)).toBe(1);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain(`tests="${clientScenarios.length}" failures="${trustFailures.length}"`);
    expect(xml).toContain('name="client &gt; client::expiry::expired &gt; curl (client)"');
    expect(run.stdout.match(/^not ok /gm)).toHaveLength(trustFailures.length);
    expect(run.stdout).toContain("# SKIP needs --expect-identity");
    expect(run.stderr).toContain("FAIL    client::expiry::expired");
  });
});

describe("what cannot be judged exits 2", () => {
  it("a hanging command is killed with its process group at --timeout-ms, never a pass", async () => {
    const pidFile = join(scratch, "hang.pid");
    const run = await runClient(["--shell", "--timeout-ms", "1000", "--command", `echo $$ > ${pidFile}; sleep 30 & sleep 30`]);
    expect(run.exitCode, explain(run)).toBe(2);
    expect(run.report!.rows.map((row) => [row.id, row.observed, row.verdict])).toEqual([["client::control::valid", "timeout", "undetermined"]]);
    expect(run.stderr).toContain("the client did not accept the control");
    expect(run.ms).toBeLessThan(15_000);
    const group = readFileSync(pidFile, "utf8").trim();
    const alive = readdirSync("/proc").filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
      try {
        // "pid (comm) state ppid pgrp ...": a zombie (Z) is dead, waiting for its parent to reap it.
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return state !== "Z" && pgrp === group;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });

  it("a command that hangs where it should refuse is a timeout on those rows, not a pass", async ({ skip }) => {
    const missing = missingTools("curl");
    if (missing) skip(missing);
    const run = await runClient(["--shell", "--timeout-ms", "1500", "--command", `${curl} || sleep 30`]);
    expect(run.exitCode, explain(run)).toBe(2);
    const timedOut = run.report!.rows.filter((row) => row.observed === "timeout").map((row) => row.id);
    expect(timedOut).toEqual(clientScenarios.filter((row) => row.expect !== "accepted").map((row) => row.id).filter((id) => id !== "client::identity::wrong-uri-san"));
    expect(run.report!.rows.every((row) => row.verdict !== "fail")).toBe(true);
  });

  it("a control the client refuses stops the run with the command's output", async ({ skip }) => {
    const missing = missingTools("curl");
    if (missing) skip(missing);
    const run = await runClient(["--command", "curl -sS --fail --max-time 5 {url}"]);
    expect(run.exitCode, explain(run)).toBe(2);
    expect(run.stderr).toMatch(/the client did not accept the control .*exit 60.*unable to get local issuer certificate/);
  });

  it.each([
    [["--command", "no-such-client-program {url}"], "failed to start the command: ENOENT"],
    [["--command", "curl {url} | cat"], 'failed to parse the command: "|" at character 12 is shell syntax'],
    [["--command", "curl {url}", "--command-file", "x"], "exactly one of --command"],
    [["--command", "curl {url}", "--accepted-pattern", "("], "invalid accepted pattern"],
    [["--command", "curl {url}", "--issuer-cert", "/nonexistent/ca.pem", "--issuer-key", "/nonexistent/ca.key"], "failed to read issuer certificate /nonexistent/ca.pem: ENOENT"],
  ])("%j: %s", async (args, message) => {
    const run = await runClient(args);
    expect(run.exitCode, explain(run)).toBe(2);
    expect(run.stderr.trim().split("\n").at(-1)).toContain(message);
  });
});

describe("--command-file", () => {
  it("reads the template from a file, lines continued with a backslash as in sh", async ({ skip }) => {
    const missing = missingTools("curl");
    if (missing) skip(missing);
    const file = join(scratch, "client.cmd");
    writeFileSync(file, "curl -sS --fail --max-time 5 \\\n  --cacert {ca} --cert {cert} --key {key} \\\n  {url}\n");
    const run = await runClient(["--command-file", file, "--name", "curl-from-file"]);
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.report!.label).toBe("curl-from-file");
  });
});

describe("--accepted-pattern", () => {
  it("narrows success to output that matches: a client that exits 0 on every server is judged by what it prints", async ({ skip }) => {
    const missing = missingTools("curl");
    if (missing) skip(missing);
    // curl without --fail-like exit: the shell always exits 0, the body says whether it was served.
    const run = await runClient(["--shell", "--accepted-pattern", "^mtls-conformance: served$", "--command", `${curl}; exit 0`]);
    expect(run.exitCode, explain(run)).toBe(0);
    const plain = await runClient(["--shell", "--command", `${curl}; exit 0`]);
    expect(plain.exitCode, explain(plain)).toBe(1);
  });
});
