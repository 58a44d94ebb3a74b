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
// arrives (measured), so the request comes through a FIFO held open until tls_client exits.
import { classifyBotanText, classifyBotanValidation } from "./classify.js";
import type { Endpoint } from "../../core/network.js";
import type { Runtime } from "../../runtime/types.js";
import { programOn } from "../common/program-build.js";
import { createScratchDir } from "../common/scratch-dir.js";
import { applicationRequest, clientFailure, type Observation, type TlsClientConfig } from "../../core/observation.js";
import type { TlsClientAdapter } from "../types.js";
import { pinHostBuild } from "./program.js";

export class BotanPeerError extends Error {}

// $1 FIFO, $2 seconds to hold it open, $3 request, $4 shim, $5 pinned name ("" for none), $6 address.
const holdStdinThenRun = [
  'fifo=$1 hold=$2 request=$3 shim=$4 name=$5 address=$6; shift 6',
  'mkfifo "$fifo" || exit 125',
  '(printf "%s" "$request"; exec sleep "$hold") >"$fifo" &',
  "writer=$!",
  'if [ -n "$name" ]; then LD_PRELOAD="$shim" MTLS_PIN_NAME="$name" MTLS_PIN_ADDRESS="$address" botan tls_client "$@" <"$fifo"; else botan tls_client "$@" <"$fifo"; fi',
  "status=$?",
  'kill "$writer" 2>/dev/null',
  'exit "$status"',
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
  const scratch = await createScratchDir(runtime, "botan");
  try {
    const args = [
      host,
      `--port=${target.port}`,
      "--skip-system-cert-store",
      ...(config.trust ? [`--trusted-cas=${config.trust}`] : []),
      ...(config.alpn?.length ? [`--next-protocols=${config.alpn.join(",")}`] : []),
    ];
    const hold = String(Math.ceil(timeoutMs / 1000) + 1);
    const request = applicationRequest(host);
    const run = await runtime.runToCompletion("botan", "sh", ["-c", holdStdinThenRun, "botan-client", `${scratch.path}/stdin`, hold, request, shim, pinned ? host : "", target.host, ...args], { timeoutMs });
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
  } finally {
    await scratch.remove();
  }
}

export const botanClient = (runtime: Runtime): TlsClientAdapter => ({
  name: "botan",
  connect: (target, config, timeoutMs) => connectBotanClient(runtime, target, config, timeoutMs),
});
