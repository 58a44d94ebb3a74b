// GnuTLS as a peer, a TLS stack independent of OpenSSL: `gnutls-serv --http` and `gnutls-cli`.
//
// gnutls-serv has no listen-address option: it binds the wildcard address of every family. On both
// runtimes it runs under loopback-bind.so (loopback-bind.c in this folder), an LD_PRELOAD
// shim that turns that bind into a bind to MTLS_BIND_HOST, so it listens on the allocated
// 127.x.y.z endpoint only: the image carries the shim, and on the process runtime program-build.ts
// compiles it with the host's cc.
import { classifyGnutlsText } from "./classify.js";
import { formatEndpoint, type Endpoint } from "../../core/network.js";
import type { Runtime } from "../../runtime/types.js";
import { programOn } from "../common/program-build.js";
import { loopbackBindBuild } from "./program.js";
import { createScratchDir } from "../common/scratch-dir.js";
import { applicationRequest, type Observation, type TlsClientConfig, type TlsServerConfig, type TlsVersion, clientFailure, tlsVersions } from "../../core/observation.js";
import type { RunningServer, TlsClientAdapter, TlsServerAdapter } from "../types.js";
import { startLoggedServer } from "../common/logged-server.js";
import { readinessCeilingMs } from "../../runtime/deadlines.js";

export class GnutlsPeerError extends Error {}

/** A priority string allowing `minVersion` and every later version (GnuTLS manual, "Priority strings"). */
function gnutlsPriorityFrom(minVersion: TlsVersion): string {
  const from = tlsVersions.indexOf(minVersion);
  const names = ["VERS-TLS1.0", "VERS-TLS1.1", "VERS-TLS1.2", "VERS-TLS1.3"].slice(from);
  return ["NORMAL", "-VERS-ALL", ...names.map((name) => `+${name}`)].join(":");
}

// -r alone only asks for a certificate; --verify-client-cert makes a failed verification fatal.
const clientAuthArgs: Record<TlsServerConfig["clientAuth"], string[]> = {
  none: ["--disable-client-cert"],
  optional: ["--verify-client-cert"],
  required: ["--require-client-cert", "--verify-client-cert"],
};

// gnutls-serv prints the verdict ("- Status: ...") on stdout, which is block-buffered on a pipe
// (measured: it arrived only at exit); stdbuf -oL makes it line-buffered.
const serverFailure = /Status: The certificate is NOT trusted|Error in handshake|Received alert/;

// gnutls-serv prints "listening on IPv4 0.0.0.0 port N..." before bind() and "done" after it, and
// the shim announces its rewrite in between (measured), so the announcement may split that line.
const listeningDone = /listening on IPv4 .* port \d+\.\.\.(?:loopback-bind: [^\n]*\n)?done/;
const shimAnnouncement = /loopback-bind: 0\.0\.0\.0:(\d+) -> ([\d.]+):(\d+)$/m;

async function startGnutlsServer(runtime: Runtime, config: TlsServerConfig): Promise<RunningServer> {
  if (config.sidecar) throw new GnutlsPeerError("failed to configure gnutls-serv: it is not a protocol-detecting sidecar");
  if (config.endpoint.host.includes(":")) throw new GnutlsPeerError("failed to configure gnutls-serv: the loopback-bind shim handles IPv4 hosts only");
  const loopbackBindShim = await programOn(loopbackBindBuild, new URL(".", import.meta.url), runtime.name);
  return startLoggedServer(
    runtime,
    "gnutls",
    config.endpoint,
    async (scratch) => {
      // One --x509certfile/--x509keyfile pair per identity; GnuTLS picks the one whose names match
      // the SNI, and the first without SNI. Each certificate file carries its chain.
      const identities = [["default", config.identity] as const, ...Object.entries(config.sniIdentities)];
      const certArgs: string[] = [];
      for (const [name, files] of identities) {
        const certificate = await scratch.concat(`${name}.fullchain.pem`, [files.cert, ...(files.chain ? [files.chain] : [])]);
        certArgs.push("--x509certfile", certificate, "--x509keyfile", files.key);
      }
      const crlFile = config.crls.length ? await scratch.concat("crls.pem", config.crls) : undefined;
      const args = [
        "-c",
        // One stream: the Status line (stdout) must not trail "Error in handshake" (stderr), which
        // it does when the two are read as separate pipes (measured through docker exec).
        'host="$1"; shift; exec env LD_PRELOAD="$0" MTLS_BIND_HOST="$host" stdbuf -oL gnutls-serv "$@" 2>&1',
        loopbackBindShim,
        config.endpoint.host,
        "--http",
        "--port",
        String(config.endpoint.port),
        ...certArgs,
        ...(config.minVersion ? ["--priority", gnutlsPriorityFrom(config.minVersion)] : []),
        ...clientAuthArgs[config.clientAuth],
        ...(config.clientAuth !== "none" && config.clientTrust ? ["--x509cafile", config.clientTrust] : []),
        ...(config.clientAuth !== "none" && crlFile ? ["--x509crlfile", crlFile] : []),
      ];
      const child = await runtime.startProcess("gnutls", "sh", args, {
        ready: listeningDone,
        readyTimeoutMs: readinessCeilingMs,
        description: `gnutls-serv on ${formatEndpoint(config.endpoint)}`,
      });
      // Without the shim's word gnutls-serv listens on 0.0.0.0 (a shim that was not preloaded is
      // only reported by ld.so as a warning): stop it at once rather than leave it listening.
      const announced = shimAnnouncement.exec(child.output());
      if (announced?.[2] !== config.endpoint.host || announced[3] !== String(config.endpoint.port)) {
        const output = child.output().trim();
        await child.stop();
        throw new GnutlsPeerError(`failed to start gnutls-serv on ${formatEndpoint(config.endpoint)}: the loopback-bind shim did not rebind it there (${output.split("\n").slice(0, 3).join(" | ")})`);
      }
      return child;
    },
    {
      name: "gnutls-serv",
      settled: serverFailure,
      // Only the lines that decide: the Status line beats "Error in handshake: Error in the certificate".
      classify: (text) => (serverFailure.test(text) ? classifyGnutlsText(text.split("\n").filter((line) => serverFailure.test(line)).join("\n")) : undefined),
    },
  );
}

