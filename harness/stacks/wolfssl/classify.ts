// What the wolfSSL peer program (tlspeer.c) prints, classified into the canonical outcomes
// (harness/core/outcome.ts). Its error text is wolfSSL's: "<error string> (<code>)", then
// ", received alert N" / ", sent alert N" from wolfSSL_get_alert_history, then
// "; chain: depth D: <text> (<code>)", the first certificate the verify callback saw refused.
// Codes are wolfSSL's (wolfssl/error-ssl.h, wolfssl/wolfcrypt/error-crypt.h), or "X509_V_ERR N",
// the OpenSSL-style number wolfSSL's compatibility layer gives some of them.
import { fromAlert, rejected, type Classification, type Outcome } from "../../core/outcome.js";

// wolfSSL's own error codes: what this side's stack decided.
const wolfsslCodes: Record<number, Outcome> = {
  [-150]: rejected("not-yet-valid"), // ASN_BEFORE_DATE_E
  [-151]: rejected("expired"), // ASN_AFTER_DATE_E
  [-155]: rejected("bad-certificate"), // ASN_SIG_CONFIRM_E: a signature that does not verify
  [-160]: rejected("bad-certificate"), // ASN_CRIT_EXT_E: an unknown critical extension
  [-188]: rejected("unknown-ca"), // ASN_NO_SIGNER_E: no trusted issuer (also a path the CA flags or pathlen refuse)
  [-198]: rejected("bad-certificate"), // ASN_NAME_INVALID_E: a name constraint
  [-275]: rejected("unknown-ca"), // ASN_SELF_SIGNED_E
  [-322]: rejected("hostname-mismatch"), // DOMAIN_NAME_MISMATCH
  [-345]: rejected("client-cert-required"), // NO_PEER_CERT
  [-361]: rejected("revoked"), // CRL_CERT_REVOKED
  [-383]: rejected("unsupported-certificate"), // KEYUSE_SIGNATURE_E
  [-386]: rejected("unsupported-certificate"), // EXTKEYUSE_AUTH_E
  [-326]: rejected("protocol-version"), // VERSION_ERROR
  [-501]: rejected("handshake-failure"), // MATCH_SUITE_ERROR
};

// X509_V_ERR numbers as wolfSSL's GetX509Error maps its date errors (wolfssl/ssl.h).
const x509Codes: Record<number, Outcome> = {
  9: rejected("not-yet-valid"), // X509_V_ERR_CERT_NOT_YET_VALID
  10: rejected("expired"), // X509_V_ERR_CERT_HAS_EXPIRED
  13: rejected("not-yet-valid"), // X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD
  14: rejected("expired"), // X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD
  23: rejected("revoked"), // X509_V_ERR_CERT_REVOKED
};

function chainVerdict(raw: string): Outcome | undefined {
  const chain = /; chain: depth \d+: .*\((X509_V_ERR )?(-?\d+)\)$/m.exec(raw);
  if (!chain) return undefined;
  const code = Number(chain[2]);
  return chain[1] ? x509Codes[code] : wolfsslCodes[code];
}

export function classifyWolfsslText(text: string): Classification {
  const raw = text.trim();
  // The verify callback's first refusal names the failing certificate's reason; the handshake's
  // code is often the generic ASN_NO_SIGNER_E whichever certificate failed.
  const chain = chainVerdict(raw);
  if (chain) return { outcome: chain, raw, source: "local-verify" };
  const error = /^(?:\w+: )?.*? \((-\d+)\)/.exec(raw);
  const own = error ? wolfsslCodes[Number(error[1])] : undefined;
  if (own) return { outcome: own, raw, source: "local-verify" };
  const alert = /, received alert (\d+)/.exec(raw);
  if (alert) return fromAlert(Number(alert[1]), raw);
  // A plaintext peer: its first bytes read as a record too long to be TLS.
  if (/record layer length error \(-341\)/.test(raw)) return { outcome: rejected("protocol-version"), raw, source: "transport" };
  if (/Connection refused/.test(raw)) return { outcome: "connection-refused", raw, source: "transport" };
  if (/timed out after \d+ ms/.test(raw)) return { outcome: "timeout", raw, source: "transport" };
  return { outcome: "unclassified", raw, source: /\((-308|-397)\)|connection closed without a response/.test(raw) ? "transport" : "unknown" };
}
