// What GnuTLS (gnutls-cli, gnutls-serv) prints, classified into the canonical outcomes (harness/core/outcome.ts).
import { rejected, fromAlert, type Classification, type Outcome } from "../../core/outcome.js";

// GnuTLS (3.7.9, gnutls-cli / gnutls-serv) prints a verification verdict as one line,
// "- Status: The certificate is NOT trusted. <reason>. <reason>. " with the reasons of
// gnutls_certificate_verification_status_print, and its own alerts as "*** Received alert [116]: ...".
// gnutls-serv answers every failed client-certificate verification with alert 49 access_denied
// (measured), so only its Status line names the reason. Several reasons can appear at once (an
// expired leaf whose name also does not match); the first listed here wins.
const gnutlsStatusReasons: Array<[RegExp, Outcome]> = [
  [/certificate chain is revoked/, rejected("revoked")],
  [/uses expired certificate/, rejected("expired")],
  [/uses not yet valid certificate/, rejected("not-yet-valid")],
  [/certificate issuer is unknown|issuer is not a CA/, rejected("unknown-ca")],
  [/does not match the intended purpose/, rejected("unsupported-certificate")],
  [/signature in the certificate is invalid|uses insecure algorithm/, rejected("bad-certificate")],
  [/name in the certificate does not match/, rejected("hostname-mismatch")],
  // GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE: name constraints, pathLen or keyCertSign; one text for all.
  [/violates the signer's constraints|contains an unknown critical extension/, rejected("bad-certificate")],
];

export function classifyGnutlsText(text: string): Classification {
  const raw = text.trim();
  const status = /Status: The certificate is NOT trusted\.(.*)$/m.exec(raw)?.[1];
  if (status !== undefined) {
    const reason = gnutlsStatusReasons.find(([pattern]) => pattern.test(status));
    return { outcome: reason?.[1] ?? "unclassified", raw, source: "local-verify" };
  }
  const alert = /Received alert \[(\d+)\]/.exec(raw)?.[1];
  if (alert !== undefined) return fromAlert(Number(alert), raw);
  // gnutls-serv without a client certificate in TLS 1.3 (it sends 116).
  if (/Error in handshake: Certificate is required/.test(raw)) return { outcome: rejected("client-cert-required"), raw, source: "local-verify" };
  if (/Error in handshake: .*(unsupported version|protocol version)/i.test(raw)) return { outcome: rejected("protocol-version"), raw, source: "local-verify" };
  if (/An unexpected TLS packet was received|A TLS packet with unexpected length was received/.test(raw)) {
    return { outcome: rejected("protocol-version"), raw, source: "transport" };
  }
  // GNUTLS_E_KEY_USAGE_VIOLATION: the peer's key is used for what its keyUsage does not allow.
  if (/Key usage violation in certificate has been detected/.test(raw)) return { outcome: rejected("unsupported-certificate"), raw, source: "local-verify" };
  // GNUTLS_E_CERTIFICATE_ERROR: gnutls-cli's verification failed without a Status line (chain faults).
  if (/\*\*\* Fatal error: Error in the certificate\./.test(raw)) return { outcome: rejected("bad-certificate"), raw, source: "local-verify" };
  if (/Connection refused/.test(raw)) return { outcome: "connection-refused", raw, source: "transport" };
  return { outcome: "unclassified", raw, source: "unknown" };
}
