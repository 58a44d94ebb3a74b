// The prober's own checks of the server's names against a real server: OpenSSL's s_server serving
// the fixture server certificate, the verdicts cross-checked with `openssl s_client
// -verify_hostname`. The prober hands node's identity check the leaf alone
// (leafOnlyForIdentityCheck): these fail if that leaf lacks what the checks read.
import { execa } from "execa";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec, serverIdentity, serverName } from "../../fixtures/profiles.js";
import { missingTools } from "../host/context.js";
import { processRuntime } from "../runtime/process.js";
import type { ManagedProcess } from "../runtime/types.js";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "./network.js";
import { probeTls } from "./probe.js";

const missing = missingTools("openssl");
beforeEach((context) => {
  if (missing) context.skip(missing);
});

let fixtures: FixtureSet;
let server: ManagedProcess;
let endpoint: Endpoint;

beforeAll(async () => {
  if (missing) return;
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  endpoint = await allocateEndpoint();
  const files = fixtures.certs.server!;
  server = await processRuntime.startProcess("openssl", "openssl", ["s_server", "-accept", formatEndpoint(endpoint), "-cert", files.cert, "-key", files.key, "-cert_chain", files.chain, "-www"], {
    ready: /^ACCEPT$/m,
    readyTimeoutMs: 10_000,
    description: "openssl s_server",
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (fixtures) await removeFixtureSet(fixtures);
});

describe("the prober's check of the server's names", () => {
  const probe = (config: { verifyName?: string; verifyIp?: string; expectIdentity?: string }) =>
    probeTls(endpoint, { trust: fixtures.bundles["trust-a"], serverName, ...config }, 5_000);

  it("accepts the server under its DNS name and its SPIFFE ID", async () => {
    const observation = await probe({ verifyName: serverName, expectIdentity: serverIdentity });
    expect(observation.outcome, observation.evidence.client).toBe("accepted");
  });

  it("refuses another DNS name, as openssl s_client -verify_hostname does", async () => {
    const observation = await probe({ verifyName: "other.mesh.test" });
    expect(observation).toMatchObject({ outcome: "rejected:hostname-mismatch", rejectedBy: "client" });
    const outside = await execa("openssl", ["s_client", "-connect", formatEndpoint(endpoint), "-servername", serverName, "-CAfile", fixtures.bundles["trust-a"]!, "-verify_hostname", "other.mesh.test", "-verify_return_error"], { input: "", reject: false, timeout: 10_000 });
    expect(outside.stdout + outside.stderr).toMatch(/hostname mismatch/);
  });

  it("refuses an IP address the certificate does not name", async () => {
    const observation = await probe({ verifyIp: endpoint.host });
    expect(observation).toMatchObject({ outcome: "rejected:hostname-mismatch", rejectedBy: "client" });
  });

  it("refuses a server whose URI SAN is not the expected identity, naming the one it has", async () => {
    const observation = await probe({ expectIdentity: "spiffe://cluster.local/ns/default/sa/someone-else" });
    expect(observation).toMatchObject({ outcome: "rejected:identity-mismatch", rejectedBy: "client" });
    expect(observation.evidence.client).toContain(serverIdentity);
  });
});
