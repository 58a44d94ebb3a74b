// The live rotation's clients against the node server behind a relay that holds each of the
// client's writes back: a client the server's chain does not cover is refused after one flight of
// its own (the ClientHello), a covered one sends two (then its Finished and request), so uncovered
// clients finish their handshakes faster. Each client's handshakes inside a phase must stop at the quota while it
// waits for the slower ones, and every client must have one in flight across each switch.
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec } from "../../fixtures/profiles.js";
import { allocateEndpoint, type Endpoint } from "../core/network.js";
import type { Implementation } from "../host/implementations.js";
import { nodeServer } from "../stacks/node/adapter.js";
import type { TlsServerAdapter } from "../stacks/types.js";
import { livePhases, runLiveRotation, trustPopulations } from "./rotation-live.js";

const holdBackMs = 15;

/**
 * A TCP relay to `target` that delays every chunk the client sends, and its end, by holdBackMs, in
 * order; the server's bytes pass at once.
 */
async function slowAnswers(target: Endpoint): Promise<{ endpoint: Endpoint; close(): Promise<void> }> {
  const endpoint = await allocateEndpoint();
  const sockets = new Set<Socket>();
  const relay: Server = createServer((client) => {
    const server = connect({ host: target.host, port: target.port });
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    client.on("data", (chunk) => setTimeout(() => server.write(chunk), holdBackMs));
    client.on("close", () => setTimeout(() => server.end(), holdBackMs));
    server.pipe(client);
  });
  await new Promise<void>((resolve, reject) => relay.once("error", reject).listen(endpoint.port, endpoint.host, resolve));
  return {
    endpoint,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => relay.close(() => resolve()));
    },
  };
}

/** The node server, reached through the relay; rotate and stop go to the server. */
const slowNodeServer: TlsServerAdapter = {
  name: "node behind a slow relay",
  async startServer(config) {
    const server = await nodeServer.startServer(config);
    const relay = await slowAnswers(server.endpoint);
    return {
      ...server,
      endpoint: relay.endpoint,
      takeRejection: (wait) => server.takeRejection(wait),
      rotate: (identity) => server.rotate!(identity),
      stop: async () => {
        await relay.close();
        await server.stop();
      },
      [Symbol.asyncDispose]: async () => undefined,
    };
  },
};

const implementation: Implementation = { name: "node", server: slowNodeServer, can: [], cannot: {}, notYet: {}, deviations: {}, version: async () => "test" };

describe("live rotation", () => {
  let fixtures: FixtureSet;
  beforeAll(async () => {
    fixtures = await writeFixtureSet(catalogueSpec, new Date());
  });
  afterAll(async () => {
    if (fixtures) await removeFixtureSet(fixtures);
  });

  it("stops each client at its handshakes inside a phase, and has one of each client in flight across each switch", async () => {
    const clientsPerPopulation = 3;
    const handshakesPerPhase = 4;
    const counts = await runLiveRotation(implementation, fixtures, { clientsPerPopulation, handshakesPerPhase, timeoutMs: 60_000, maxHandshakes: 2_000 });
    const done = (phase: string, population: string) => {
      const entry = counts.find((count) => count.phase === phase && count.population === population);
      return entry ? entry.accepted + entry.refused + entry.reset + entry.failed + entry.undecided : 0;
    };
    expect(counts.flatMap((entry) => entry.failures.map((failure) => `${entry.phase} ${entry.population}: ${failure}`))).toEqual([]);
    for (const phase of livePhases) {
      for (const population of trustPopulations) {
        // Each client's quota; a client released for the switch may finish one more before it starts.
        expect(done(phase.name, population), `${phase.name} ${population}`).toBeGreaterThanOrEqual(clientsPerPopulation * handshakesPerPhase);
        expect(done(phase.name, population), `${phase.name} ${population}`).toBeLessThanOrEqual(clientsPerPopulation * (handshakesPerPhase + 1));
      }
    }
    for (const change of ["a->cross", "cross->b"])
      for (const population of trustPopulations) expect(done(change, population), `${change} ${population}`).toBeGreaterThanOrEqual(clientsPerPopulation);
  });
});
