// What the BoringSSL peer program (tlspeer.c) prints, classified into the canonical outcomes
// (harness/core/outcome.ts). Its error text is "<reason>" (ERR_reason_error_string of the first
// queued error, e.g. CERTIFICATE_VERIFY_FAILED) or the socket's strerror, then "; received alert N"
// / "; sent alert N" (fatal alerts, from the info callback), then "; verify: depth D: <text>
// (X509_V_ERR N)", the first certificate BoringSSL's verifier refused.
import { fromAlert, rejected, type Classification, type Outcome } from "../../core/outcome.js";

// X509_V_ERR numbers as BoringSSL numbers them (include/openssl/x509.h: OpenSSL 1.1's, so 24 is
// INVALID_CA, not OpenSSL 3.0's NO_ISSUER_PUBLIC_KEY). Only the codes our rows produce are mapped;
// any other stays unclassified with its text.
const verifyCodes: Record<number, Outcome> = {
  2: rejected("unknown-ca"), // UNABLE_TO_GET_ISSUER_CERT
  7: rejected("bad-certificate"), // CERT_SIGNATURE_FAILURE
  9: rejected("not-yet-valid"), // CERT_NOT_YET_VALID
  10: rejected("expired"), // CERT_HAS_EXPIRED
  18: rejected("unknown-ca"), // DEPTH_ZERO_SELF_SIGNED_CERT
  19: rejected("unknown-ca"), // SELF_SIGNED_CERT_IN_CHAIN
  20: rejected("unknown-ca"), // UNABLE_TO_GET_ISSUER_CERT_LOCALLY
  21: rejected("unknown-ca"), // UNABLE_TO_VERIFY_LEAF_SIGNATURE
  23: rejected("revoked"), // CERT_REVOKED
  24: rejected("unknown-ca"), // INVALID_CA: an issuer that is not a CA
  25: rejected("unknown-ca"), // PATH_LENGTH_EXCEEDED
  26: rejected("unsupported-certificate"), // INVALID_PURPOSE: the EKU does not allow the role
  32: rejected("unknown-ca"), // KEYUSAGE_NO_CERTSIGN
  34: rejected("bad-certificate"), // UNHANDLED_CRITICAL_EXTENSION
  47: rejected("bad-certificate"), // PERMITTED_VIOLATION
  48: rejected("bad-certificate"), // EXCLUDED_VIOLATION
  62: rejected("hostname-mismatch"), // HOSTNAME_MISMATCH
  64: rejected("hostname-mismatch"), // IP_ADDRESS_MISMATCH
};

// BoringSSL's own reasons (ssl/internal.h SSL_R_*) for what this side decided without a verifier code.
const reasons: Record<string, Pick<Classification, "outcome" | "source">> = {
  PEER_DID_NOT_RETURN_A_CERTIFICATE: { outcome: rejected("client-cert-required"), source: "local-verify" },
  UNSUPPORTED_PROTOCOL: { outcome: rejected("protocol-version"), source: "local-verify" },
  NO_SHARED_CIPHER: { outcome: rejected("handshake-failure"), source: "local-verify" },
  // The leaf's keyUsage does not allow the handshake signature its key makes (ssl_cert_check_key_usage).
  KEY_USAGE_BIT_INCORRECT: { outcome: rejected("unsupported-certificate"), source: "local-verify" },
  // The record layer read bytes that are not TLS: a plaintext peer.
  WRONG_VERSION_NUMBER: { outcome: rejected("protocol-version"), source: "transport" },
  HTTP_REQUEST: { outcome: rejected("protocol-version"), source: "transport" },
};

export function classifyBoringsslText(text: string): Classification {
  const raw = text.trim();
  // The peer program's own check of --expect-uri, in the other peer programs' words.
  if (/server identity .* is not the expected /.test(raw)) return { outcome: rejected("identity-mismatch"), raw, source: "local-verify" };
  // The verifier's code names the certificate's fault; the queued reason is then only CERTIFICATE_VERIFY_FAILED.
  const verify = /; verify: depth \d+: .*\(X509_V_ERR (\d+)\)/.exec(raw);
  const verdict = verify ? verifyCodes[Number(verify[1])] : undefined;
  if (verdict) return { outcome: verdict, raw, source: "local-verify" };
  const alert = /; received alert (\d+)/.exec(raw);
  if (alert) return fromAlert(Number(alert[1]), raw);
  // A client's error comes after its stage ("handshake: ..."), a server's alone.
  const own = reasons[/^(?:[a-z]+: )?([A-Z0-9_]+)/.exec(raw)?.[1] ?? ""];
  if (own) return { ...own, raw };
  if (/Connection refused/.test(raw)) return { outcome: "connection-refused", raw, source: "transport" };
  if (/timed out after \d+ ms/.test(raw)) return { outcome: "timeout", raw, source: "transport" };
  return { outcome: "unclassified", raw, source: /Connection reset|connection closed|Broken pipe/.test(raw) ? "transport" : "unknown" };
}
