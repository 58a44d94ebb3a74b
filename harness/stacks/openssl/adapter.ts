// The openssl CLI as a peer: `openssl s_server -www` and `openssl s_client`, as child processes.
import { classifyOpensslText } from "./classify.js";
import { formatEndpoint, type Endpoint } from "../../core/network.js";
import type { CompletedRun, Runtime } from "../../runtime/types.js";
import { applicationRequest, type KeyPairFiles, type Observation, type TlsClientConfig, type TlsServerConfig, clientFailure } from "../../core/observation.js";
import type { RunningServer, TlsClientAdapter, TlsServerAdapter } from "../types.js";
import { loggedServer } from "../common/logged-server.js";
import { createScratchDir, type ScratchDir } from "../common/scratch-dir.js";
import { readinessCeilingMs } from "../../runtime/deadlines.js";

export class OpensslPeerError extends Error {}

const identityArgs = (files: KeyPairFiles, chainFlag: string): string[] => [
  "-cert",
  files.cert,
  "-key",
  files.key,
  ...(files.chain ? [chainFlag, files.chain] : []),
];

// -Verify requires a client certificate, -verify only requests one; without -verify_return_error
// s_server logs a verify failure and carries on (measured), so it is always set.
const clientAuthArgs: Record<TlsServerConfig["clientAuth"], string[]> = {
  none: [],
  optional: ["-verify", "10", "-verify_return_error"],
  required: ["-Verify", "10", "-verify_return_error"],
};

async function startOpensslServer(runtime: Runtime, config: TlsServerConfig): Promise<RunningServer> {
  const sniNames = Object.keys(config.sniIdentities);
  if (sniNames.length > 1) throw new OpensslPeerError("failed to configure openssl s_server: it serves at most one SNI name (-servername/-cert2)");
  // s_server takes one -CRL file and has no -cert_chain2. A CAfile may hold certificates and CRLs
  // together (X509_load_cert_crl_file), and libssl builds the SNI certificate's chain from it
  // (measured: -chainCAfile does not), so trust bundle, SNI chains and CRLs go into one file.
  // Intermediates in it are not trust anchors: without PARTIAL_CHAIN a chain must still end at a root.
  const sniChains = sniNames.map((name) => config.sniIdentities[name]!.chain).filter((path) => path !== undefined);
  let scratch: ScratchDir | undefined;
  let caFile = config.clientTrust;
  if (config.crls.length || sniChains.length) {
    scratch = await createScratchDir(runtime, "openssl");
    caFile = await scratch.concat("ca-and-crls.pem", [...(config.clientTrust ? [config.clientTrust] : []), ...sniChains, ...config.crls]);
  }
  const args = [
    "s_server",
    "-accept",
    formatEndpoint(config.endpoint),
    ...identityArgs(config.identity, "-cert_chain"),
    // MinProtocol takes node's names as they are (TLSv1.2, TLSv1.3).
    ...(config.minVersion ? ["-min_protocol", config.minVersion] : []),
    "-www",
    ...clientAuthArgs[config.clientAuth],
    ...(caFile ? ["-CAfile", caFile] : []),
    ...(config.crls.length ? ["-crl_check_all"] : []),
    ...sniNames.flatMap((name) => ["-servername", name, "-cert2", config.sniIdentities[name]!.cert, "-key2", config.sniIdentities[name]!.key]),
  ];
  let child;
  try {
    child = await runtime.startProcess("openssl", "openssl", args, { ready: /^ACCEPT$/m, readyTimeoutMs: readinessCeilingMs, description: `openssl s_server on ${formatEndpoint(config.endpoint)}` });
  } catch (error) {
    await scratch?.remove();
    throw error;
  }
  // The verify callback writes to unbuffered stderr before the alert goes out, but the pipe may
  // deliver it a moment after the client has seen the alert.
  const failure = /verify error:num=\d+|:error:/;
  return loggedServer(config.endpoint, child, { name: "openssl s_server", settled: failure, classify: (text) => (failure.test(text) ? classifyOpensslText(text) : undefined) }, async () => {
    await scratch?.remove();
  });
}

function field(output: string, label: string): string | undefined {
  return new RegExp(`^${label}: (.+)$`, "m").exec(output)?.[1]?.trim();
}

async function connectOpensslClient(runtime: Runtime, target: Endpoint, config: TlsClientConfig, timeoutMs: number): Promise<Observation> {
  if (config.expectIdentity) throw new OpensslPeerError("failed to configure openssl s_client: it has no option to require a URI SAN");
  const args = [
    "s_client",
    "-connect",
    formatEndpoint(target),
    ...(config.serverName ? ["-servername", config.serverName] : ["-noservername"]),
    ...(config.trust ? ["-CAfile", config.trust, "-verify_return_error"] : []),
    ...(config.verifyName ?? config.serverName ? ["-verify_hostname", (config.verifyName ?? config.serverName)!] : []),
    ...(config.verifyIp ? ["-verify_ip", config.verifyIp] : []),
    ...(config.identity ? identityArgs(config.identity, "-cert_chain") : []),
    // -ign_eof: keep reading after stdin ends, until the server closes; -brief: parseable summary.
    "-ign_eof",
    "-brief",
  ];
  const run = await runtime.runToCompletion("openssl", "openssl", args, { input: applicationRequest(config.serverName ?? target.host), timeoutMs });
  return sClientObservation(run, timeoutMs);
}

/**
 * What one s_client run saw. s_client writes what the server sent on stdout and its own account
 * (summary, verify errors, alerts) on stderr, so the response is looked for on stdout alone:
 * whatever order the two pipes are read in, stderr text cannot hide it (see runtime/output.ts).
 */
export function sClientObservation(run: CompletedRun, timeoutMs: number): Observation {
  const tlsVersion = field(run.stderr, "Protocol version");
  const cipher = field(run.stderr, "Ciphersuite");
  if (run.timedOut) return { outcome: "timeout", tlsVersion, cipher, evidence: { client: `openssl s_client gave no result within ${timeoutMs} ms` } };
  // A complete response means the server accepted us, whatever s_client's exit code says about
  // how the connection ended (a peer that closes without close_notify makes it exit 1, measured).
  const responseAt = run.stdout.search(/^HTTP\/1\.[01] /m);
  if (responseAt >= 0) {
    const response = run.stdout.slice(responseAt).split(/\r?\n/)[0];
    return { outcome: "accepted", tlsVersion, cipher, response, evidence: { client: response } };
  }
  const seen = classifyOpensslText(run.output);
  return clientFailure(seen, { tlsVersion, cipher });
}

export const opensslServer = (runtime: Runtime): TlsServerAdapter => ({
  name: "openssl",
  startServer: (config) => startOpensslServer(runtime, config),
});
export const opensslClient = (runtime: Runtime): TlsClientAdapter => ({
  name: "openssl",
  connect: (target, config, timeoutMs) => connectOpensslClient(runtime, target, config, timeoutMs),
});
