// Caddy (2.6, Go crypto/tls) as a server peer, from a JSON config generated per server: an HTTPS
// server answering every request with `200 ok`, certificates from files, client authentication and
// SNI selection as TLS connection policies. Nothing else: the admin API listens on a loopback
// endpoint of the server's own (never the default localhost:2019 that other servers would share),
// automatic HTTPS is off (no ACME, no port-80 redirect listener), HTTP/3 is off (it would bind
// UDP), and storage, HOME and the XDG dirs live in the peer's scratch dir.
//
// rotate POSTs the whole config with the new identity to the admin API's /load, which answers
// once the new config runs and the old one has stopped (caddy.go, unsyncedDecodeAndRun: run the
// new, swap, unsyncedStop the old): from then on every connection is the new config's.
//
// Go's net/http server logs every failed handshake as "http: TLS handshake error from A: <error>"
// at debug level (Caddy's logger "http.stdlib"); that Go crypto/tls text is the server's account.
import { classifyGoText } from "../go/classify.js";
import { request } from "node:http";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../../core/network.js";
import type { Runtime } from "../../runtime/types.js";
import { stopUnlessListening } from "../common/listener-ready.js";
import type { ScratchDir } from "../common/scratch-dir.js";
import type { KeyPairFiles, TlsServerConfig } from "../../core/observation.js";
import type { RunningServer, TlsServerAdapter } from "../types.js";
import { startLoggedServer } from "../common/logged-server.js";
import { readinessCeilingMs, controlCeilingMs } from "../../runtime/deadlines.js";

export class CaddyPeerError extends Error {}

// Caddy's modes are crypto/tls ClientAuthType: "request" (RequestClientCert) and "require"
// (RequireAnyClientCert) ask for a certificate without verifying it, so neither is a policy;
// optional means verify-if-given, required means require-and-verify.
const clientAuthMode: Record<TlsServerConfig["clientAuth"], string | undefined> = {
  none: undefined,
  optional: "verify_if_given",
  required: "require_and_verify",
};

const handshakeError = /http: TLS handshake error from \S+: /;

/** The Go error of each "TLS handshake error" line in Caddy's JSON log. */
function handshakeErrors(log: string): string[] {
  return log
    .split("\n")
    .filter((line) => handshakeError.test(line))
    .map((line) => {
      try {
        return String((JSON.parse(line) as { msg?: unknown }).msg ?? "").replace(handshakeError, "");
      } catch {
        return line.replace(/^.*?http: TLS handshake error from \S+: /, "");
      }
    });
}

/** The whole config with `identity` as the default, as JSON: for the start and for each rotation. */
async function caddyConfig(scratch: ScratchDir, config: TlsServerConfig, admin: Endpoint, identity: KeyPairFiles): Promise<string> {
  const identities: Array<[tag: string, files: KeyPairFiles, sni?: string]> = [
    ["default", identity],
    ...Object.entries(config.sniIdentities).map(([name, files], index): [string, KeyPairFiles, string] => [`sni-${index}`, files, name]),
  ];
  const loadFiles = await Promise.all(
    identities.map(async ([tag, files]) => ({
      // Caddy sends the chain from the certificate file: the leaf first, then the intermediates.
      certificate: await scratch.concat(`${tag}.fullchain.pem`, [files.cert, ...(files.chain ? [files.chain] : [])]),
      key: files.key,
      tags: [tag],
    })),
  );
  const mode = clientAuthMode[config.clientAuth];
  const clientAuthentication = mode ? { mode, ...(config.clientTrust ? { trusted_ca_certs_pem_files: [config.clientTrust] } : {}) } : undefined;
  // Caddy 2.6 has no CRL setting (tls.client_authentication has CA certs, leaf certs and nothing
  // else), so config.crls cannot be applied: the revocation rows record that as a deviation.
  // The first policy whose matcher fits is used; the last has none and so serves clients without
  // SNI or with another name.
  // SNI policies first, the default (no matcher) last.
  const policies = [...identities.slice(1), identities[0]!].map(([tag, , sni]) => ({
    ...(sni ? { match: { sni: [sni] } } : {}),
    certificate_selection: { any_tag: [tag] },
    // Caddy's protocol_min names versions tls1.2 and tls1.3 (it supports no lower).
    ...(config.minVersion ? { protocol_min: config.minVersion === "TLSv1.3" ? "tls1.3" : "tls1.2" } : {}),
    ...(clientAuthentication ? { client_authentication: clientAuthentication } : {}),
  }));
  const caddyJson = {
    // The admin API allows requests whose Host is its own listen address (and localhost names).
    admin: { listen: formatEndpoint(admin), config: { persist: false } },
    storage: { module: "file_system", root: `${scratch.path}/storage` },
    logging: {
      logs: {
        // Debug, for http.stdlib's handshake errors; without the per-handshake event noise.
        default: { level: "DEBUG", writer: { output: "stderr" }, encoder: { format: "json" }, exclude: ["events", "tls.handshake", "tls.cache"] },
      },
    },
    apps: {
      tls: { certificates: { load_files: loadFiles } },
      http: {
        // Caddy waits for open connections forever on SIGTERM by default.
        grace_period: "1s",
        servers: {
          peer: {
            listen: [formatEndpoint(config.endpoint)],
            protocols: ["h1", "h2"],
            automatic_https: { disable: true },
            routes: [{ handle: [{ handler: "static_response", status_code: 200, body: "ok\n" }] }],
            tls_connection_policies: policies,
          },
        },
      },
    },
  };
  return `${JSON.stringify(caddyJson, null, 2)}\n`;
}

