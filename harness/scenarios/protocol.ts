// Protocol floors: a server with a minimum version refuses clients below it (RFC 8996 deprecates
// TLS 1.0 and 1.1), and a client with its default settings refuses a server that speaks only
// TLS 1.0 or 1.1. The old peer is always the reference (node:tls at OpenSSL security level 0).
import { serverName } from "../../fixtures/profiles.js";
import type { TlsVersion } from "../core/observation.js";
import type { Outcome } from "../core/outcome.js";
import { defineCatalogue, type Deviation, type Scenario } from "../core/scenario.js";

const verifying = { trust: "trust-a", serverName };
const short: Record<TlsVersion, string> = { TLSv1: "tls1.0", "TLSv1.1": "tls1.1", "TLSv1.2": "tls1.2", "TLSv1.3": "tls1.3" };
const spelled: Record<TlsVersion, string> = { TLSv1: "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2", "TLSv1.3": "TLS 1.3" };

/** A server with `floor` as its minimum version, probed by a client speaking only `offered`. */
function floorRow(floor: "TLSv1.2" | "TLSv1.3", offered: TlsVersion): Scenario {
  const refused = offered < floor;
  const expect: Outcome = refused ? "rejected:protocol-version" : "accepted";
  const group = floor === "TLSv1.2" ? "floor-1.2" : "tls1.3-only";
  return {
    id: `protocol::${group}::${short[offered]}-client`,
    title: `a server with minimum ${spelled[floor]} ${refused ? "refuses" : "accepts"} a client offering only ${spelled[offered]}`,
    subject: "server",
    server: { cert: "server", minVersion: floor },
    client: { ...verifying, minVersion: offered, maxVersion: offered },
    expect,
    ...(floor === "TLSv1.3" || offered === "TLSv1.3" ? { needs: ["tls1.3"] } : {}),
  };
}

/** A client with its defaults against a server that speaks only `spoken` (or from `spoken` up). */
function clientRow(spoken: TlsVersion, only: boolean): Scenario {
  const refused = spoken < "TLSv1.2";
  return {
    id: `protocol::client-default::${short[spoken]}-${only ? "only-" : ""}server`,
    title: `a client with its default settings ${refused ? "refuses" : "accepts"} a server that speaks ${only ? "only " : ""}${spelled[spoken]}${only ? "" : " and above"}`,
    subject: "client",
    server: only ? { cert: "server", minVersion: spoken, maxVersion: spoken } : { cert: "server", minVersion: spoken },
    client: verifying,
    expect: refused ? "rejected:protocol-version" : "accepted",
    ...(only && spoken === "TLSv1.3" ? { needs: ["tls1.3"] } : {}),
  };
}

const legacySigalg = (name: string): Deviation => ({
  outcome: "rejected:handshake-failure",
  reason: `${name} (OpenSSL 3.0, Debian's defaults) still offers TLS 1.0 and 1.1 but refuses the server's SHA-1 key-exchange signature at security level 1 and above ("legacy sigalg disallowed or unsupported"), so it refuses the old server one step later than a protocol_version alert`,
  reference: "OpenSSL 3.0 SSL_CTX_set_security_level(3) (SHA-1 signatures need level 0); RFC 8996",
});
const gnutlsOldProtocols: Deviation = {
  outcome: "accepted",
  reason: "GnuTLS 3.7's NORMAL priority still enables TLS 1.0 and 1.1 and Debian sets no system-wide priority file, so gnutls-cli with its defaults connects to a TLS 1.0 or 1.1 server (measured with 3.7.9)",
  reference: "GnuTLS manual, priority strings (NORMAL); RFC 8996",
};
const oldServerDeviations: Record<string, Deviation> = {
  openssl: legacySigalg("openssl s_client"),
  curl: legacySigalg("curl"),
  // Measured against `openssl s_server -tls1`: the build decides, not the OpenSSL version. Debian's
  // python3 3.11.2 (host and image, OpenSSL 3.0.19 and 3.0.22) has minimum_version
  // MINIMUM_SUPPORTED and fails at the signature; a CPython 3.11.7 built with its own defaults
  // (pyenv, the same OpenSSL 3.0.19) has TLSv1_2 and gets the protocol_version alert.
  python: {
    outcome: "rejected:handshake-failure",
    reason:
      "Debian's python3 (3.11.2) is built with --with-ssl-default-suites=openssl, which leaves a client context's minimum version to OpenSSL (SSLContext.minimum_version is MINIMUM_SUPPORTED), so it still offers TLS 1.0 and 1.1 and then refuses the server's SHA-1 key-exchange signature at security level 1 and above (\"legacy sigalg disallowed or unsupported\"): it refuses the old server one step later than a protocol_version alert. A CPython built with its own defaults sets TLS 1.2 as the minimum and gets the protocol_version alert (measured with 3.11.7)",
    reference: "Python docs, ssl.SSLContext.minimum_version and configure --with-ssl-default-suites; OpenSSL 3.0 SSL_CTX_set_security_level(3); RFC 8996",
  },
  gnutls: gnutlsOldProtocols,
};

export const protocolScenarios = defineCatalogue("protocol", [
  ...(["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const).map((offered) => floorRow("TLSv1.2", offered)),
  ...(["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const).map((offered): Scenario => {
    const row = floorRow("TLSv1.3", offered);
    return offered !== "TLSv1.2"
      ? row
      : {
          ...row,
          deviations: {
            gnutls: {
              outcome: "rejected:handshake-failure" as const,
              reason: "gnutls-serv with only TLS 1.3 enabled answers a ClientHello that offers TLS 1.2 alone with handshake_failure rather than protocol_version (measured with 3.7.9); the client is refused all the same",
              reference: "RFC 8446 section 4.2.1 (protocol_version for no common version); GnuTLS manual, priority strings",
            },
          },
        };
  }),
  { ...clientRow("TLSv1", true), deviations: oldServerDeviations },
  { ...clientRow("TLSv1.1", true), deviations: oldServerDeviations },
  clientRow("TLSv1.2", true),
  // A stack without TLS 1.3 (Botan 2.19, mbedTLS 2.28 as Debian builds it) skips this row as
  // stack-cannot (its `cannot` says why): a missing capability, not a verdict on the policy.
  clientRow("TLSv1.3", true),
]);
