// The node server builds one SecureContext per set of files and options and shares it between its
// servers. What node's own server would add to it is kept: the server's cipher order, and the
// session ID context OpenSSL needs to resume a session (from a ticket: node keeps no session-ID
// cache of its own) when client certificates are asked for.
// Checked from outside with `openssl s_client`.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { FixtureSet } from "../../../fixtures/fixture-set.js";
import { catalogueFixturesForTests } from "../../../fixtures/for-tests.js";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../../core/network.js";
import type { TlsServerConfig } from "../../core/observation.js";
import { missingTools } from "../../host/context.js";
import type { RunningServer } from "../types.js";
import { nodeServer, sharedServerContextCount } from "./adapter.js";

let fixtures: FixtureSet;
catalogueFixturesForTests((issued) => (fixtures = issued));

async function serverWith(trust: "trust-a" | "trust-b"): Promise<RunningServer> {
  const server = fixtures.certs.server!;
  const config: TlsServerConfig = {
    endpoint: await allocateEndpoint(),
    identity: { cert: server.cert, chain: server.chain, key: server.key },
    clientAuth: "required",
    clientTrust: fixtures.bundles[trust]!,
    crls: [],
    sniIdentities: {},
  };
  return nodeServer.startServer(config);
}

/** openssl s_client with the fixture client certificate; its whole output. */
function sClient(endpoint: Endpoint, args: string[]): Promise<string> {
  const client = fixtures.certs.client!;
  return new Promise((resolve) =>
    execFile(
      "openssl",
      ["s_client", "-connect", formatEndpoint(endpoint), "-cert", client.cert, "-key", client.key, ...(client.chain ? ["-cert_chain", client.chain] : []), "-CAfile", fixtures.bundles["trust-a"]!, "-ign_eof", ...args],
      { timeout: 10_000, encoding: "utf8" },
      (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
    ).stdin!.end("GET / HTTP/1.0\r\n\r\n"),
  );
}

describe.skipIf(missingTools("openssl"))("node server contexts", () => {
  it("servers with the same files share one context, and each still serves a client it trusts", async () => {
    const before = sharedServerContextCount();
    const first = await serverWith("trust-a");
    const second = await serverWith("trust-a");
    const other = await serverWith("trust-b");
    try {
      expect(sharedServerContextCount() - before).toBe(2);
      for (const server of [first, second]) expect(await sClient(server.endpoint, [])).toContain("HTTP/1.0 200 OK");
      // The client's issuer is not in trust-b: that server refuses it.
      expect(await sClient(other.endpoint, [])).not.toContain("HTTP/1.0 200 OK");
    } finally {
      await Promise.all([first, second, other].map((server) => server.stop()));
    }
  });

  it("chooses the cipher in its own order, not the client's", async () => {
    const server = await serverWith("trust-a");
    try {
      // node's TLS 1.3 order starts with AES-256-GCM; the client prefers AES-128-GCM.
      const output = await sClient(server.endpoint, ["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"]);
      expect(output).toContain("Cipher is TLS_AES_256_GCM_SHA384");
    } finally {
      await server.stop();
    }
  });

  it("resumes a TLS 1.2 session from its ticket when it asks for client certificates", async () => {
    const server = await serverWith("trust-a");
    const session = `${fixtures.dir}/node-context-test.session`;
    try {
      const first = await sClient(server.endpoint, ["-tls1_2", "-sess_out", session]);
      expect(first).toContain("New, TLSv1.2");
      const resumed = await sClient(server.endpoint, ["-tls1_2", "-sess_in", session]);
      expect(resumed).toContain("Reused, TLSv1.2");
    } finally {
      await server.stop();
    }
  });
});
