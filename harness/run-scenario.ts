// Runs one scenario row against one implementation and returns what was observed. It knows how
// to wire peers together, never what outcome is expected.
import type { FixtureSet } from "../fixtures/fixture-set.js";
import type { Implementation } from "./implementations.js";
import { referenceClient, referenceServer } from "./implementations.js";
import { allocateEndpoint, type Endpoint } from "./network.js";
import { startPlaintextApp, startSidecar, type RunningListener } from "./stacks/common/sidecar.js";
import type { KeyPairFiles, Observation, TlsClientConfig, TlsServerConfig } from "./observation.js";
import type { RunningServer } from "./stacks/types.js";
import { probePlaintext } from "./probe.js";
import type { ClientSetup, Scenario, ServerSetup } from "./scenario.js";

export class ScenarioSetupError extends Error {}

export interface RunContext {
  fixtures: FixtureSet;
  timeoutMs: number;
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
    crls: (setup.crls ?? []).map((name) => {
      const path = fixtures.crls[name];
      if (!path) throw new ScenarioSetupError(`failed to resolve CRL "${name}": no such CRL`);
      return path;
    }),
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

/**
 * The server's own account of a rejection is more precise than the alert the client received
 * (OpenSSL sends bad_certificate for a not-yet-valid certificate, measured), so it wins when the
 * server could classify it.
 */
async function withServerAccount(observation: Observation, server: RunningServer): Promise<Observation> {
  const rejectedOrUnclear = observation.outcome.startsWith("rejected:") || observation.outcome === "unclassified";
  const account = await server.takeRejection(rejectedOrUnclear ? 300 : 0);
  if (!account) return observation;
  const evidence = { ...observation.evidence, server: account.raw };
  if (observation.rejectedBy === "client" || account.outcome === "unclassified") return { ...observation, evidence };
  return { ...observation, outcome: account.outcome, rejectedBy: "server", evidence };
}

async function stopAll(resources: Array<{ stop(): Promise<void> } | undefined>): Promise<void> {
  await Promise.allSettled(resources.filter((resource) => resource !== undefined).map((resource) => resource.stop()));
}

export async function runScenario(row: Scenario, implementation: Implementation, context: RunContext): Promise<Observation> {
  const listenHost = row.server.listenHost;
  const serverAdapter = row.subject === "server" ? implementation.server : referenceServer;
  const clientAdapter = row.subject === "client" ? implementation.client : referenceClient;
  if (!serverAdapter || !clientAdapter) {
    throw new ScenarioSetupError(`failed to run ${row.id}: ${implementation.name} cannot play the ${row.subject}`);
  }
  const started: Array<RunningServer | RunningListener | undefined> = [];
  try {
    const sidecarMode = row.server.sidecarMode;
    let sidecarApp: RunningListener | undefined;
    if (sidecarMode && serverAdapter.detectsProtocol) {
      sidecarApp = await startPlaintextApp(await allocateEndpoint());
      started.push(sidecarApp);
    }
    const config = serverConfig(context.fixtures, row.server, await allocateEndpoint(listenHost), row.subject !== "server");
    const tlsServer = await serverAdapter.startServer(sidecarMode && sidecarApp ? { ...config, sidecar: { mode: sidecarMode, app: sidecarApp.endpoint } } : config);
    started.push(tlsServer);
    let target = tlsServer.endpoint;
    if (sidecarMode && !sidecarApp) {
      const app = await startPlaintextApp(await allocateEndpoint());
      started.push(app);
      const sidecar = await startSidecar({ endpoint: await allocateEndpoint(listenHost), mode: sidecarMode, terminator: tlsServer.endpoint, app: app.endpoint });
      started.push(sidecar);
      target = sidecar.endpoint;
    }
    const observation = row.client.plaintext
      ? await probePlaintext(target, context.timeoutMs)
      : await clientAdapter.connect(target, clientConfig(context.fixtures, row.client, row.subject !== "client"), context.timeoutMs);
    return await withServerAccount(observation, tlsServer);
  } finally {
    await stopAll(started.reverse());
  }
}
