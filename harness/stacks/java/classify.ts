// What the Java peer program (JSSE) prints, classified into the canonical outcomes (harness/core/outcome.ts).
import { rejected, fromAlert, alertCodeByName, type Classification } from "../../core/outcome.js";

// Java JSSE (OpenJDK 17) as printed by the Java peer: an exception and its causes on one line.
// Alerts from the peer read "Received fatal alert: <RFC name>"; the JDK's own verdicts are
// CertPathValidator and Validator messages, the decisive part often only in a cause
// ("validity check failed" <- CertificateExpiredException / CertificateNotYetValidException).
const javaLocalVerdicts: Array<[RegExp, Pick<Classification, "outcome" | "source">]> = [
  [/CertificateExpiredException/, { outcome: rejected("expired"), source: "local-verify" }],
  [/CertificateNotYetValidException/, { outcome: rejected("not-yet-valid"), source: "local-verify" }],
  [/Certificate has been revoked/, { outcome: rejected("revoked"), source: "local-verify" }],
  [
    /unable to find valid certification path to requested target|Path does not chain with any of the trust anchors|No trusted certificate found/,
    { outcome: rejected("unknown-ca"), source: "local-verify" },
  ],
  // An issuer that may not issue (cA FALSE, pathLen exceeded, no keyCertSign): OpenSSL alerts the
  // same faults (X509 codes 79, 25, 32) as unknown_ca.
  [/basic constraints check failed|CA key usage check failed: keyCertSign bit is not set/, { outcome: rejected("unknown-ca"), source: "local-verify" }],
  // SNIHostName refuses a name with a trailing dot before any connection (RFC 6066 section 3).
  [/Server name value of host_name cannot have the trailing dot/, { outcome: rejected("hostname-mismatch"), source: "local-verify" }],
  [/Extended key usage does not permit use for TLS (client|server) authentication|KeyUsage does not allow/, { outcome: rejected("unsupported-certificate"), source: "local-verify" }],
  [/No subject alternative (DNS name|names) matching .* found|No name matching .* found|No subject alternative names present/, { outcome: rejected("hostname-mismatch"), source: "local-verify" }],
  [/server identity .* is not the expected /, { outcome: rejected("identity-mismatch"), source: "local-verify" }],
  [/Empty client certificate chain/, { outcome: rejected("client-cert-required"), source: "local-verify" }],
  [/No appropriate protocol \(protocol is disabled or cipher suites are inappropriate\)/, { outcome: rejected("protocol-version"), source: "local-verify" }],
  // The record layer saw bytes that are not TLS: a plaintext peer.
  [/Unsupported or unrecognized SSL message/, { outcome: rejected("protocol-version"), source: "transport" }],
];

export function classifyJavaText(text: string): Classification {
  const raw = text.trim();
  const local = javaLocalVerdicts.find(([pattern]) => pattern.test(raw));
  if (local !== undefined) return { ...local[1], raw };
  const alertName = /Received fatal alert: ([a-z_]+)/.exec(raw)?.[1];
  const alert = alertName === undefined ? undefined : alertCodeByName.get(alertName);
  if (alert !== undefined) return fromAlert(alert, raw);
  if (/ConnectException: Connection refused/.test(raw)) return { outcome: "connection-refused", raw, source: "transport" };
  if (/SocketTimeoutException/.test(raw)) return { outcome: "timeout", raw, source: "transport" };
  // A peer that hangs up mid-handshake (a node:tls server rejecting a client certificate does) or crashes.
  if (/Connection reset|Broken pipe|Remote host terminated the handshake|connection closed without a response/.test(raw)) {
    return { outcome: "unclassified", raw, source: "transport" };
  }
  return { outcome: "unclassified", raw, source: "unknown" };
}
