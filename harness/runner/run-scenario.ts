// Runs one scenario row against one implementation and returns what was observed. It knows how
// to wire peers together, never what outcome is expected.
import type { FixtureSet } from "../../fixtures/fixture-set.js";
import type { Implementation } from "../host/implementations.js";
import { referenceClient, referenceServer } from "../host/implementations.js";
import { allocateEndpoint, type Endpoint } from "../core/network.js";
import { startApp, startSidecar, type RunningListener } from "../stacks/common/sidecar.js";
import type { KeyPairFiles, Observation, TlsClientConfig, TlsServerConfig } from "../core/observation.js";
import type { AccountWait, RunningServer, TlsClientAdapter, TlsServerAdapter } from "../stacks/types.js";
import { probePlaintext, probeTls } from "../core/probe.js";
import type { ClientSetup, Resumption, Scenario, ServerSetup } from "../core/scenario.js";
import type { Classification } from "../core/outcome.js";
import { keepAfter, type ServerPool } from "./server-pool.js";

export class ScenarioSetupError extends Error {}

export interface RunContext {
  fixtures: FixtureSet;
  timeoutMs: number;
  /** Servers kept between cases with the same server (none: every case starts its own). */
  servers?: ServerPool;
  /** Runs a deliberate wait of the row outside the case's share of the budget (runtime/case-slots.ts). */
  aside?: <T>(wait: () => Promise<T>) => Promise<T>;
}

function keyPair(fixtures: FixtureSet, name: string): KeyPairFiles {
  const files = fixtures.certs[name];
  if (!files) throw new ScenarioSetupError(`failed to resolve fixture "${name}": no such profile`);
  return { cert: files.cert, key: files.key, chain: files.chainLength > 0 ? files.chain : undefined };
}

function bundle(fixtures: FixtureSet, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const path = fixtures.bundles[name];
  if (!path) throw new ScenarioSetupError(`failed to resolve trust bundle "${name}": no such bundle`);
  return path;
}

function crlFiles(fixtures: FixtureSet, names: string[]): string[] {
  return names.map((name) => {
    const path = fixtures.crls[name];
    if (!path) throw new ScenarioSetupError(`failed to resolve CRL "${name}": no such CRL`);
    return path;
  });
}

function serverConfig(fixtures: FixtureSet, setup: ServerSetup, endpoint: Endpoint, reference: boolean): TlsServerConfig {
  return {
    endpoint,
    minVersion: setup.minVersion,
    maxVersion: setup.maxVersion,
    allowedIdentities: setup.allowedIdentities,
    lowestSecurityLevel: reference || undefined,
    identity: keyPair(fixtures, setup.cert),
    clientAuth: setup.clientAuth ?? "none",
    clientTrust: bundle(fixtures, setup.clientTrust),
    crls: crlFiles(fixtures, setup.crls ?? []),
    sniIdentities: Object.fromEntries(Object.entries(setup.sniCerts ?? {}).map(([name, cert]) => [name, keyPair(fixtures, cert)])),
  };
}

function clientConfig(fixtures: FixtureSet, setup: ClientSetup, reference: boolean): TlsClientConfig {
  return {
    minVersion: setup.minVersion,
    maxVersion: setup.maxVersion,
    lowestSecurityLevel: reference || undefined,
    identity: setup.cert ? keyPair(fixtures, setup.cert) : undefined,
    trust: bundle(fixtures, setup.trust),
    serverName: setup.serverName ?? undefined,
    verifyName: setup.verifyName,
    verifyIp: setup.verifyIp,
    expectIdentity: setup.expectIdentity,
  };
}

// How long the server's account of a refusal may take to arrive. Not a delay: the wait ends when
// the stack's settling line arrives (a few ms, measured; at load 40 Caddy's came after more than
// 300 ms), and it is taken only where the stack always writes one (docs/architecture.md, "The
// server's own account"). Well under the probe's 5 s and the case's 30 s.
export const serverAccountWithinMs = 3_000;

function seenByClient(observation: Observation): AccountWait["seen"] {
  if (observation.outcome === "accepted") return "accepted";
  if (!observation.outcome.startsWith("rejected:") && observation.outcome !== "unclassified") return "other";
  // A protocol-version without an alert is the client's record layer reading bytes that are not
  // TLS (a plaintext answer): no TLS server refused anything, so there is nothing to wait for.
  if (observation.outcome === "rejected:protocol-version" && !observation.rejectedBy) return "other";
  return observation.rejectedBy === "client" ? "own-refusal" : "refusal";
}

/**
 * The server's own account of a rejection is more precise than the alert the client received
 * (OpenSSL sends bad_certificate for a not-yet-valid certificate, measured), so it wins when the
 * server could classify it. Each server waits for its account only after what it always settles
 * (measured): a refusal the client did not make itself, and for nginx an accepted exchange (its
 * refusal is a 400 the client takes). After the client's own verify refused, the client's verdict
 * stands and no stack settles a TLS 1.2 one, so nothing is awaited.
 */
