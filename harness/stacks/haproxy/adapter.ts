// HAProxy as a server peer, from a generated config run in the foreground (-db):
// - a TLS terminator: `bind ... ssl crt ... ca-file ... verify required|optional`, answering every
//   request with `200 ok`;
// - with `sidecar` set, its own protocol-detecting sidecar on one port, as a mesh proxy does it:
//   `tcp-request inspect-delay` + `req.ssl_hello_type` send a ClientHello to the terminator (on a
//   unix socket in the scratch dir) and anything else to the plaintext app, by mode (strict refuses
//   plaintext, disabled sends everything to the app).
// Every config has a runtime API socket on a loopback endpoint of its own, through which rotate
// swaps the default certificate and retrust the client CA and CRL files (runtime-api.ts).
import { classifyHaproxyLog } from "./classify.js";
import { readFile } from "node:fs/promises";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../../core/network.js";
import type { Runtime } from "../../runtime/types.js";
import type { PolicyMode } from "../../core/observation.js";
import { stopUnlessListening, waitUntilListeningUnix } from "../common/listener-ready.js";
import { detectionTimeoutMs } from "../common/sidecar.js";
import type { ScratchDir } from "../common/scratch-dir.js";
import type { ClientTrust, KeyPairFiles, TlsServerConfig } from "../../core/observation.js";
import type { RunningServer, TlsServerAdapter } from "../types.js";
import { startLoggedServer } from "../common/logged-server.js";
import { replaceStoredFile } from "./runtime-api.js";
import { readinessCeilingMs, controlCeilingMs } from "../../runtime/deadlines.js";

export class HaproxyPeerError extends Error {}

const verifyMode: Record<TlsServerConfig["clientAuth"], string> = { none: "verify none", optional: "verify optional", required: "verify required" };

const bundleParts = (files: KeyPairFiles): string[] => [files.cert, ...(files.chain ? [files.chain] : []), files.key];

const concatenated = async (files: string[]): Promise<string> => (await Promise.all(files.map((file) => readFile(file, "utf8")))).join("\n");

/** `crt` takes the certificate, its chain and its key in one file (0600: it holds the key). */
const crtBundle = (scratch: ScratchDir, name: string, files: KeyPairFiles): Promise<string> => scratch.concat(`${name}.pem`, bundleParts(files), { secret: true });

/** The default identity's crt file: the name rotate hands to the runtime API. */
const defaultCrt = "default";

/** The client CA and CRL files a bind checks client certificates against: the names retrust hands to the runtime API. */
interface BindTrust {
  caFile?: string;
  crlFile?: string;
}

async function bindTrust(scratch: ScratchDir, config: TlsServerConfig): Promise<BindTrust> {
  if (config.clientAuth === "none") return {};
  return {
    ...(config.clientTrust ? { caFile: config.clientTrust } : {}),
    ...(config.crls.length ? { crlFile: await scratch.concat("crls.pem", config.crls) } : {}),
  };
}

async function terminatorBind(scratch: ScratchDir, config: TlsServerConfig, address: string, trust: BindTrust): Promise<string> {
  // The first crt is the default; haproxy picks the others by the SNI name in their SANs.
  const crts = [await crtBundle(scratch, defaultCrt, config.identity)];
  for (const [name, files] of Object.entries(config.sniIdentities)) crts.push(await crtBundle(scratch, name, files));
  return [
    `bind ${address} ssl`,
    ...crts.map((crt) => `crt ${crt}`),
    // ssl-min-ver takes TLSv1.2 and TLSv1.3 as node names them; TLSv1 is TLSv1.0 here.
    ...(config.minVersion ? [`ssl-min-ver ${config.minVersion === "TLSv1" ? "TLSv1.0" : config.minVersion}`] : []),
    verifyMode[config.clientAuth],
    ...(trust.caFile ? [`ca-file ${trust.caFile}`] : []),
    ...(trust.crlFile ? [`crl-file ${trust.crlFile}`] : []),
  ].join(" ");
}

/**
 * Changes the client trust of a running haproxy through its runtime API: `set ssl ca-file` and
 * `set ssl crl-file` with the new contents under the names the bind declared, each committed. The
 * commit rebuilds the bind's SSL contexts in the same process, so the session cache and the ticket
 * keys stay (measured: a session from before resumes on every path, docs/architecture.md).
 */
async function changeTrust(runtimeApi: Endpoint, declared: BindTrust, next: ClientTrust): Promise<void> {
  if (!declared.caFile || !next.clientTrust) throw new HaproxyPeerError("failed to change haproxy's client trust: only a bind with a ca-file can have it replaced");
  // haproxy 2.6 replaces only a crl-file its configuration declared, and has no way to drop one.
  if (Boolean(declared.crlFile) !== next.crls.length > 0) {
    throw new HaproxyPeerError(`failed to change haproxy's CRLs: the bind was started ${declared.crlFile ? "with" : "without"} a crl-file, and HAProxy 2.6 can only replace one it declared`);
  }
  await replaceStoredFile(runtimeApi, "ca-file", declared.caFile, await readFile(next.clientTrust, "utf8"), controlCeilingMs);
  if (declared.crlFile) await replaceStoredFile(runtimeApi, "crl-file", declared.crlFile, await concatenated(next.crls), controlCeilingMs);
}