/** "(TLS1.3-X.509)-(ECDHE-X25519)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)" -> TLSv1.3 and AES-256-GCM. */
function negotiated(output: string): { tlsVersion?: string; cipher?: string } {
  const description = /^- Description: \((TLS|DTLS)(\d\.\d)-[^)]*\).*-\(([^)]+)\)\s*$/m.exec(output);
  if (!description) return {};
  return { tlsVersion: `${description[1]}v${description[2]}`, cipher: description[3] };
}

async function connectGnutlsClient(runtime: Runtime, target: Endpoint, config: TlsClientConfig, timeoutMs: number): Promise<Observation> {
  if (config.expectIdentity) throw new GnutlsPeerError("failed to configure gnutls-cli: it has no option to require a URI SAN");
  const verifyName = config.verifyIp ?? config.verifyName ?? config.serverName;
  const args = [
    "--port",
    String(target.port),
    ...(config.serverName ? ["--sni-hostname", config.serverName] : ["--disable-sni"]),
    // Without --verify-hostname gnutls-cli checks the name it dialled (an IP); an IP here is
    // matched against IP SANs.
    ...(config.trust ? ["--x509cafile", config.trust, ...(verifyName ? ["--verify-hostname", verifyName] : [])] : ["--insecure"]),
  ];
  const scratch = config.identity ? await createScratchDir(runtime, "gnutls-cli") : undefined;
  try {
    if (config.identity && scratch) {
      const certificate = await scratch.concat("client.fullchain.pem", [config.identity.cert, ...(config.identity.chain ? [config.identity.chain] : [])]);
      args.push("--x509certfile", certificate, "--x509keyfile", config.identity.key);
    }
    // gnutls-cli sends stdin, and at its end keeps reading until the server closes (measured).
    const run = await runtime.runToCompletion("gnutls", "gnutls-cli", [...args, target.host], { input: applicationRequest(config.serverName ?? target.host), timeoutMs });
    const { tlsVersion, cipher } = negotiated(run.output);
    if (run.timedOut) return { outcome: "timeout", tlsVersion, cipher, evidence: { client: `gnutls-cli gave no result within ${timeoutMs} ms` } };
    const responseAt = run.output.search(/^HTTP\/1\.[01] /m);
    if (responseAt >= 0) {
      const response = run.output.slice(responseAt).split(/\r?\n/)[0];
      return { outcome: "accepted", tlsVersion, cipher, response, evidence: { client: response } };
    }
    const decisive = run.output
      .split("\n")
      .filter((line) => /Status:|\*\*\*|Error|refused/.test(line))
      .join("\n");
    const seen = classifyGnutlsText(decisive || run.output);
    return clientFailure(seen, { tlsVersion, cipher });
  } finally {
    await scratch?.remove();
  }
}

export const gnutlsServer = (runtime: Runtime): TlsServerAdapter => ({
  name: "gnutls",
  startServer: (config) => startGnutlsServer(runtime, config),
});
export const gnutlsClient = (runtime: Runtime): TlsClientAdapter => ({
  name: "gnutls",
  connect: (target, config, timeoutMs) => connectGnutlsClient(runtime, target, config, timeoutMs),
});