async function withServerAccount(observation: Observation, server: RunningServer): Promise<Observation> {
  return (await serverAccount(observation, server)).observation;
}

async function serverAccount(observation: Observation, server: RunningServer): Promise<{ observation: Observation; complete: boolean }> {
  const seen = seenByClient(observation);
  const account = await server.takeRejection({ seen, withinMs: serverAccountWithinMs });
  return { observation: judgedWithAccount(observation, account), complete: keepAfter(seen, account, server) };
}

function judgedWithAccount(observation: Observation, account: Classification | undefined): Observation {
  if (!account) return observation;
  const evidence = { ...observation.evidence, server: account.raw };
  // A plaintext client's outcome is where its bytes went; a TLS server's log line about them (a
  // detector that took them for TLS) is evidence of that, not a TLS refusal.
  if (observation.rejectedBy === "client" || account.outcome === "unclassified" || observation.outcome.startsWith("plaintext-")) return { ...observation, evidence };
  return { ...observation, outcome: account.outcome, rejectedBy: "server", evidence };
}

/**
 * A resumption row (Scenario.resumption): a full handshake that keeps its session, the server's
 * trust change, then the same client offering the session. The second connection is the
 * observation. A first handshake not accepted with a session is no refusal to judge: it comes
 * back unclassified, which no row expects.
 */
async function resumeAfterTrustChange(row: Scenario, resumption: Resumption, server: RunningServer, target: Endpoint, client: TlsClientAdapter, config: TlsClientConfig, context: RunContext): Promise<Observation> {
  const { via } = resumption;
  const first = await client.connect(target, { ...config, resumption: { via } }, context.timeoutMs);
  // The server's account of the first connection is not the second's: all of it is taken here,
  // so a line of it that comes late (nginx's access line) cannot settle the second's wait.
  await server.takeRejection({ seen: seenByClient(first), withinMs: serverAccountWithinMs });
  if (first.outcome !== "accepted" || !first.session) {
    const seen = Object.values(first.evidence).filter(Boolean).join("; ");
    return { outcome: "unclassified", evidence: { client: `the full handshake before the trust change was ${first.outcome}${first.session ? "" : " without a session to keep"}: ${seen}` } };
  }
  if (!server.retrust) throw new ScenarioSetupError(`failed to change the trust of ${row.id}'s server: it has no retrust`);
  await server.retrust({
    clientTrust: bundle(context.fixtures, resumption.retrust.clientTrust ?? row.server.clientTrust),
    crls: crlFiles(context.fixtures, resumption.retrust.crls ?? row.server.crls ?? []),
  });
  const second = await withServerAccount(await client.connect(target, { ...config, resumption: { via, offer: first.session } }, context.timeoutMs), server);
  // The same client without the session: what the new trust gives a full handshake.
  const fresh = await withServerAccount(await client.connect(target, config, context.timeoutMs), server);
  const offered = via === "ticket" ? `the ${first.tlsVersion} ticket` : `the ${first.tlsVersion} session ID`;
  const account = `offered ${offered} of the first handshake: ${second.resumed ? "resumed" : "not resumed (a full handshake)"}; a full handshake after the change: ${fresh.outcome}`;
  return { ...second, fullHandshake: fresh.outcome, evidence: { ...second.evidence, client: `${account}; ${second.evidence.client ?? ""}` } };
}

// A client that only reads waits for a banner this long: far past the detectors' timeouts in the
// test configs (1 s), short of the case's decision deadline.
const bannerWaitMs = 5_000;

/**
 * The row's client waits seconds on purpose: it sends its first byte past a detector's timeout, or
 * only reads, for a banner that must not come. Its peers are idle meanwhile.
 */
export function waitsOnPurpose(setup: ClientSetup): boolean {
  return Boolean(setup.firstByteDelayMs) || (setup.plaintext === true && setup.plaintextPayload === "nothing");
}

/**
 * The rows whose client waits on purpose (a first byte seconds late, a banner that must not come)
 * first, the rest in table order: vitest starts a file's cases in the order they are defined, a
 * waiting case gives its slot back for the wait (runtime/case-slots.ts), and its 1 to 5 s then pass
 * beside the file's other cases instead of after them. The modes file took 7.6 s with its 17
 * waiting rows last in its table, and 5.0 s with them first (docs/performance.md).
 */
export function waitingRowsFirst(rows: Scenario[]): Scenario[] {
  return [...rows.filter((row) => waitsOnPurpose(row.client)), ...rows.filter((row) => !waitsOnPurpose(row.client))];
}

