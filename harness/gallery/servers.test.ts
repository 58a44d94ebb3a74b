// Proves the gallery servers themselves: each is started by servers.ts and probed with
// `openssl s_client` (and curl, psql where s_client cannot finish the protocol), not with the
// harness's prober, and must answer as galleryServers' ground truth says. A kind whose program is
// not installed is skipped with the reason.
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { catalogueFixturesForTests } from "../../fixtures/for-tests.js";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { importIssuer } from "../../fixtures/import-issuer.js";
import { altServerName, clientIdentity, serverName } from "../../fixtures/profiles.js";
import { missingImplementations, missingTools, skipEachWithout } from "../host/context.js";
import { findProgram } from "../host/detection.js";
import { formatEndpoint, type Endpoint } from "../core/network.js";
import { runToCompletion } from "../runtime/process.js";
import { makeOpensslIssuer } from "./openssl-issuer.js";
import { postgresRole, startGalleryServer, type GalleryOptions, type RunningGalleryServer } from "./launchers.js";
import { galleryServers, probeClientCert, type GalleryKind, type GalleryProbe } from "./truth.js";

let fixtures: FixtureSet;
catalogueFixturesForTests((issued) => (fixtures = issued));

const httpRequest = `GET / HTTP/1.1\r\nHost: ${serverName}\r\nConnection: close\r\n\r\n`;

function clientCertArgs(probe: GalleryProbe): string[] {
  if (probe === "plaintext" || probe === "no-client-cert") return [];
  const cert = fixtures.certs[probeClientCert[probe]]!;
  return ["-cert", cert.cert, "-key", cert.key, ...(cert.chainLength > 0 ? ["-cert_chain", cert.chain] : [])];
}

interface SClientOptions {
  /** Sent after the handshake; s_client then waits for the server to close (-ign_eof). */
  input?: string;
  extra?: string[];
  timeoutMs?: number;
}

/** `openssl s_client` as a user runs it by hand, verifying the server against trust-a. */
async function sClient(endpoint: Endpoint, probe: GalleryProbe, { input = httpRequest, extra = [], timeoutMs = 8_000 }: SClientOptions = {}) {
  const args = ["s_client", "-connect", formatEndpoint(endpoint), "-servername", serverName, "-CAfile", fixtures.bundles["trust-a"]!, "-ign_eof", ...clientCertArgs(probe), ...extra];
  const result = await runToCompletion("openssl", args, { input, timeoutMs });
  return { ...result, text: `$ openssl ${args.join(" ")}\n${result.output}` };
}

/** `GET / HTTP/1.0` over bare TCP: what came back and how the connection ended. */
function plaintextProbe(endpoint: Endpoint, timeoutMs = 4_000): Promise<{ answer: string; end: "close" | "reset" | "open" }> {
  return new Promise((resolve) => {
    const socket = connect(endpoint.port, endpoint.host);
    let answer = "";
    const finish = (end: "close" | "reset" | "open") => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, end });
    };
    const timer = setTimeout(() => finish("open"), timeoutMs);
    socket.on("connect", () => socket.write(`GET / HTTP/1.0\r\nHost: ${serverName}\r\n\r\n`));
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("error", (error: NodeJS.ErrnoException) => finish(error.code === "ECONNRESET" ? "reset" : "close"));
    socket.on("end", () => finish("close"));
  });
}

const alertNumber = (number: number) => new RegExp(`SSL alert number ${number}\\b`);
const handshakeDone = /New, TLSv1\.[23], Cipher is /m;
const reset = /errno=104/;

/** Why `kind` cannot be proven here, with the fix: its program, or a client the probes run, is missing. */
function unavailable(kind: GalleryKind): string | undefined {
  const { program, debianPackage } = galleryServers[kind];
  if (!findProgram(program)) return `not installed (${program} missing): apt-get install ${debianPackage ?? program}, or npm run setup`;
  return missingTools("openssl") ?? (kind === "nghttpx-h2-verify-client" ? missingImplementations("curl") : undefined);
}

