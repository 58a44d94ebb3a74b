import { readFileSync } from "node:fs";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../../fixtures/fixture-set.js";
import { catalogueSpec, clientIdentity, serverName } from "../../../fixtures/profiles.js";
import { allocateEndpoint, type Endpoint } from "../../core/network.js";
import { probePlaintext } from "../../core/probe.js";
import { nodeServer } from "../node/adapter.js";
import { startPlaintextApp, startSidecar } from "./sidecar.js";
import type { RunningServer } from "../types.js";

let fixtures: FixtureSet;
let terminator: RunningServer;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  const files = fixtures.certs.server!;
  terminator = await nodeServer.startServer({
    endpoint: await allocateEndpoint(),
    identity: { cert: files.cert, chain: files.chain, key: files.key },
    clientAuth: "required",
    clientTrust: fixtures.bundles["trust-a"],
    crls: [],
    sniIdentities: {},
  });
  stops.push(() => terminator.stop());
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await removeFixtureSet(fixtures);
});

async function sidecar(mode: "strict" | "permissive" | "disabled"): Promise<Endpoint> {
  const app = await startPlaintextApp(await allocateEndpoint());
  const running = await startSidecar({ endpoint: await allocateEndpoint(), mode, terminator: terminator.endpoint, app: app.endpoint });
  stops.push(() => app.stop(), () => running.stop());
  return running.endpoint;
}

/** mTLS through the sidecar, returning the whole HTTP response. */
function mtlsRequest(target: Endpoint): Promise<string> {
  const client = fixtures.certs.client!;
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = connect({
      host: target.host,
      port: target.port,
      servername: serverName,
      ca: readFileSync(fixtures.bundles["trust-a"]!),
      cert: readFileSync(client.cert, "utf8") + readFileSync(client.chain, "utf8"),
      key: readFileSync(client.key),
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error("timed out")));
    socket.on("secureConnect", () => socket.write(`GET / HTTP/1.0\r\nHost: ${serverName}\r\n\r\n`));
    socket.on("data", (chunk) => (text += chunk));
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
  });
}

describe("reference sidecar", () => {
  it("answers mTLS with the verified client identity", async () => {
    const response = await mtlsRequest(await sidecar("strict"));
    expect(response).toMatch(/^HTTP\/1\.0 200/);
    expect(JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4))).toMatchObject({ identity: clientIdentity, authorized: true });
  });

  it.each([
    ["strict", "plaintext-refused"],
    ["permissive", "plaintext-accepted"],
    ["disabled", "plaintext-accepted"],
  ] as const)("in %s mode answers plaintext with %s", async (mode, outcome) => {
    expect((await probePlaintext(await sidecar(mode), 5_000)).outcome).toBe(outcome);
  });
});
