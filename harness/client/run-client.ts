// Runs the user's client command against every client scenario (harness/scenarios/client.ts):
// one server per row on its own loopback address, the command once per row with that row's
// placeholders, then a verdict from the command's exit status (and --accepted-pattern) read
// together with what the server recorded. The control runs first: a client that refuses a valid
// server cannot be judged on the others.
import { importIssuer } from "../../fixtures/import-issuer.js";
import { removeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { serverName } from "../../fixtures/profiles.js";
import type { CheckVerdict } from "../core/case-record.js";
import { allocateEndpoint, type Endpoint } from "../core/network.js";
import type { KeyPairFiles } from "../core/observation.js";
import type { Scenario } from "../core/scenario.js";
import { clientControlId, clientScenarios } from "../scenarios/client.js";
import { clientFiles, clientRunSpec, writeClientP12, writeClientRunFixtures } from "./fixtures.js";
import { startNameProxy, type NameProxy } from "./name-proxy.js";
import { runCommand, type CommandResult } from "./run-command.js";
import { startScenarioServer, type ServerRecord } from "./scenario-server.js";
import { commandLine, usedPlaceholders, type PlaceholderValues } from "./template.js";

export interface ClientSettings {
  template: string;
  shell: boolean;
  /** Per command; a command still running then is killed with its process group and is a timeout. */
  timeoutMs: number;
  /** When given, success also needs a match in the command's output. */
  acceptedPattern?: RegExp;
  issuerCert?: string;
  issuerKey?: string;
  issuerKeyPassphrase?: string;
  /** The URI SAN the client requires of the server; the wrong-URI-SAN row runs only with it. */
  expectIdentity?: string;
  /** Names the command in case names (`client > <row> > <label> (client)`). */
  label: string;
}

/**
 * accepted: the client went through with the server (exit 0 and the pattern, after a completed
 * handshake; or it sent its request inside TLS whatever it then exited with). refused: it did not.
 * sent-plaintext: it sent its request to the plaintext server in the clear. timeout: it had not
 * exited in time. no-handshake: it reported success without completing a handshake with the server.
 */
export type ClientObservation = "accepted" | "refused" | "sent-plaintext" | "timeout" | "no-handshake" | "not-started" | "skipped";

export interface ClientRowResult {
  id: string;
  title: string;
  /** The row's outcome as the scenario table states it (accepted, rejected:<reason>, plaintext-refused). */
  expected: string;
  observed: ClientObservation;
  verdict: CheckVerdict | "skipped";
  pass: boolean;
  exitCode?: number;
  signal?: string;
  durationMs: number;
  /** The end of what the command printed (stdout and stderr as they came). */
  output: string;
  server: ServerRecord & { address: string; tunnels: number };
  detail: string;
}

export type ClientRunStatus = "judged" | "control-refused" | "command-failed";

export interface ClientReport {
  command: string;
  label: string;
  shell: boolean;
  timeoutMs: number;
  serverName: string;
  proxy: string;
  status: ClientRunStatus;
  problem?: string;
  exitCode: 0 | 1 | 2;
  rows: ClientRowResult[];
}

export class CommandStartError extends Error {}

const tail = (text: string, size = 2_000) => (text.length > size ? `...${text.slice(-size)}` : text);
const oneLine = (text: string, size = 300) => tail(text.replace(/\s+/g, " ").trim(), size);

function observe(row: Scenario, result: CommandResult, record: ServerRecord, pattern: RegExp | undefined): { observed: ClientObservation; why: string } {
  if (result.timedOut) return { observed: "timeout", why: "the command had not exited when its time was up (killed with its process group)" };
  if (record.plaintextRequests.length) return { observed: "sent-plaintext", why: `the plaintext server received "${record.plaintextRequests[0]}" in the clear` };
  const exited = result.exitCode === undefined ? `died of ${result.signal}` : `exit ${result.exitCode}`;
  const matched = !pattern || pattern.test(result.output);
  const claimed = result.exitCode === 0 && matched;
  const said = `${exited}${pattern ? (matched ? ", output matches the accepted pattern" : ", output does not match the accepted pattern") : ""}`;
  if (record.requests.length) return { observed: "accepted", why: `${said}; the server received "${record.requests[0]}" inside TLS` };
  if (claimed && record.handshakes > 0) return { observed: "accepted", why: `${said}; handshake completed` };
  if (claimed) return { observed: row.server.sidecarMode === "disabled" ? "accepted" : "no-handshake", why: `${said} but no TLS handshake with the scenario's server completed` };
  const server = record.errors.length ? `; server saw: ${record.errors[0]}` : record.handshakes ? "; the handshake completed but no request was sent" : "";
  return { observed: "refused", why: `${said}${server}` };
}

function verdictOf(row: Scenario, observed: ClientObservation): CheckVerdict {
  if (observed === "timeout" || observed === "no-handshake") return "undetermined";
  // A request sent in the clear fails every row; otherwise the row wants accepted or refused.
  return observed === (row.expect === "accepted" ? "accepted" : "refused") ? "pass" : "fail";
}

async function runRow(row: Scenario, settings: ClientSettings, fixtures: FixtureSet, proxy: NameProxy, p12: string, env: NodeJS.ProcessEnv): Promise<ClientRowResult & { startError?: string }> {
  const endpoint: Endpoint = await allocateEndpoint();
  const pair = (name: string): KeyPairFiles => {
    const files = fixtures.certs[name]!;
    return { cert: files.cert, key: files.key, chain: files.chainLength ? files.chain : undefined };
  };
  const server = await startScenarioServer({
    endpoint,
    identity: pair(row.server.cert),
    sniIdentities: Object.fromEntries(Object.entries(row.server.sniCerts ?? {}).map(([name, cert]) => [name, pair(cert)])),
    clientAuth: row.server.clientAuth === "required" ? "required" : "none",
    clientTrust: row.server.clientTrust ? (settings.issuerCert ?? fixtures.bundles[row.server.clientTrust]) : undefined,
    plaintextOnly: row.server.sidecarMode === "disabled",
  });
  const name = row.client.serverName ?? serverName;
  proxy.route(name, endpoint.port, endpoint);
  proxy.route(endpoint.host, endpoint.port, endpoint);
  const client = clientFiles(fixtures);
  const values: PlaceholderValues = {
    host: endpoint.host,
    port: String(endpoint.port),
    url: `https://${name}:${endpoint.port}/`,
    server_name: name,
    ca: fixtures.bundles[row.client.trust ?? "trust-a"]!,
    cert: client.fullChain,
    key: client.key,
    chain: client.chain,
    p12,
    proxy_host: proxy.endpoint.host,
    proxy_port: String(proxy.endpoint.port),
  };
  let result: CommandResult;
  try {
    const { program, args } = commandLine(settings.template, values, settings.shell);
    result = await runCommand(program, args, { timeoutMs: settings.timeoutMs, env });
  } finally {
    await server.stop();
    proxy.unroute(name, endpoint.port);
    proxy.unroute(endpoint.host, endpoint.port);
  }
  const { observed, why } = observe(row, result, server.record, settings.acceptedPattern);
  const verdict = verdictOf(row, observed);
  const tunnels = (proxy.tunnels.get(`${name}:${endpoint.port}`) ?? 0) + (proxy.tunnels.get(`${endpoint.host}:${endpoint.port}`) ?? 0);
  return {
    id: row.id,
    title: row.title,
    expected: row.expect,
    observed,
    verdict,
    pass: verdict === "pass",
    exitCode: result.exitCode,
    signal: result.signal,
    durationMs: result.durationMs,
    output: tail(result.output),
    server: { ...server.record, address: `${endpoint.host}:${endpoint.port}`, tunnels },
    detail: `${why}${verdict === "pass" ? "" : `; output: ${oneLine(result.output) || "(none)"}`}`,
    startError: result.startError,
  };
}

function skippedRow(row: Scenario, why: string): ClientRowResult {
  return { id: row.id, title: row.title, expected: row.expect, observed: "skipped", verdict: "skipped", pass: true, durationMs: 0, output: "", server: { handshakes: 0, requests: [], clientHellos: 0, plaintextRequests: [], errors: [], address: "", tunnels: 0 }, detail: why };
}

/** The command's environment: the name proxy in every spelling clients read, nothing exempted from it. */
function commandEnv(proxy: NameProxy): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const variable of ["no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"]) delete env[variable];
  for (const variable of ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"]) env[variable] = proxy.url;
  return env;
}

