// curl (7.88, OpenSSL backend) as a client peer: one `curl -sS -v` GET per connection. curl sends
// the URL's host as SNI and verifies the server certificate against that same host, so the name
// goes into the URL and --resolve pins it to the target address; without SNI the URL holds the IP
// (curl sends no SNI for an IP literal, RFC 6066 section 3) and the IP SANs are checked.
//
// What curl cannot express throws: a verified name other than the SNI, a URI SAN (SPIFFE ID)
// check, or verifying the chain without any name. Its definition declares these (stack.ts "cannot"), so rows that need them are skipped with that reason.
import { classifyCurlText } from "./classify.js";
import type { Endpoint } from "../../core/network.js";
import type { Runtime } from "../../runtime/types.js";
import { createScratchDir } from "../common/scratch-dir.js";
import { clientFailure, type Observation, type TlsClientConfig } from "../../core/observation.js";
import type { TlsClientAdapter } from "../types.js";

export class CurlPeerError extends Error {}

/** The URL and --resolve arguments: the host curl sends as SNI and verifies. */
function urlFor(target: Endpoint, config: TlsClientConfig): { url: string; resolve: string[] } {
  if (config.expectIdentity) throw new CurlPeerError("failed to configure curl: it has no option to require a URI SAN");
  if (config.serverName) {
    if (config.verifyName && config.verifyName !== config.serverName) {
      throw new CurlPeerError(`failed to configure curl: it verifies the name it sends as SNI (${config.serverName}), not ${config.verifyName}`);
    }
    if (config.verifyIp) throw new CurlPeerError("failed to configure curl: it cannot verify an IP SAN while it sends SNI");
    return { url: `https://${config.serverName}:${target.port}/`, resolve: ["--resolve", `${config.serverName}:${target.port}:${target.host}`] };
  }
  if (config.trust && config.verifyName) throw new CurlPeerError(`failed to configure curl: it cannot verify ${config.verifyName} without sending it as SNI`);
  if (config.trust && config.verifyIp !== target.host) {
    throw new CurlPeerError(`failed to configure curl: it verifies the address it dials (${target.host}), not ${config.verifyIp ?? "no name at all"}`);
  }
  return { url: `https://${target.host}:${target.port}/`, resolve: [] };
}

async function connectCurlClient(runtime: Runtime, target: Endpoint, config: TlsClientConfig, timeoutMs: number): Promise<Observation> {
  const { url, resolve } = urlFor(target, config);
  const scratch = await createScratchDir(runtime, "curl");
  try {
    const args = [
      // -q (first): ignore ~/.curlrc; --noproxy: an http(s)_proxy or ALL_PROXY in the environment
      // must not send the connection off loopback.
      "-q",
      "--noproxy",
      "*",
      "-sS",
      // -v prints the negotiated version and cipher and the response's status line (on stderr).
      "-v",
      "-o",
      "/dev/null",
      "--max-time",
      String(timeoutMs / 1000),
      ...resolve,
      // Debian's curl also trusts the CApath /etc/ssl/certs when --cacert is given (measured: -v
      // prints "CApath: /etc/ssl/certs"); the empty scratch dir as CApath leaves the bundle alone.
      ...(config.trust ? ["--cacert", config.trust, "--capath", scratch.path] : ["--insecure"]),
    ];
    if (config.identity) {
      // --cert reads a PEM file as a chain: the leaf first, then the intermediates it sends.
      const certificate = await scratch.concat("client.fullchain.pem", [config.identity.cert, ...(config.identity.chain ? [config.identity.chain] : [])]);
      args.push("--cert", certificate, "--key", config.identity.key);
    }
    // curl enforces --max-time itself (exit 28); the runtime's deadline only covers a hung curl.
    const run = await runtime.runToCompletion("curl", "curl", [...args, url], { timeoutMs: timeoutMs + 2_000 });
    const negotiated = /^\* SSL connection using (\S+) \/ (\S+)/m.exec(run.output);
    const [tlsVersion, cipher] = [negotiated?.[1], negotiated?.[2]];
    if (run.timedOut) return { outcome: "timeout", tlsVersion, cipher, evidence: { client: `curl gave no result within ${timeoutMs} ms` } };
    const response = /^< (HTTP\/[\d.]+ \d{3}.*?)\r?$/m.exec(run.output)?.[1];
    // A status line means the server accepted us; how curl then saw the connection end does not matter.
    if (response !== undefined) return { outcome: "accepted", tlsVersion, cipher, response, evidence: { client: response } };
    const seen = classifyCurlText(run.output);
    return clientFailure(seen, { tlsVersion, cipher });
  } finally {
    await scratch.remove();
  }
}

export const curlClient = (runtime: Runtime): TlsClientAdapter => ({
  name: "curl",
  connect: (target, config, timeoutMs) => connectCurlClient(runtime, target, config, timeoutMs),
});
