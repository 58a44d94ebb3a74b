// rotate() of our peer programs' servers (Go one-shot, Java and Python through their services), on
// the process runtime for each that is installed: the first connection after rotate resolves gets
// the new chain (the rename is the switch point, no wait), and a key that is not the certificate's
// is refused before it reaches the program, which goes on serving the pair it has.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../../fixtures/fixture-set.js";
import { catalogueSpec, serverName } from "../../../fixtures/profiles.js";
import { planImplementations, referenceClient } from "../../host/implementations.js";
import { allocateEndpoint } from "../../core/network.js";
import type { KeyPairFiles } from "../../core/observation.js";
import { processRuntime } from "../../runtime/process.js";
import { stopSharedPeers } from "../../runtime/shared-peers.js";
import { stacks } from "../registry.js";

const installed = new Set(planImplementations("process", "").filter((status) => !status.missing).map((status) => status.name));
const peers = stacks.filter((stack) => ["go", "java", "python"].includes(stack.name));

let fixtures: FixtureSet;
beforeAll(async () => {
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
});
afterAll(async () => {
  await stopSharedPeers();
  await removeFixtureSet(fixtures);
});

const pair = (name: string): KeyPairFiles => {
  const files = fixtures.certs[name]!;
  return { cert: files.cert, chain: files.chain, key: files.key };
};

describe.each(peers.map((stack) => [stack.name, stack] as const))("%s server rotate", (name, stack) => {
  const skip = !installed.has(name);
  const outcome = async (endpoint: Parameters<typeof referenceClient.connect>[0], trust: string) =>
    (await referenceClient.connect(endpoint, { trust: fixtures.bundles[trust], serverName }, 5_000)).outcome;

  it.skipIf(skip)("serves the new chain from the first connection after rotate resolves, and back", async () => {
    const server = await stack.roles.server!(processRuntime).startServer({ endpoint: await allocateEndpoint(), identity: pair("server"), clientAuth: "none", crls: [], sniIdentities: {} });
    try {
      expect(await outcome(server.endpoint, "trust-a")).toBe("accepted");
      await server.rotate!(pair("server-b"));
      expect(await outcome(server.endpoint, "trust-a")).toBe("rejected:unknown-ca");
      expect(await outcome(server.endpoint, "trust-b")).toBe("accepted");
      await server.rotate!(pair("server"));
      expect(await outcome(server.endpoint, "trust-b")).toBe("rejected:unknown-ca");
      expect(await outcome(server.endpoint, "trust-a")).toBe("accepted");
    } finally {
      await server.stop();
    }
  });

  it.skipIf(skip)("refuses a key that is not the certificate's and keeps the pair it serves", async () => {
    const server = await stack.roles.server!(processRuntime).startServer({ endpoint: await allocateEndpoint(), identity: pair("server"), clientAuth: "none", crls: [], sniIdentities: {} });
    try {
      await expect(server.rotate!({ ...pair("server-b"), key: pair("server").key })).rejects.toThrow(/is not its private key/);
      expect(await outcome(server.endpoint, "trust-a")).toBe("accepted");
    } finally {
      await server.stop();
    }
  });
});