/**
 * Starts `kind` for the tests of one describe block and stops it after them; when it cannot run
 * here, starts nothing and skips the block's cases with the reason.
 */
function gallery(kind: GalleryKind, options: GalleryOptions = {}): () => RunningGalleryServer {
  const reason = unavailable(kind);
  let server: RunningGalleryServer | undefined;
  beforeEach(({ skip }) => {
    if (reason) skip(reason);
  });
  beforeAll(async () => {
    if (!reason) server = await startGalleryServer(kind, fixtures, options);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  }, 15_000);
  return () => server!;
}

describe("nginx ssl_verify_client on", () => {
  const server = gallery("nginx-verify-on");
  it("serves a valid client certificate: 200 inside TLS 1.2", async () => {
    const { text } = await sClient(server().endpoint, "valid");
    expect(text).toMatch(/HTTP\/1\.1 200 OK/);
    expect(text).toMatch(/New, TLSv1\.2, Cipher is /);
  });
  it("refuses no certificate with 400 inside a completed handshake", async () => {
    const { text } = await sClient(server().endpoint, "no-client-cert");
    expect(text).toMatch(handshakeDone);
    expect(text).toMatch(/HTTP\/1\.1 400 Bad Request/);
    expect(text).toContain("400 No required SSL certificate was sent");
  });
  it("refuses a rogue-CA certificate with 400 The SSL certificate error", async () => {
    expect((await sClient(server().endpoint, "rogue-ca")).text).toContain("400 The SSL certificate error");
  });
  it("answers plain HTTP with 400 The plain HTTP request was sent to HTTPS port", async () => {
    const { answer } = await plaintextProbe(server().endpoint);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(answer).toContain("400 The plain HTTP request was sent to HTTPS port");
  });
  it("speaks no TLS 1.3 (nginx 1.22's default ssl_protocols): alert 70", async () => {
    expect((await sClient(server().endpoint, "valid", { extra: ["-tls1_3"] })).text).toMatch(alertNumber(70));
  });
});

describe("nginx ssl_verify_client optional", () => {
  const server = gallery("nginx-verify-optional");
  it("serves a valid client certificate and no certificate alike: 200", async () => {
    for (const probe of ["valid", "no-client-cert"] as const) expect((await sClient(server().endpoint, probe)).text).toMatch(/HTTP\/1\.1 200 OK/);
  });
  it("refuses an expired certificate with 400 The SSL certificate error", async () => {
    expect((await sClient(server().endpoint, "expired")).text).toContain("400 The SSL certificate error");
  });
});

