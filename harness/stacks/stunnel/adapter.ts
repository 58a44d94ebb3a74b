// stunnel (5.68, OpenSSL 3.0) as a server peer: a TLS-terminating sidecar in front of a plaintext
// HTTP app, as it is deployed. stunnel accepts TLS on the allocated endpoint, verifies the client
// per clientAuth, and forwards the decrypted bytes to the app (stacks/common/sidecar.ts startPlaintextApp),
// which the adapter starts in the harness's process. Containers use network mode host, so the
// stunnel container reaches the app on its 127.x address as a local process does.
//
// SNI: one service section per extra name, `sni = <default service>:<name>` (stunnel's own SNI
// switch); a client without SNI, or with another name, stays on the default service.
//
// rotate rewrites the config with the new identity and sends SIGHUP; stunnel keeps its listening
// socket across the reload because it inherits it (inherited-listener.ts).
import { classifyStunnelLog } from "./classify.js";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../../core/network.js";
import type { ManagedProcess, Runtime } from "../../runtime/types.js";
import { stopUnlessListening } from "../common/listener-ready.js";
import { createScratchDir, type ScratchDir } from "../common/scratch-dir.js";
import { startPlaintextApp, type RunningListener } from "../common/sidecar.js";
import type { KeyPairFiles, TlsServerConfig } from "../../core/observation.js";
import type { RunningServer, TlsServerAdapter } from "../types.js";
import { loggedServer } from "../common/logged-server.js";
import { withInheritedListener } from "./inherited-listener.js";
import { readinessCeilingMs, controlCeilingMs } from "../../runtime/deadlines.js";

export class StunnelPeerError extends Error {}

// verifyChain verifies the chain up to CAfile; requireCert = no lets a client without a
// certificate through, which is verify-if-given. verifyChain implies requireCert = yes, so the
// order of the two lines matters (stunnel.8: "Both verifyChain = yes and verifyPeer = yes imply
// requireCert = yes").
const clientAuthOptions: Record<TlsServerConfig["clientAuth"], string[]> = {
  none: [],
  optional: ["verifyChain = yes", "requireCert = no"],
  required: ["verifyChain = yes", "requireCert = yes"],
};

const defaultService = "tls";

async function serviceSection(scratch: ScratchDir, config: TlsServerConfig, app: Endpoint, name: string, fileName: string, files: KeyPairFiles, crlFile: string | undefined, sni?: string): Promise<string[]> {
  // `cert` takes the certificate followed by its chain in one file.
  const certificate = await scratch.concat(`${fileName}.fullchain.pem`, [files.cert, ...(files.chain ? [files.chain] : [])]);
  const verifying = config.clientAuth !== "none";
  return [
    `[${name}]`,
    sni ? `sni = ${defaultService}:${sni}` : `accept = ${formatEndpoint(config.endpoint)}`,
    `connect = ${formatEndpoint(app)}`,
    `cert = ${certificate}`,
    `key = ${files.key}`,
    ...(config.minVersion ? [`sslVersionMin = ${config.minVersion}`] : []),
    ...clientAuthOptions[config.clientAuth],
    ...(verifying && config.clientTrust ? [`CAfile = ${config.clientTrust}`] : []),
    ...(verifying && crlFile ? [`CRLfile = ${crlFile}`] : []),
  ];
}

// A reload has read the new config once the accepting service is bound again (LOG6 at debug =
// info): stunnel's one thread that accepts connections logs it before it accepts the next one, so
// every connection from then on gets the new certificate. A config it cannot read leaves the old one.
const reloadFailed = /Failed to reload the configuration file/;
const reloaded = new RegExp(`Service \\[${defaultService}\\] \\(FD=\\d+\\) bound to |${reloadFailed.source}`);