/** POSTs `body` to the admin API's `path`; resolves once Caddy answers 200. */
function postToAdmin(admin: Endpoint, path: string, body: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (cause: string) => reject(new CaddyPeerError(`failed to POST ${path} to caddy's admin API on ${formatEndpoint(admin)}: ${cause}`));
    const post = request({ host: admin.host, port: admin.port, method: "POST", path, headers: { "Content-Type": "application/json" }, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", (error) => fail(error.message));
      response.on("end", () => (response.statusCode === 200 ? resolve() : fail(`${response.statusCode} ${Buffer.concat(chunks).toString("utf8").trim()}`)));
    });
    post.on("timeout", () => post.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    post.on("error", (error) => fail(error.message));
    post.end(body);
  });
}

async function startCaddyServer(runtime: Runtime, config: TlsServerConfig): Promise<RunningServer> {
  if (config.sidecar) throw new CaddyPeerError("failed to configure caddy: it is not a protocol-detecting sidecar");
  const listen = formatEndpoint(config.endpoint);
  const admin = await allocateEndpoint();
  return startLoggedServer(
    runtime,
    "caddy",
    config.endpoint,
    async (scratch) => {
      const configFile = await scratch.write("caddy.json", await caddyConfig(scratch, config, admin, config.identity));
      // Caddy keeps data (certificates, locks) under XDG_DATA_HOME or HOME and its autosave under
      // XDG_CONFIG_HOME: all in the scratch dir, never in the runner's home.
      const env = ["HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"].map((name) => `${name}=${scratch.path}/${name.toLowerCase()}`);
      const child = await runtime.startProcess("caddy", "env", [...env, "caddy", "run", "--config", configFile], {
        // Logged once every app has started, i.e. after the listener is bound.
        ready: /"msg":"serving initial configuration"/,
        readyTimeoutMs: readinessCeilingMs,
        description: `caddy on ${listen}`,
      });
      await stopUnlessListening(child, config.endpoint, "caddy");
      return child;
    },
    {
      name: "the caddy log",
      settled: handshakeError,
      classify: (text) => {
        const errors = handshakeErrors(text);
        return errors.length ? classifyGoText(errors.join("\n")) : undefined;
      },
    },
    // Measured: the certificate of the previous config is never served after /load answers, with
    // the same tag in both configs (the first handshake after each of 20 loads got the new chain).
    (scratch) => async (identity) => postToAdmin(admin, "/load", await caddyConfig(scratch, config, admin, identity), controlCeilingMs),
  );
}

export const caddyServer = (runtime: Runtime): TlsServerAdapter => ({
  name: "caddy",
  startServer: (config) => startCaddyServer(runtime, config),
});
