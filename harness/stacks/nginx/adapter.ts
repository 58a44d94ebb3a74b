// nginx as a server peer: an HTTPS server with `ssl_verify_client on` (required) or `optional`,
// run in the foreground from a generated config. Every request gets `200 ok`. The same on both
// runtimes: the config, pid file and temp paths live in the peer's scratch dir, both logs go to the
// output the harness reads, and nothing under /etc/nginx or /var/lib/nginx is read or written.
//
// nginx completes the TLS handshake whatever client certificate it receives and refuses the
// request afterwards with 400 (its verify callback accepts everything; ngx_http_process_request
// checks the result), so the client sees an HTTP answer, not an alert. The server's own account,
// read from its error log (info level: the verify error with its X509 code), is what classifies.
import { randomBytes } from "node:crypto";
import { classifyNginxLog } from "./classify.js";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../../core/network.js";
import type { PolicyMode } from "../../core/observation.js";
import { detectionTimeoutMs } from "../common/sidecar.js";
import type { ManagedProcess, Runtime } from "../../runtime/types.js";
import type { ScratchDir } from "../common/scratch-dir.js";
import { versionsFrom, type ClientTrust, type KeyPairFiles, type TlsServerConfig } from "../../core/observation.js";
import type { RunningServer, TlsServerAdapter } from "../types.js";
import { startLoggedServer } from "../common/logged-server.js";
import { readinessCeilingMs, controlCeilingMs } from "../../runtime/deadlines.js";

export class NginxPeerError extends Error {}

const verifyClient: Record<TlsServerConfig["clientAuth"], string | undefined> = { none: undefined, optional: "optional", required: "on" };

// Every request ends with an access-log line (after the response) and every failed handshake with
// an info line, so takeRejection can wait for one of them instead of guessing a delay.
const connectionDone = /^mtls-access |SSL_do_handshake\(\) failed|peer closed connection in SSL handshake|client \S+ closed/m;

async function serverBlock(scratch: ScratchDir, config: TlsServerConfig, listen: string, name: string, files: KeyPairFiles, crlFile: string | undefined, isDefault: boolean): Promise<string> {
  // ssl_certificate takes the certificate followed by its chain in one file.
  const certificate = await scratch.concat(`${name}.fullchain.pem`, [files.cert, ...(files.chain ? [files.chain] : [])]);
  const clientAuth = verifyClient[config.clientAuth];
  return [
    "  server {",
    `    listen ${listen} ssl${isDefault ? " default_server" : ""};`,
    `    server_name ${isDefault ? '""' : name};`,
    `    ssl_certificate ${certificate};`,
    `    ssl_certificate_key ${files.key};`,
    ...(config.minVersion ? [`    ssl_protocols ${versionsFrom(config.minVersion).join(" ")};`] : []),
    ...(clientAuth
      ? [
          `    ssl_verify_client ${clientAuth};`,
          // The default depth is 1, which fails any client certificate under an intermediate.
          "    ssl_verify_depth 10;",
          ...(config.clientTrust ? [`    ssl_client_certificate ${config.clientTrust};`] : []),
          ...(crlFile ? [`    ssl_crl ${crlFile};`] : []),
        ]
      : []),
    "    location / { return 200 \"ok\\n\"; }",
    "  }",
  ].join("\n");
}

// The stream module is a dynamic module in Debian (libnginx-mod-stream); ssl_preread is built into it.
const streamModule = "/usr/lib/nginx/modules/ngx_stream_module.so";

/**
 * nginx's own protocol detector, as its ssl_preread docs show it: a stream server reads the
 * ClientHello (ssl_preread on) and routes by $ssl_preread_protocol, which is empty when the first
 * bytes are not TLS. TLS goes to the HTTPS server (the terminator, on a loopback endpoint of its
 * own), plaintext to the app under permissive, to a listener that closes at once under strict;
 * disabled reads nothing and sends everything to the app. A client that sends nothing within
 * preread_timeout is closed, whatever the mode (measured, docs/architecture.md "Protocol detection").
 */
function streamBlock(sidecar: NonNullable<TlsServerConfig["sidecar"]>, endpoint: Endpoint, terminator: string, refuse: string): string[] {
  const routes: Record<PolicyMode, string> = { strict: refuse, permissive: formatEndpoint(sidecar.app), disabled: formatEndpoint(sidecar.app) };
  const listener = (at: Endpoint, mode: PolicyMode): string =>
    mode === "disabled"
      ? `  server { listen ${formatEndpoint(at)}; proxy_pass ${routes.disabled}; }`
      : `  server { listen ${formatEndpoint(at)}; ssl_preread on; preread_timeout ${detectionTimeoutMs}ms; proxy_pass $${mode}_route; }`;
  return [
    "stream {",
    "  log_format detector 'mtls-detector $server_port protocol=\"$ssl_preread_protocol\" upstream=$upstream_addr';",
    "  access_log /dev/stderr detector;",
    ...(["strict", "permissive"] as const).map((mode) => `  map $ssl_preread_protocol $${mode}_route { "" ${routes[mode]}; default ${terminator}; }`),
    `  server { listen ${refuse}; return ""; }`,
    listener(endpoint, sidecar.mode),
    ...(sidecar.otherPort ? [listener(sidecar.otherPort.endpoint, sidecar.otherPort.mode)] : []),
    "}",
  ];
}

