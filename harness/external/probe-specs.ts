// How the settings and a check become a ProbeSpec: the endpoint as the settings name it, forced
// onto a protocol path, or arriving under another name.
import type { KeyPairFiles } from "../core/observation.js";
import type { NameVariant, ProtocolPath } from "./checks.js";
import type { Exchange, ProbeSpec } from "./endpoint-probe.js";
import type { ExternalSettings } from "./settings.js";

/** raw protocol: this long after the handshake with no alert and no close is "stayed open" (a TLS 1.3 server alerts within milliseconds of the client's Finished, measured). */
export const settleMs = 1_500;

/** A probe of the endpoint as the settings name it, at that HTTP path, presenting `identity` if any. */
export const probeSpecOf = (settings: ExternalSettings, httpPath: string, transport: "plaintext" | "tls", identity?: KeyPairFiles): ProbeSpec => ({
  target: { host: settings.host, port: settings.port },
  http: { path: httpPath, headers: settings.headers },
  transport,
  protocol: settings.protocol,
  identity,
  serverName: settings.serverName,
  alpn: settings.alpn,
  timeoutMs: settings.timeoutMs,
  settleMs,
});

/** How a probe is forced onto a protocol path. */
export const protocolSpec: Record<ProtocolPath, Partial<Pick<ProbeSpec, "alpn" | "tlsVersions">>> = {
  h2: { alpn: ["h2"] },
  "http/1.1": { alpn: ["http/1.1"] },
  "tls1.2": { tlsVersions: { min: "TLSv1.2", max: "TLSv1.2" } },
  "tls1.3": { tlsVersions: { min: "TLSv1.3", max: "TLSv1.3" } },
};

/**
 * Whether the control forced onto a path completed its handshake on that path: undefined when it
 * did, else why the path is not probed (the endpoint chose another protocol, refused the version,
 * or the control did not get through the handshake at all).
 */
export function protocolPathAccepted(over: ProtocolPath, exchange: Exchange): string | undefined {
  const tls = exchange.tls;
  const where = over.startsWith("tls") ? `TLS ${over.slice(3)}` : `ALPN ${over}`;
  if (!tls) return `the control forced onto ${where} did not complete its handshake (${exchange.alert ? `alert ${exchange.alert.name}` : exchange.raw}): not accepted, so there is no pair to compare`;
  const accepted = { h2: tls.alpn === "h2", "http/1.1": tls.alpn === "http/1.1" || !tls.alpn, "tls1.2": tls.version === "TLSv1.2", "tls1.3": tls.version === "TLSv1.3" }[over];
  return accepted ? undefined : `the endpoint does not accept ${where} (negotiated ${tls.version ?? "?"}${tls.alpn ? `, ALPN ${tls.alpn}` : ""}): there is no pair to compare`;
}

/** A name that no endpoint serves (RFC 6761 reserves .invalid). */
export const unservedName = "not-served.mtls-conformance.invalid";

/** SNI and Host of a name path (checks.ts NameVariant); Host stays the server name unless the variant is Host's. */
export function nameSpec(variant: NameVariant, serverName: string): Pick<ProbeSpec, "serverName" | "httpHost"> {
  switch (variant) {
    case "no-sni":
      return { serverName: "", httpHost: serverName };
    case "sni-case": {
      // Upper case, unless it is upper case already: then lower.
      const other = serverName.toUpperCase() === serverName ? serverName.toLowerCase() : serverName.toUpperCase();
      return { serverName: other, httpHost: serverName };
    }
    case "unknown-sni":
      return { serverName: unservedName, httpHost: serverName };
    case "host-differs":
      return { serverName, httpHost: unservedName };
  }
}