/** The row's client: the plaintext prober, the reference prober shaping its first bytes, or the adapter. */
function probe(setup: ClientSetup, target: Endpoint, client: TlsClientAdapter, settings: TlsClientConfig, timeoutMs: number): Promise<Observation> {
  const firstByteDelayMs = setup.firstByteDelayMs;
  if (setup.plaintext) {
    const payload = setup.plaintextPayload ?? "http";
    return probePlaintext(target, payload === "nothing" ? Math.min(bannerWaitMs, timeoutMs) : timeoutMs, { payload, ...(firstByteDelayMs ? { firstByteDelayMs } : {}) });
  }
  if (firstByteDelayMs || setup.clientHelloShape) return probeTls(target, settings, timeoutMs, { firstFlight: { delayMs: firstByteDelayMs, shape: setup.clientHelloShape } });
  return client.connect(target, settings, timeoutMs);
}

/**
 * The row's client against `target`, then the server's account of it (serverAccount). A client
 * that waits on purpose does both outside its slot (context.aside): its peers are idle, and a
 * detector that closed on it says nothing, so its account is awaited the full serverAccountWithinMs.
 * Held in their slots, those waits kept the cases after them waiting about 3 s for one.
 */
function observeWithAccount(setup: ClientSetup, target: Endpoint, client: TlsClientAdapter, settings: TlsClientConfig, context: RunContext, server: RunningServer): Promise<{ observation: Observation; complete: boolean }> {
  const play = async () => serverAccount(await probe(setup, target, client, settings, context.timeoutMs), server);
  return context.aside && waitsOnPurpose(setup) ? context.aside(play) : play();
}

async function stopAll(resources: Array<{ stop(): Promise<void> } | undefined>): Promise<void> {
  await Promise.allSettled(resources.filter((resource) => resource !== undefined).map((resource) => resource.stop()));
}

/**
 * Plays the row on a server of `pool` (runner/server-pool.ts): one kept from an earlier case with
 * the same stack and server setup, or a new one. It is given back kept only when its account of
 * this case is complete.
 */
async function playOnKeptServer(row: Scenario, serverAdapter: TlsServerAdapter, clientAdapter: TlsClientAdapter, context: RunContext, pool: ServerPool): Promise<Observation> {
  const reference = row.subject !== "server";
  const key = JSON.stringify([serverAdapter.name, reference, row.server]);
  const server = await pool.take(key, async () => serverAdapter.startServer(serverConfig(context.fixtures, row.server, await allocateEndpoint(row.server.listenHost), reference)));
  let complete = false;
  try {
    const settings = clientConfig(context.fixtures, row.client, row.subject !== "client");
    const result = await observeWithAccount(row.client, server.endpoint, clientAdapter, settings, context, server);
    complete = result.complete;
    return result.observation;
  } finally {
    await pool.give(key, server, complete);
  }
}

export async function runScenario(row: Scenario, implementation: Implementation, context: RunContext): Promise<Observation> {
  const listenHost = row.server.listenHost;
  const serverAdapter = row.subject === "server" ? implementation.server : referenceServer;
  const clientAdapter = row.subject === "client" ? implementation.client : referenceClient;
  if (!serverAdapter || !clientAdapter) {
    throw new ScenarioSetupError(`failed to run ${row.id}: ${implementation.name} cannot play the ${row.subject}`);
  }
  // A row with one server and one connection plays on a server a case before it left running.
  if (context.servers && !row.server.sidecarMode && !row.resumption) return playOnKeptServer(row, serverAdapter, clientAdapter, context, context.servers);
  const started: Array<RunningServer | RunningListener | undefined> = [];
  try {
    const sidecarMode = row.server.sidecarMode;
    const app = sidecarMode ? await startApp(row.server.sidecarApp ?? "http", await allocateEndpoint()) : undefined;
    started.push(app);
    // A per-port row: the detector's other listener, in its own mode, for the same app.
    const otherMode = row.server.sidecarOtherPort;
    const otherPort = otherMode ? { mode: otherMode, endpoint: await allocateEndpoint(listenHost) } : undefined;
    const detectsItself = Boolean(sidecarMode && serverAdapter.detectsProtocol);
    const config = serverConfig(context.fixtures, row.server, await allocateEndpoint(listenHost), row.subject !== "server");
    const tlsServer = await serverAdapter.startServer(detectsItself && app ? { ...config, sidecar: { mode: sidecarMode!, app: app.endpoint, ...(otherPort ? { otherPort } : {}) } } : config);
    started.push(tlsServer);
    let target = tlsServer.endpoint;
    if (sidecarMode && app && !detectsItself) {
      const sidecar = await startSidecar({ endpoint: await allocateEndpoint(listenHost), mode: sidecarMode, terminator: tlsServer.endpoint, app: app.endpoint });
      started.push(sidecar);
      if (otherPort) started.push(await startSidecar({ ...otherPort, terminator: tlsServer.endpoint, app: app.endpoint }));
      target = sidecar.endpoint;
    }
    const settings = clientConfig(context.fixtures, row.client, row.subject !== "client");
    // It takes the server's account of each of its connections itself.
    if (row.resumption) return await resumeAfterTrustChange(row, row.resumption, tlsServer, target, clientAdapter, settings, context);
    return (await observeWithAccount(row.client, target, clientAdapter, settings, context, tlsServer)).observation;
  } finally {
    await stopAll(started.reverse());
  }
}