export async function runClientScenarios(settings: ClientSettings, rows: Scenario[] = clientScenarios): Promise<ClientReport> {
  const issuer = settings.issuerCert && settings.issuerKey ? (await importIssuer(settings.issuerCert, settings.issuerKey, { passphrase: settings.issuerKeyPassphrase })).issuer : undefined;
  const playable = rows.filter((row) => !row.client.expectIdentity || settings.expectIdentity);
  const fixtures = await writeClientRunFixtures(clientRunSpec(playable, { expectIdentity: settings.expectIdentity, userIssuer: issuer !== undefined }), issuer);
  const proxy = await startNameProxy(await allocateEndpoint());
  try {
    const p12 = usedPlaceholders(settings.template).has("p12") ? await writeClientP12(fixtures) : "";
    const env = commandEnv(proxy);
    const base = { command: settings.template, label: settings.label, shell: settings.shell, timeoutMs: settings.timeoutMs, serverName, proxy: proxy.url };
    // The control first: the rest means nothing for a client that cannot reach a valid server.
    const ordered = [...rows.filter((row) => row.id === clientControlId), ...rows.filter((row) => row.id !== clientControlId)];
    const results: ClientRowResult[] = [];
    for (const row of ordered) {
      if (!playable.includes(row)) {
        results.push(skippedRow(row, "needs --expect-identity: the URI SAN the client requires of the server"));
        continue;
      }
      const result = await runRow(row, settings, fixtures, proxy, p12, env);
      const { startError, ...rowResult } = result;
      if (startError) {
        return { ...base, status: "command-failed", problem: `failed to start the command: ${startError}`, exitCode: 2, rows: [{ ...rowResult, observed: "not-started", verdict: "undetermined", pass: false, detail: `failed to start: ${startError}` }] };
      }
      results.push(rowResult);
      if (row.id === clientControlId && rowResult.verdict !== "pass") {
        const problem = `the client did not accept the control (a valid server for ${serverName}), so nothing can be judged: ${rowResult.detail.replace(/; output: .*$/, "")}; output: ${oneLine(rowResult.output, 1_000) || "(none)"}`;
        return { ...base, status: "control-refused", problem, exitCode: 2, rows: [{ ...rowResult, verdict: "undetermined", pass: false }] };
      }
    }
    const verdicts = results.map((result) => result.verdict);
    const exitCode = verdicts.includes("fail") ? 1 : verdicts.includes("undetermined") ? 2 : 0;
    const undetermined = results.filter((result) => result.verdict === "undetermined").map((result) => `${result.id} ${result.observed}`);
    return { ...base, status: "judged", problem: exitCode === 2 ? `not every scenario could be judged: ${undetermined.join(", ")}` : undefined, exitCode, rows: results };
  } finally {
    await proxy.stop();
    await removeFixtureSet(fixtures);
  }
}
