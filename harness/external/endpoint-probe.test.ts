// --path and --header reach the server as asked, over HTTP/1.1 and HTTP/2: a node:http2 server
// (allowHTTP1) answers 403 unless the path and the header are the ones the probe was given.
import { readFileSync } from "node:fs";
import { createSecureServer, type Http2SecureServer } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec, serverName } from "../../fixtures/profiles.js";
import { allocateEndpoint, type Endpoint } from "../core/network.js";
import { probeEndpoint } from "./endpoint-probe.js";

let fixtures: FixtureSet;
let server: Http2SecureServer;
let endpoint: Endpoint;

beforeAll(async () => {
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  const cert = fixtures.certs.server!;
  endpoint = await allocateEndpoint();
  server = createSecureServer({ allowHTTP1: true, cert: readFileSync(cert.fullChain), key: readFileSync(cert.key) }, (request, response) => {
    const ok = request.url === "/api/v1" && request.headers["x-tenant"] === "blue";
    const body = ok ? "ok\n" : `wrong request: ${request.url} ${request.headers["x-tenant"] ?? "-"}\n`;
    response.writeHead(ok ? 200 : 403, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(endpoint.port, endpoint.host, resolve));
}, 30_000);
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (fixtures) await removeFixtureSet(fixtures);
});

describe("probeEndpoint with a path and headers", () => {
  const probe = (alpn: string[], path: string) =>
    probeEndpoint({ target: endpoint, transport: "tls", protocol: "http", serverName, alpn, timeoutMs: 5_000, settleMs: 1_500, http: { path, headers: [["X-Tenant", "blue"]] } });

  it.each([["http/1.1", []], ["h2", ["h2"]]])("sends them over %s", async (_name, alpn) => {
    const right = await probe(alpn, "/api/v1");
    expect(right.answer).toMatchObject({ kind: "http", status: 200 });
    expect(right.tls?.alpn).toBe(alpn[0]);
    const wrong = await probe(alpn, "/other");
    expect(wrong.answer).toMatchObject({ kind: "http", status: 403, page: "wrong request: /other blue" });
  });
});