async function startStunnelServer(runtime: Runtime, config: TlsServerConfig): Promise<RunningServer> {
  if (config.sidecar) throw new StunnelPeerError("failed to configure stunnel: it does not detect the protocol; the reference sidecar goes in front of it");
  const scratch = await createScratchDir(runtime, "stunnel");
  const listen = formatEndpoint(config.endpoint);
  const pidFile = `${scratch.path}/stunnel.pid`;
  let app: RunningListener | undefined;
  let child: ManagedProcess | undefined;
  // The whole config with `identity` on the default service: written at start and for each reload.
  const writeConf = async (appEndpoint: Endpoint, identity: KeyPairFiles, generation: number): Promise<string> => {
    // CRLfile takes one file; OpenSSL reads every CRL in it. stunnel checks the leaf only, not the
    // intermediates (measured: without the issuer's CRL a valid leaf fails with "unable to get
    // certificate CRL", without the root's CRL it passes).
    const crlFile = config.crls.length ? await scratch.concat("crls.pem", config.crls) : undefined;
    const sections = [await serviceSection(scratch, config, appEndpoint, defaultService, generation ? `${defaultService}-${generation}` : defaultService, identity, crlFile)];
    for (const [index, [name, files]] of Object.entries(config.sniIdentities).entries()) {
      sections.push(await serviceSection(scratch, config, appEndpoint, `sni-${index}`, `sni-${index}`, files, crlFile, name));
    }
    return scratch.write(
      "stunnel.conf",
      [
        // Log to stderr only (no syslog), no fork: the runtime owns the process. The pid file is
        // where rotate finds the process to signal, on either runtime.
        "foreground = yes",
        "syslog = no",
        `pid = ${pidFile}`,
        // info: the verify reason is a warning, the ready line ("Accepting new connections") info.
        "debug = info",
        ...sections.flat(),
        "",
      ].join("\n"),
    );
  };
  try {
    app = await startPlaintextApp(await allocateEndpoint());
    const conf = await writeConf(app.endpoint, config.identity, 0);
    child = await runtime.startProcess("stunnel", ...withInheritedListener(config.endpoint, "stunnel", [conf]), {
      ready: /Accepting new connections/,
      readyTimeoutMs: readinessCeilingMs,
      description: `stunnel on ${listen}`,
    });
    await stopUnlessListening(child, config.endpoint, "stunnel");
  } catch (error) {
    await app?.stop();
    await scratch.remove();
    throw error;
  }
  const plaintextApp = app;
  const stunnel = child;
  let generation = 0;
  const rotate = async (identity: KeyPairFiles): Promise<void> => {
    await writeConf(plaintextApp.endpoint, identity, ++generation);
    const from = stunnel.output().length;
    // SIGHUP: stunnel re-reads its config, certificates and keys (stunnel.8, SIGNALS).
    const signal = await runtime.runToCompletion("stunnel", "sh", ["-c", 'kill -HUP "$(cat "$1")"', "sh", pidFile], { timeoutMs: controlCeilingMs });
    if (signal.exitCode !== 0) throw new StunnelPeerError(`failed to signal stunnel to reload: ${signal.output.trim() || `exit ${signal.exitCode}`}`);
    if (!(await stunnel.waitForOutput(reloaded, controlCeilingMs, from))) throw new StunnelPeerError(`failed to reload stunnel: it did not bind its service again within ${controlCeilingMs} ms`);
    const log = stunnel.output().slice(from);
    if (reloadFailed.test(log)) throw new StunnelPeerError(`failed to reload stunnel: ${log.trim()}`);
  };
  // "SSL_accept: ..." is the last line of a failed handshake, after the verify reason.
  return loggedServer(
    config.endpoint,
    stunnel,
    { name: "the stunnel log", settled: /SSL_accept: /, classify: classifyStunnelLog },
    async () => {
      await plaintextApp.stop();
      await scratch.remove();
    },
    rotate,
  );
}

/** "stunnel 5.68 on x86_64-pc-linux-gnu platform, running with OpenSSL 3.0.19 27 Jan 2026". */
export async function stunnelVersion(runtime: Runtime): Promise<string> {
  // -version prints "Initializing inetd mode configuration" first, and the OpenSSL it runs with later.
  const run = await runtime.runToCompletion("stunnel", "stunnel", ["-version"], { timeoutMs: controlCeilingMs });
  const version = /^stunnel \d\S* .*$/m.exec(run.output)?.[0].trim();
  if (!version) throw new StunnelPeerError(`failed to read the stunnel version: ${run.output.trim() || `exit code ${run.exitCode}`}`);
  const openssl = /^Running\s+with (.+)$/m.exec(run.output)?.[1]?.trim();
  return openssl ? `${version}, running with ${openssl}` : version;
}

export const stunnelServer = (runtime: Runtime): TlsServerAdapter => ({
  name: "stunnel",
  startServer: (config) => startStunnelServer(runtime, config),
});