describe("Caddy client_auth require_and_verify", () => {
  const server = gallery("caddy-require-and-verify");
  it("serves a valid client certificate: 200 over TLS 1.3", async () => {
    const { text } = await sClient(server().endpoint, "valid");
    expect(text).toMatch(/HTTP\/1\.1 200 OK/);
    expect(text).toMatch(/New, TLSv1\.3, Cipher is /);
  });
  it("refuses no certificate with alert 42 bad_certificate after the handshake (TLS 1.3) and during it (TLS 1.2)", async () => {
    const tls13 = (await sClient(server().endpoint, "no-client-cert")).text;
    expect(tls13).toMatch(alertNumber(42));
    expect(tls13).not.toMatch(/HTTP\//);
    expect((await sClient(server().endpoint, "no-client-cert", { extra: ["-tls1_2"] })).text).toMatch(alertNumber(42));
  });
  it("answers plain HTTP with Go's 400 page", async () => {
    expect((await plaintextProbe(server().endpoint)).answer).toBe("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");
  });
});

describe("nginx admitting one identity (map on $ssl_client_s_dn)", () => {
  const server = gallery("nginx-identity-map");
  it("refuses a verified certificate of another identity (the fixture client, CN=client) with 403", async () => {
    const { text } = await sClient(server().endpoint, "valid");
    expect(text).toMatch(handshakeDone);
    expect(text).toMatch(/HTTP\/1\.1 403 Forbidden/);
    expect(text).toContain("identity not allowed");
  });
  it("serves a certificate from the same issuer whose CN is the allowed identity: 200", async () => {
    const { issuer } = await importIssuer(fixtures.certs["issuer-a"]!.cert, fixtures.certs["issuer-a"]!.key);
    const allowed = await writeFixtureSet(
      { certs: [{ name: "allowed", issuer: "issuer-a", subject: { commonName: clientIdentity }, san: { uri: [clientIdentity] }, eku: ["clientAuth"], chain: ["issuer-a"] }] },
      new Date(),
      undefined,
      new Map([["issuer-a", issuer]]),
    );
    try {
      const cert = allowed.certs.allowed!;
      const args = ["s_client", "-connect", formatEndpoint(server().endpoint), "-servername", serverName, "-CAfile", fixtures.bundles["trust-a"]!, "-ign_eof", "-cert", cert.cert, "-key", cert.key, "-cert_chain", cert.chain];
      const { output } = await runToCompletion("openssl", args, { input: httpRequest, timeoutMs: 8_000 });
      expect(output).toMatch(/HTTP\/1\.1 200 OK/);
      expect(output).toContain("hello from nginx");
    } finally {
      await removeFixtureSet(allowed);
    }
  });
});

describe("nginx ssl_verify_client optional, required under /api only", () => {
  const server = gallery("nginx-per-location");
  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: ${serverName}\r\nConnection: close\r\n\r\n`;
  it("serves no certificate at / (200) and refuses it under /api (403)", async () => {
    expect((await sClient(server().endpoint, "no-client-cert", { input: get("/") })).text).toMatch(/HTTP\/1\.1 200 OK/);
    const api = (await sClient(server().endpoint, "no-client-cert", { input: get("/api") })).text;
    expect(api).toMatch(/HTTP\/1\.1 403 Forbidden/);
    expect(api).toContain("client certificate required");
  });
  it("serves a valid client certificate under /api: 200", async () => {
    expect((await sClient(server().endpoint, "valid", { input: get("/api") })).text).toContain("hello from the api");
  });
});

describe("nginx with a default server beside the API", () => {
  const open = gallery("nginx-default-server-open");
  const closed = gallery("nginx-default-server-closed");
  const toHost = (host: string) => `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
  const unserved = "not-served.mtls-conformance.invalid";
  /** s_client without a certificate under another name: sClient always names the API. */
  const underName = async (endpoint: Endpoint, name: string[]) => {
    const args = ["s_client", "-connect", formatEndpoint(endpoint), ...name, "-CAfile", fixtures.bundles["trust-a"]!, "-ign_eof"];
    return (await runToCompletion("openssl", args, { input: httpRequest, timeoutMs: 8_000 })).output;
  };
  it("open: inside the API's handshake, no certificate, Host another name: the default site's 200", async () => {
    expect((await sClient(open().endpoint, "no-client-cert", { input: toHost(unserved) })).text).toContain("hello from the default server");
  });
  it("open: without SNI, Host the API: nginx applies the API's ssl_verify_client (400)", async () => {
    expect(await underName(open().endpoint, ["-noservername"])).toContain("400 No required SSL certificate was sent");
  });
  it("closed: without SNI or with an unknown one, alert 112 unrecognized_name; Host another name: 421", async () => {
    expect(await underName(closed().endpoint, ["-noservername"])).toMatch(alertNumber(112));
    expect(await underName(closed().endpoint, ["-servername", unserved])).toMatch(alertNumber(112));
    expect((await sClient(closed().endpoint, "no-client-cert", { input: toHost(unserved) })).text).toMatch(/HTTP\/1\.1 421 Misdirected Request/);
  });
});

describe("nginx refusing a client without a certificate on one protocol path only", () => {
  const http1Only = gallery("nginx-refuses-http1-only");
  const tls12Only = gallery("nginx-refuses-tls12-only");
  /** curl without a client certificate: the status line. */
  const curlStatus = async (endpoint: Endpoint, flags: string[]) => {
    const url = `https://${serverName}:${endpoint.port}/`;
    const args = ["-sS", "-i", "--max-time", "5", ...flags, "--cacert", fixtures.bundles["trust-a"]!, "--resolve", `${serverName}:${endpoint.port}:${endpoint.host}`, url];
    return (await runToCompletion("curl", args, { timeoutMs: 8_000 })).output.split("\r\n")[0];
  };
  it("HTTP/1.1 gets 403, HTTP/2 gets 200 ($http2 in the map)", async () => {
    expect(await curlStatus(http1Only().endpoint, ["--http1.1"])).toBe("HTTP/1.1 403 Forbidden");
    expect(await curlStatus(http1Only().endpoint, ["--http2"])).toBe("HTTP/2 200 ");
  });
  it("TLS 1.2 gets 403, TLS 1.3 gets 200 ($ssl_protocol in the map)", async () => {
    expect(await curlStatus(tls12Only().endpoint, ["--http1.1", "--tls-max", "1.2"])).toBe("HTTP/1.1 403 Forbidden");
    expect(await curlStatus(tls12Only().endpoint, ["--http1.1", "--tlsv1.3"])).toBe("HTTP/1.1 200 OK");
  });
});

describe("a session from alt.mesh.test (no client auth) resumed on api.mesh.test (client auth required)", () => {
  const haproxy = gallery("haproxy-crt-list-resumption");
  const nginx = gallery("nginx-shared-sessions");
  /** s_client without a certificate: a full handshake on alt saving its session, then that session offered on api. */
  const resumeOnApi = async (endpoint: Endpoint, version: string) => {
    const session = join(fixtures.dir, `session-${endpoint.host}-${version}`);
    const base = ["s_client", "-connect", formatEndpoint(endpoint), version, "-CAfile", fixtures.bundles["trust-a"]!, "-ign_eof"];
    const first = await runToCompletion("openssl", [...base, "-servername", altServerName, "-sess_out", session], { input: httpRequest.replace(serverName, altServerName), timeoutMs: 8_000 });
    expect(first.output).toMatch(/^New, TLSv1\.[23]/m);
    return (await runToCompletion("openssl", [...base, "-servername", serverName, "-sess_in", session], { input: httpRequest, timeoutMs: 8_000 })).output;
  };
  it.each(["-tls1_2", "-tls1_3"])("HAProxy crt-list %s: resumed and served without a certificate", async (version) => {
    const output = await resumeOnApi(haproxy().endpoint, version);
    expect(output).toMatch(/^Reused, TLSv1\.[23]/m);
    expect(output).toContain("hello from haproxy");
  });
  it("nginx shared cache and ticket key, TLS 1.3: alert 49 access_denied", async () => {
    expect(await resumeOnApi(nginx().endpoint, "-tls1_3")).toMatch(alertNumber(49));
  });
  it("nginx shared cache and ticket key, TLS 1.2: resumed, then 421 Misdirected Request", async () => {
    const output = await resumeOnApi(nginx().endpoint, "-tls1_2");
    expect(output).toMatch(/^Reused, TLSv1\.2/m);
    expect(output).toMatch(/HTTP\/1\.1 421 Misdirected Request/);
  });
});

describe("a session from alt.mesh.test presenting CN=client (not the identity api.mesh.test admits), resumed on api.mesh.test", () => {
  const haproxy = gallery("haproxy-sni-identity");
  const nginx = gallery("nginx-identity-per-name");
  /** s_client with the fixture client (CN=client): a full handshake on alt saving its session, then that session offered on api. */
  const resumeOnApi = async (endpoint: Endpoint, version: string) => {
    const session = join(fixtures.dir, `identity-session-${endpoint.host}-${version}`);
    const base = ["s_client", "-connect", formatEndpoint(endpoint), version, "-CAfile", fixtures.bundles["trust-a"]!, "-ign_eof", ...clientCertArgs("valid")];
    const first = await runToCompletion("openssl", [...base, "-servername", altServerName, "-sess_out", session], { input: httpRequest.replace(serverName, altServerName), timeoutMs: 8_000 });
    expect(first.output).toMatch(/^New, TLSv1\.[23]/m);
    expect(first.output).toMatch(/HTTP\/1\.1 200 OK/);
    return (await runToCompletion("openssl", [...base, "-servername", serverName, "-sess_in", session], { input: httpRequest, timeoutMs: 8_000 })).output;
  };
  it.each([
    ["HAProxy", haproxy],
    ["nginx", nginx],
  ])("%s: a full handshake on api.mesh.test with CN=client gets 403", async (_name, server) => {
    expect((await sClient(server().endpoint, "valid", { extra: ["-tls1_2"] })).text).toMatch(/HTTP\/1\.1 403 Forbidden/);
  });
  it("HAProxy, TLS 1.2: resumed and served (ssl_fc_sni is the session's first name)", async () => {
    const output = await resumeOnApi(haproxy().endpoint, "-tls1_2");
    expect(output).toMatch(/^Reused, TLSv1\.2/m);
    expect(output).toContain("hello from haproxy");
  });
  it("HAProxy, TLS 1.3: resumed, then 403", async () => {
    const output = await resumeOnApi(haproxy().endpoint, "-tls1_3");
    expect(output).toMatch(/^Reused, TLSv1\.3/m);
    expect(output).toMatch(/HTTP\/1\.1 403 Forbidden/);
  });
  it("nginx, TLS 1.2: resumed, then 421 Misdirected Request", async () => {
    const output = await resumeOnApi(nginx().endpoint, "-tls1_2");
    expect(output).toMatch(/^Reused, TLSv1\.2/m);
    expect(output).toMatch(/HTTP\/1\.1 421 Misdirected Request/);
  });
  it("nginx, TLS 1.3: alert 49 access_denied", async () => {
    expect(await resumeOnApi(nginx().endpoint, "-tls1_3")).toMatch(alertNumber(49));
  });
});

describe("a session saved with a certificate from trust-a, offered after a restart that trusts trust-b only (same ticket keys)", () => {
  const measure = async (kind: GalleryKind) => {
    const ticketKeys = join(fixtures.dir, `hand-tickets-${kind}`);
    let server = await startGalleryServer(kind, fixtures, { ticketKeys });
    const sessionOf = (version: string) => join(fixtures.dir, `hand-session-${kind}-${version}`);
    try {
      for (const version of ["-tls1_2", "-tls1_3"]) {
        const saved = await sClient(server.endpoint, "valid", { extra: [version, "-sess_out", sessionOf(version)] });
        expect(saved.text).toMatch(/^New, TLSv1\.[23]/m);
        expect(saved.text).toMatch(/HTTP\/1\.1 200 OK/);
      }
      await server.stop();
      server = await startGalleryServer(kind, fixtures, { ticketKeys, clientCa: "trust-b", endpoint: server.endpoint });
      const seen: Record<string, { full: string; resumed: string }> = {};
      for (const version of ["-tls1_2", "-tls1_3"]) {
        const full = (await sClient(server.endpoint, "valid", { extra: [version] })).text;
        const resumed = (await sClient(server.endpoint, "valid", { extra: [version, "-sess_in", sessionOf(version)] })).text;
        seen[version] = { full, resumed };
      }
      return seen;
    } finally {
      await server.stop();
    }
  };
  it.skipIf(!findProgram("haproxy") || missingTools("openssl"))("HAProxy tls-ticket-keys: the full handshake gets alert 48, the saved session is resumed and served", async () => {
    for (const { full, resumed } of Object.values(await measure("haproxy-ticket-keys"))) {
      expect(full).toMatch(alertNumber(48));
      expect(resumed).toMatch(/^Reused, TLSv1\.[23]/m);
      expect(resumed).toContain("hello from haproxy");
    }
  }, 60_000);
  it.skipIf(!findProgram("nginx") || missingTools("openssl"))("nginx: the full handshake gets 400, the saved session is not resumed (New) and gets 400", async () => {
    for (const { full, resumed } of Object.values(await measure("nginx-client-ca"))) {
      expect(full).toContain("400 The SSL certificate error");
      expect(resumed).toMatch(/^New, TLSv1\.[23]/m);
      expect(resumed).toContain("400 The SSL certificate error");
    }
  }, 60_000);
});

describe("HAProxy verify optional + http-request deny 403", () => {
  const server = gallery("haproxy-optional-403");
  it("serves a valid client certificate: 200", async () => {
    expect((await sClient(server().endpoint, "valid")).text).toMatch(/HTTP\/1\.1 200 OK/);
  });
  it("refuses no certificate with 403 inside a completed handshake", async () => {
    const { text } = await sClient(server().endpoint, "no-client-cert");
    expect(text).toMatch(handshakeDone);
    expect(text).toMatch(/HTTP\/1\.1 403 Forbidden/);
  });
  it("refuses a self-signed certificate in TLS: alert 48 unknown_ca", async () => {
    expect((await sClient(server().endpoint, "self-signed")).text).toMatch(alertNumber(48));
  });
});

describe("mosquitto require_certificate true", () => {
  const server = gallery("mosquitto-require-certificate");
  it("keeps a valid client's connection open with no alert when it sends nothing", async () => {
    const result = await sClient(server().endpoint, "valid", { input: "", timeoutMs: 3_000 });
    expect(result.timedOut, result.text).toBe(true);
    expect(result.text).toMatch(/New, TLSv1\.3, Cipher is /);
    expect(result.text).not.toMatch(/alert/);
  });
  it("closes a valid client's connection when it sends an HTTP request", async () => {
    const result = await sClient(server().endpoint, "valid", { timeoutMs: 5_000 });
    expect(result.timedOut, result.text).toBe(false);
    expect(result.text).toMatch(/\bclosed\b/);
    expect(result.text).not.toMatch(/alert/);
  });
  it("refuses no certificate with alert 116 certificate_required (TLS 1.3), 40 handshake_failure (TLS 1.2)", async () => {
    expect((await sClient(server().endpoint, "no-client-cert", { input: "" })).text).toMatch(alertNumber(116));
    expect((await sClient(server().endpoint, "no-client-cert", { input: "", extra: ["-tls1_2"] })).text).toMatch(alertNumber(40));
  });
  it("resets a plain HTTP request", async () => {
    expect(await plaintextProbe(server().endpoint)).toEqual({ answer: "", end: "reset" });
  });
});

describe("nghttpx verify-client, ALPN h2", () => {
  const server = gallery("nghttpx-h2-verify-client");
  it("serves a valid client certificate over HTTP/2: ALPN h2, SETTINGS first, then 200 (curl)", async () => {
    const { endpoint } = server();
    const handshake = await sClient(endpoint, "valid", { input: "", extra: ["-alpn", "h2"], timeoutMs: 3_000 });
    expect(handshake.text).toContain("ALPN protocol: h2");
    const client = fixtures.certs.client!;
    const curl = await runToCompletion(
      "curl",
      ["-sS", "-i", "--http2", "--max-time", "5", "--cacert", fixtures.bundles["trust-a"]!, "--cert", client.fullChain, "--key", client.key, "--resolve", `${serverName}:${endpoint.port}:${endpoint.host}`, `https://${serverName}:${endpoint.port}/`],
      { timeoutMs: 8_000 },
    );
    expect(curl.output).toMatch(/^HTTP\/2 200/m);
    expect(curl.output).toContain("hello from the backend behind nghttpx");
  });
  it("refuses no certificate with alert 116 certificate_required", async () => {
    expect((await sClient(server().endpoint, "no-client-cert", { input: "", extra: ["-alpn", "h2"] })).text).toMatch(alertNumber(116));
  });
});

describe("PostgreSQL hostssl ... cert", () => {
  const server = gallery("postgres-hostssl-cert");
  const psql = (probe: GalleryProbe) => {
    const { endpoint } = server();
    const client = probe === "no-client-cert" ? undefined : fixtures.certs[probeClientCert[probe as keyof typeof probeClientCert]]!;
    const conninfo = [
      `host=${serverName}`,
      `hostaddr=${endpoint.host}`,
      `port=${endpoint.port}`,
      "dbname=postgres",
      `user=${postgresRole}`,
      "sslmode=verify-full",
      `sslrootcert=${fixtures.bundles["trust-a"]}`,
      ...(client ? [`sslcert=${client.fullChain}`, `sslkey=${client.key}`] : []),
      "connect_timeout=5",
    ].join(" ");
    return runToCompletion("/usr/lib/postgresql/15/bin/psql", [conninfo, "-At", "-c", "select 1"], { timeoutMs: 8_000 });
  };
  it("serves a valid client certificate: TLS after SSLRequest, no alert; psql runs select 1", async () => {
    const handshake = await sClient(server().endpoint, "valid", { input: "", extra: ["-starttls", "postgres"], timeoutMs: 3_000 });
    expect(handshake.timedOut, handshake.text).toBe(true);
    expect(handshake.text).toMatch(/New, TLSv1\.3, Cipher is /);
    expect(handshake.text).not.toMatch(/alert/);
    expect((await psql("valid")).output.trim()).toBe("1");
  });
  it("completes the handshake without a certificate and refuses it in the protocol", async () => {
    const handshake = await sClient(server().endpoint, "no-client-cert", { input: "", extra: ["-starttls", "postgres"], timeoutMs: 3_000 });
    expect(handshake.timedOut, handshake.text).toBe(true);
    expect(handshake.text).not.toMatch(/alert/);
    expect((await psql("no-client-cert")).output).toContain("FATAL:  connection requires a valid client certificate");
  });
  it("refuses a rogue-CA certificate in TLS: alert 48 unknown_ca", async () => {
    expect((await sClient(server().endpoint, "rogue-ca", { input: "", extra: ["-starttls", "postgres"] })).text).toMatch(alertNumber(48));
  });
});

describe("Apache SSLVerifyClient require inside <Location /secure> only", () => {
  const server = gallery("apache-location-require");
  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: ${serverName}\r\nConnection: close\r\n\r\n`;
  const phaRefusal = "Cannot perform Post-Handshake Authentication";
  it("serves / without a certificate: 200 over TLS 1.3", async () => {
    const { text } = await sClient(server().endpoint, "no-client-cert", { input: get("/") });
    expect(text).toMatch(/New, TLSv1\.3, Cipher is /);
    expect(text).toMatch(/HTTP\/1\.1 200 OK/);
    expect(text).toContain("hello from apache");
  });
  it("under TLS 1.3 without post-handshake auth, refuses /secure to every client, the valid certificate included: 403", async () => {
    for (const probe of ["valid", "no-client-cert", "rogue-ca"] as const) {
      const { text } = await sClient(server().endpoint, probe, { input: get("/secure") });
      expect(text, probe).toMatch(/HTTP\/1\.1 403 Forbidden/);
      expect(text, probe).toContain(phaRefusal);
    }
  });
  it("under TLS 1.3 with post-handshake auth (-enable_pha), serves /secure to the valid certificate and refuses none with alert 116", async () => {
    expect((await sClient(server().endpoint, "valid", { input: get("/secure"), extra: ["-enable_pha"] })).text).toContain("hello from apache /secure");
    expect((await sClient(server().endpoint, "no-client-cert", { input: get("/secure"), extra: ["-enable_pha"] })).text).toMatch(alertNumber(116));
  });
  it("under TLS 1.2, renegotiates on /secure: the valid certificate gets 200, none alert 40, a rogue CA alert 48, an expired one alert 45", async () => {
    const over12 = (probe: GalleryProbe) => sClient(server().endpoint, probe, { input: get("/secure"), extra: ["-tls1_2"] });
    expect((await over12("valid")).text).toContain("hello from apache /secure");
    expect((await over12("no-client-cert")).text).toMatch(alertNumber(40));
    expect((await over12("rogue-ca")).text).toMatch(alertNumber(48));
    expect((await over12("expired")).text).toMatch(alertNumber(45));
  });
  it("answers plain HTTP with 400 You're speaking plain HTTP to an SSL-enabled server port", async () => {
    const { answer } = await plaintextProbe(server().endpoint);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(answer).toContain("speaking plain HTTP to an SSL-enabled server port");
  });
});

describe("Apache SSLVerifyClient require in the whole vhost", () => {
  const server = gallery("apache-vhost-require");
  it("serves a valid client certificate: 200 over TLS 1.3", async () => {
    const { text } = await sClient(server().endpoint, "valid");
    expect(text).toMatch(/New, TLSv1\.3, Cipher is /);
    expect(text).toContain("hello from apache");
  });
  it("refuses no certificate with alert 116 (TLS 1.3) and 40 (TLS 1.2), an expired one with alert 45", async () => {
    expect((await sClient(server().endpoint, "no-client-cert")).text).toMatch(alertNumber(116));
    expect((await sClient(server().endpoint, "no-client-cert", { extra: ["-tls1_2"] })).text).toMatch(alertNumber(40));
    expect((await sClient(server().endpoint, "expired")).text).toMatch(alertNumber(45));
  });
});

describe("misbehaving endpoints", () => {
  describe("silent: accepts and never speaks", () => {
    const server = gallery("silent");
    it("leaves s_client waiting for a ServerHello, with a valid certificate and without one", async () => {
      for (const probe of ["valid", "no-client-cert"] as const) {
        const result = await sClient(server().endpoint, probe, { timeoutMs: 2_000 });
        expect(result.timedOut, result.text).toBe(true);
        expect(result.text).not.toMatch(/Cipher is|Server certificate/);
      }
    });
  });

  describe("reset-after-hello", () => {
    const server = gallery("reset-after-hello");
    it("resets after the ClientHello, with a valid certificate and without one", async () => {
      for (const probe of ["valid", "no-client-cert"] as const) {
        const result = await sClient(server().endpoint, probe);
        expect(result.text).toMatch(reset);
        expect(result.text).toContain("New, (NONE), Cipher is (NONE)");
      }
    });
  });

  describe("stops-mid-run after 2 connections", () => {
    const server = gallery("stops-mid-run", { serveConnections: 2 });
    it("is a strict mTLS server for 2 connections, then resets every one", async () => {
      const { endpoint } = server();
      expect((await sClient(endpoint, "valid")).text).toMatch(/HTTP\/1\.1 200 OK/);
      expect((await sClient(endpoint, "no-client-cert")).text).toMatch(alertNumber(116));
      for (const probe of ["valid", "no-client-cert"] as const) expect((await sClient(endpoint, probe)).text).toMatch(reset);
    });
  });

  describe("random-reset (seed 1)", () => {
    const server = gallery("random-reset", { seed: 1 });
    it("resets some valid-certificate probes and serves the others", async () => {
      const outcomes: string[] = [];
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const { text } = await sClient(server().endpoint, "valid");
        outcomes.push(reset.test(text) ? "reset" : /HTTP\/1\.1 200 OK/.test(text) ? "200" : text);
      }
      const resets = outcomes.filter((outcome) => outcome === "reset").length;
      expect(outcomes.filter((outcome) => outcome !== "reset" && outcome !== "200")).toEqual([]);
      expect(resets).toBeGreaterThan(0);
      expect(resets).toBeLessThan(20);
    });
  });
});

describe("an issuer made by the openssl CLI", () => {
  skipEachWithout("openssl");
  it("has a UTF8String subject, as openssl writes it by default", async () => {
    const { cert } = await makeOpensslIssuer(fixtures.dir);
    const parsed = await runToCompletion("openssl", ["asn1parse", "-in", cert], { timeoutMs: 5_000 });
    expect(parsed.output).toMatch(/UTF8STRING +:Example Issuer/);
    expect(parsed.output).not.toMatch(/PRINTABLESTRING/);
    const text = await runToCompletion("openssl", ["x509", "-in", cert, "-noout", "-ext", "basicConstraints"], { timeoutMs: 5_000 });
    expect(text.output).toContain("CA:TRUE");
  });
});
