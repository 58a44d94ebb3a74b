// Botan 2.19 as a client peer: one `botan tls_client` per connection, a TLS stack not built on
// OpenSSL (TLS 1.2 at most). tls_client sends as SNI, verifies, and resolves the one host it is
// given; it has no option to dial another address, so for a name it runs under pin-host.so
// (pin-host.c in this folder, LD_PRELOAD), which resolves that name to the target's 127.x.y.z
// address, as curl's --resolve does. Given an IP it checks no name at all (measured: a DNS-only
// certificate, and an IP SAN for another address, both "Verified"), so it verifies no IP SAN.
//
// tls_client reports Botan's path validation ("Certificate validation status: ...") and carries on
// whatever it says (measured: it reads the HTTP answer of a server with an expired certificate);
// an application on Botan's default TLS::Callbacks::tls_verify_cert_chain gets an exception instead.
// So that verdict line is taken as the client's decision (classify.ts).
//
// It reads stdin only once the handshake is done and closes on stdin's EOF before the answer
// arrives (measured), so its stdin stays open after the request until it exits (holdInput). A FIFO
// held open by a shell did that before: three processes more a run.
import { classifyBotanText, classifyBotanValidation } from "./classify.js";
import type { Endpoint } from "../../core/network.js";
import type { Runtime } from "../../runtime/types.js";
import { programOn } from "../common/program-build.js";
import { applicationRequest, clientFailure, type Observation, type TlsClientConfig } from "../../core/observation.js";
import type { TlsClientAdapter } from "../types.js";
import { pinHostBuild } from "./program.js";

export class BotanPeerError extends Error {}

// $1 shim, $2 pinned name ("" for none), $3 address; the rest is tls_client's. The shell execs it.
const runPinned = [
  'shim=$1 name=$2 address=$3; shift 3',
  'if [ -n "$name" ]; then LD_PRELOAD="$shim" MTLS_PIN_NAME="$name" MTLS_PIN_ADDRESS="$address" exec botan tls_client "$@"; fi',
  'exec botan tls_client "$@"',
].join("\n");

/** The host tls_client dials, sends as SNI and verifies: the SNI name (pinned to the target), or the target's IP. */
function hostFor(target: Endpoint, config: TlsClientConfig): { host: string; pinned: boolean } {
  if (config.identity) throw new BotanPeerError("failed to configure botan tls_client: it has no option to present a client certificate");
  if (config.expectIdentity) throw new BotanPeerError("failed to configure botan tls_client: it has no option to require a URI SAN");
  if (config.verifyIp) throw new BotanPeerError("failed to configure botan tls_client: it checks no name when it dials an IP, so it cannot verify an IP SAN");
  if (config.serverName) {
    if (config.verifyName && config.verifyName !== config.serverName) {
      throw new BotanPeerError(`failed to configure botan tls_client: it verifies the name it sends as SNI (${config.serverName}), not ${config.verifyName}`);
    }
    return { host: config.serverName, pinned: true };
  }
  if (config.trust && config.verifyName) throw new BotanPeerError(`failed to configure botan tls_client: it cannot verify ${config.verifyName} without dialling it`);
  return { host: target.host, pinned: false };
}

async function connectBotanClient(runtime: Runtime, target: Endpoint, config: TlsClientConfig, timeoutMs: number): Promise<Observation> {
  const { host, pinned } = hostFor(target, config);
  const shim = await programOn(pinHostBuild, new URL(".", import.meta.url), runtime.name);
  const args = [
    host,
    `--port=${target.port}`,
    "--skip-system-cert-store",
    ...(config.trust ? [`--trusted-cas=${config.trust}`] : []),
    ...(config.alpn?.length ? [`--next-protocols=${config.alpn.join(",")}`] : []),
  ];
  const request = applicationRequest(host);
  const run = await runtime.runToCompletion("botan", "sh", ["-c", runPinned, "botan-client", shim, pinned ? host : "", target.host, ...args], { input: request, holdInput: true, timeoutMs });
  const negotiated = /^Handshake complete, (TLS v[\d.]+) using (\S+)/m.exec(run.output);
  const [tlsVersion, cipher] = [negotiated?.[1], negotiated?.[2]];
  if (pinned && !run.output.includes(`pin-host: ${host} -> ${target.host}`)) {
    throw new BotanPeerError(`failed to run botan tls_client: pin-host did not resolve ${host} to ${target.host}: ${run.output.trim().split("\n").slice(-3).join(" | ")}`);
  }
  // Botan's verdict on the chain and name decides before anything the server said after it.
  const verdict = config.trust ? classifyBotanValidation(run.output) : undefined;
  if (verdict) return clientFailure({ ...verdict, raw: `${verdict.raw} (tls_client carries on after it)` }, { tlsVersion, cipher });
  if (run.timedOut) return { outcome: "timeout", tlsVersion, cipher, evidence: { client: `botan tls_client gave no result within ${timeoutMs} ms` } };
  const response = /^(HTTP\/1\.[01] \d{3}.*?)\r?$/m.exec(run.stdout)?.[1];
  if (response !== undefined) return { outcome: "accepted", tlsVersion, cipher, response, evidence: { client: response } };
  return clientFailure(classifyBotanText(run.output), { tlsVersion, cipher });
}

export const botanClient = (runtime: Runtime): TlsClientAdapter => ({
  name: "botan",
  connect: (target, config, timeoutMs) => connectBotanClient(runtime, target, config, timeoutMs),
});
