// The long-lived peer services (Java's TlsPeer, Python's tlspeer.py), on the process runtime for
// each stack that has one and is installed: a bad request does not end the service, a server it
// runs stops listening when the harness closes its request, and its client and server complete a
// real mTLS handshake with each other.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../../fixtures/fixture-set.js";
import { catalogueSpec, serverName } from "../../../fixtures/profiles.js";
import { planImplementations } from "../../host/implementations.js";
import { allocateEndpoint, type Endpoint } from "../../core/network.js";
import { processRuntime } from "../../runtime/process.js";
import { stopSharedPeers } from "../../runtime/shared-peers.js";
import { stacks } from "../registry.js";
import { requestService } from "./peer-service.js";

const installed = new Set(planImplementations("process", "").filter((status) => !status.missing).map((status) => status.name));
const withService = stacks.filter((stack) => stack.service);

let fixtures: FixtureSet;
beforeAll(async () => {
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
});
afterAll(async () => {
  await stopSharedPeers();
  await removeFixtureSet(fixtures);
});

/** Whether a TCP connection to `endpoint` is accepted (false on a refusal), within 2 s. */
function listens(endpoint: Endpoint): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`failed to connect to ${endpoint.host}:${endpoint.port}: no answer within 2 s`));
    }, 2_000);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === "ECONNREFUSED") resolve(false);
      else reject(error);
    });
  });
}

describe.each(withService.map((stack) => [stack.name, stack] as const))("%s peer service", (name, stack) => {
  const skip = !installed.has(name);

  function serverConfig(endpoint: Endpoint) {
    const files = fixtures.certs.server!;
    return { endpoint, identity: { cert: files.cert, chain: files.chain, key: files.key }, clientAuth: "required" as const, clientTrust: fixtures.bundles["trust-a"], crls: [], sniIdentities: {} };
  }

  it.skipIf(skip)("answers a bad request with its error and exit 2, and goes on serving", async () => {
    const program = await stack.service!(processRuntime);
    const bad = await requestService(processRuntime, program, ["client", "--connect", "127.0.0.1"], "", true);
    expect(await bad.waitForOutput(/^exit: \d+$/m, 10_000)).toBe(true);
    await bad.close();
    expect(bad.output()).toMatch(/want HOST:PORT/);
    expect(bad.output()).toMatch(/^exit: 2$/m);

    const server = await stack.roles.server!(processRuntime).startServer(serverConfig(await allocateEndpoint()));
    try {
      const client = fixtures.certs.client!;
      const observation = await stack.roles.client!(processRuntime).connect(
        server.endpoint,
        { trust: fixtures.bundles["trust-a"], serverName, identity: { cert: client.cert, chain: client.chain, key: client.key } },
        5_000,
      );
      expect(observation.outcome, JSON.stringify(observation.evidence)).toBe("accepted");
    } finally {
      await server.stop();
    }
  });

  it.skipIf(skip)("stops a server's listener when the harness closes its request", async () => {
    const server = await stack.roles.server!(processRuntime).startServer(serverConfig(await allocateEndpoint()));
    expect(await listens(server.endpoint)).toBe(true);
    await server.stop();
    expect(await listens(server.endpoint)).toBe(false);
  });
});