async function startNginxServer(runtime: Runtime, config: TlsServerConfig): Promise<RunningServer> {
  // The client trust in force (retrust changes it), the identity served (rotate changes it), and
  // the reload count that names each identity's files apart.
  let trust: ClientTrust = { clientTrust: config.clientTrust, crls: config.crls };
  let served = config.identity;
  let generation = 0;
  const detectorEndpoints = config.sidecar ? { terminator: await allocateEndpoint(), refuse: await allocateEndpoint() } : undefined;
  // The whole config for that state: written at start, and again for each reload.
  const writeConf = async (scratch: ScratchDir): Promise<string> => {
      const trusting = { ...config, ...trust };
      // ssl_crl takes one file; OpenSSL reads every CRL in it.
      const crlFile = trusting.crls.length ? await scratch.concat("crls.pem", trusting.crls) : undefined;
      // Behind its own detector, the HTTPS server listens on a loopback endpoint of its own (a unix
      // socket in the 0700 scratch dir is out of reach of the unprivileged worker).
      const terminator = formatEndpoint(detectorEndpoints?.terminator ?? config.endpoint);
      const servers = [await serverBlock(scratch, trusting, terminator, generation ? `default-${generation}` : "default", served, crlFile, true)];
      for (const [name, files] of Object.entries(config.sniIdentities)) servers.push(await serverBlock(scratch, trusting, terminator, name, files, crlFile, false));
      return scratch.write(
        "nginx.conf",
        [
          ...(config.sidecar ? [`load_module ${streamModule};`] : []),
          "daemon off;",
          "worker_processes 1;",
          `pid ${scratch.path}/nginx.pid;`,
          "error_log stderr info;",
          "events { worker_connections 64; }",
          "http {",
          "  default_type text/plain;",
          "  log_format mtls 'mtls-access $status $ssl_protocol $ssl_cipher verify=$ssl_client_verify';",
          "  access_log /dev/stderr mtls;",
          ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `  ${kind}_temp_path ${scratch.path}/${kind};`),
          // Sessions outlive a reload as they do in production: the shared cache (session IDs)
          // survives it, and tickets need a key file (without one each reload draws new keys, measured).
          "  ssl_session_cache shared:mtls:1m;",
          `  ssl_session_ticket_key ${scratch.path}/ticket.key;`,
          ...servers,
          "}",
          ...(config.sidecar && detectorEndpoints ? streamBlock(config.sidecar, config.endpoint, terminator, formatEndpoint(detectorEndpoints.refuse)) : []),
          "",
        ].join("\n"),
      );
  };
  return startLoggedServer(
    runtime,
    "nginx",
    config.endpoint,
    async (scratch) => {
      // 80 bytes (AES-256 tickets): 60 random bytes in base64.
      await scratch.write("ticket.key", randomBytes(60).toString("base64"), { secret: true });
      const conf = await writeConf(scratch);
      // The access log goes to /dev/stderr, which nginx open()s. Started by node's spawn, the child's
      // stdio are sockets (libuv uses socketpairs) and opening one through /dev/stderr fails with
      // ENXIO (measured: open() "/dev/stderr" failed (6: No such device or address)), so nginx then
      // writes into a pipe to cat, the three in one process group. The process launcher gives it
      // pipes (runtime/launcher.c), and the shell execs nginx itself: two processes fewer a start.
      const child = await runtime.startProcess("nginx", "sh", ["-c", 'if [ -p /dev/stderr ]; then exec nginx "$@"; fi; nginx "$@" 2>&1 | cat', "nginx", "-c", conf, "-p", scratch.path, "-e", "stderr"], {
        // Listening sockets are open before the master starts its workers.
        ready: /start worker process/,
        readyTimeoutMs: readinessCeilingMs,
        description: `nginx on ${formatEndpoint(config.endpoint)}`,
      });
      return child;
    },
    { name: "the nginx log", settled: connectionDone, classify: classifyNginxLog, settlesEveryConnection: true },
    (scratch, child) => async (identity) => {
      served = identity;
      generation++;
      await reloadNginx(runtime, scratch, child, await writeConf(scratch));
    },
    (scratch, child) => async (next) => {
      trust = next;
      generation++;
      await reloadNginx(runtime, scratch, child, await writeConf(scratch));
    },
  );
}

/**
 * A reload (SIGHUP through `nginx -s reload`) starts workers with the new config and lets the old
 * worker finish its connections and exit; once it has, every connection accepted is the new
 * workers' (nginx docs, "Controlling nginx"). Both steps are in its log.
 */
async function reloadNginx(runtime: Runtime, scratch: ScratchDir, child: ManagedProcess, conf: string): Promise<void> {
  const from = child.output().length;
  const oldWorker = [...child.output().matchAll(/start worker process (\d+)/g)].pop()?.[1];
  if (!oldWorker) throw new NginxPeerError("failed to reload nginx: its log names no worker process");
  const reload = await runtime.runToCompletion("nginx", "nginx", ["-s", "reload", "-c", conf, "-p", scratch.path, "-e", "stderr"], { timeoutMs: controlCeilingMs });
  if (reload.exitCode !== 0) throw new NginxPeerError(`failed to reload nginx: ${reload.output.trim() || `exit ${reload.exitCode}`}`);
  const started = await child.waitForOutput(/start worker process \d+/, controlCeilingMs, from);
  const drained = started && (await child.waitForOutput(new RegExp(`worker process ${oldWorker} exited`), controlCeilingMs, from));
  if (!drained) throw new NginxPeerError(`failed to reload nginx: worker ${oldWorker} was not replaced within ${controlCeilingMs} ms`);
}

export const nginxServer = (runtime: Runtime): TlsServerAdapter => ({
  name: "nginx",
  detectsProtocol: true,
  startServer: (config) => startNginxServer(runtime, config),
});