// What the sidecar frontend does with a connection, by mode. A connection whose first bytes are a
// ClientHello has req.ssl_hello_type 1.
const sidecarRules: Record<PolicyMode, string[]> = {
  strict: ["tcp-request content accept if { req.ssl_hello_type 1 }", "tcp-request content reject", "default_backend terminator"],
  permissive: [
    "tcp-request content accept if { req.ssl_hello_type 1 }",
    "tcp-request content accept if { req.len gt 0 }",
    "use_backend terminator if { req.ssl_hello_type 1 }",
    "default_backend app",
  ],
  disabled: ["tcp-request content accept if { req.len gt 0 }", "default_backend app"],
};

/** One detecting listener: a tcp frontend that waits for the first bytes and routes them by `mode`. */
function detectorFrontend(name: string, endpoint: Endpoint, mode: PolicyMode): string[] {
  return [
    `frontend ${name}`,
    "  mode tcp",
    "  option tcplog",
    `  bind ${formatEndpoint(endpoint)}`,
    // How long the rules wait for a complete ClientHello; when it passes they run on what came.
    `  tcp-request inspect-delay ${detectionTimeoutMs}ms`,
    ...sidecarRules[mode].map((rule) => `  ${rule}`),
  ];
}

async function startHaproxyServer(runtime: Runtime, config: TlsServerConfig): Promise<RunningServer> {
  const listen = formatEndpoint(config.endpoint);
  const runtimeApi = await allocateEndpoint();
  let declared: BindTrust = {};
  return startLoggedServer(
    runtime,
    "haproxy",
    config.endpoint,
    async (scratch) => {
      const terminatorSocket = `${scratch.path}/terminator.sock`;
      const terminatorAddress = config.sidecar ? `unix@${terminatorSocket}` : listen;
      declared = await bindTrust(scratch, config);
      const lines = [
        "global",
        // Raw lines on stderr: the harness reads connection errors from them.
        "  log stderr format raw local0 info",
        "  maxconn 256",
        // HAProxy's internal HTTP client (Lua, ACME; unused here) loads the whole system CA store
        // at every start unless told not to verify: most of a start's CPU (docs/performance.md).
        // The frontends' TLS and client-certificate checks are not affected.
        "  httpclient.ssl.verify none",
        `  stats socket ipv4@${formatEndpoint(runtimeApi)} level admin`,
        "defaults",
        "  log global",
        "  option dontlognull",
        "  timeout connect 5s",
        "  timeout client 10s",
        "  timeout server 10s",
        "frontend tls",
        "  mode http",
        "  option httplog",
        `  ${await terminatorBind(scratch, config, terminatorAddress, declared)}`,
        '  http-request return status 200 content-type text/plain string "ok\\n"',
      ];
      if (config.sidecar) {
        const { otherPort } = config.sidecar;
        lines.push(
          ...detectorFrontend("sidecar", config.endpoint, config.sidecar.mode),
          ...(otherPort ? detectorFrontend("other-port", otherPort.endpoint, otherPort.mode) : []),
          "backend terminator",
          "  mode tcp",
          `  server terminator ${terminatorAddress}`,
          "backend app",
          "  mode tcp",
          `  server app ${formatEndpoint(config.sidecar.app)}`,
        );
      }
      const conf = await scratch.write("haproxy.cfg", `${lines.join("\n")}\n`);
      // -db: foreground, one process. -V prints "Using epoll() as the polling mechanism." once the
      // listeners are bound (it prints nothing else at start, measured).
      const child = await runtime.startProcess("haproxy", "haproxy", ["-db", "-V", "-f", conf], {
        ready: /Using \w+\(\) as the polling mechanism/,
        readyTimeoutMs: readinessCeilingMs,
        description: `haproxy on ${listen}${config.sidecar ? ` (${config.sidecar.mode} sidecar)` : ""}`,
      });
      // In a sidecar config the TLS terminator listens on a unix socket as well.
      const sidecar = config.sidecar;
      await stopUnlessListening(child, config.endpoint, "haproxy", sidecar ? () => waitUntilListeningUnix(terminatorSocket, readinessCeilingMs) : undefined);
      return child;
    },
    { name: "the haproxy log", settled: /SSL client|SSL handshake|Timeout during SSL/, classify: classifyHaproxyLog },
    (scratch) => async (identity) => replaceStoredFile(runtimeApi, "cert", `${scratch.path}/${defaultCrt}.pem`, await concatenated(bundleParts(identity)), controlCeilingMs),
    () => (next) => changeTrust(runtimeApi, declared, next),
  );
}

export const haproxyServer = (runtime: Runtime): TlsServerAdapter => ({
  name: "haproxy",
  detectsProtocol: true,
  startServer: (config) => startHaproxyServer(runtime, config),
});
