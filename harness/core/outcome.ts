// The canonical outcome taxonomy (docs/architecture.md "Canonical outcomes") and the mapping from what
// TLS stacks say to it. Rule: never guess. Text that is not recognised becomes "unclassified" with
// the raw text kept; the caller, who knows which side spoke and when, decides with more context.
//
// Measured facts behind the tables (node 20.20.2 with its bundled OpenSSL 3.0, openssl CLI 3.0.19,
// P-256 PKI, TLS 1.3 and 1.2, all on 127.0.0.1; the strings are rows in outcome.test.ts and in each stack's classify.test.ts):
// - An OpenSSL server (s_server -Verify 1 -verify_return_error) alerts a not-yet-valid client cert
//   as 42 bad_certificate and a serverAuth-only EKU client cert as 43 unsupported_certificate; a
//   missing client cert is 116 certificate_required in TLS 1.3 but 40 handshake_failure in 1.2.
// - A node:tls server (requestCert + rejectUnauthorized) sends 116 / 40 for a missing client cert,
//   but for an untrusted, expired, not-yet-valid or wrong-EKU cert it closes with no alert at all:
//   a TLS 1.3 node client sees a clean close after secureConnect, a TLS 1.2 one sees ECONNRESET.
//   Only the server's socket.authorizationError names the reason.

export const rejectionReasons = [
  "client-cert-required",
  "unknown-ca",
  "expired",
  "not-yet-valid",
  "hostname-mismatch",
  "identity-mismatch",
  // Authenticated, not authorized: the chain verified, but the identity is not on the allow-list
  // (a mesh's authorization policy). identity-mismatch is a client's check of the server it dialled.
  "not-authorized",
  "bad-certificate",
  "unsupported-certificate",
  "revoked",
  "protocol-version",
  "handshake-failure",
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

export type Outcome =
  | "accepted"
  | `rejected:${RejectionReason}`
  | "plaintext-accepted"
  | "plaintext-refused"
  | "timeout"
  | "connection-refused"
  | "unclassified";

export type Side = "client" | "server";

/**
 * What one side's TLS stack said, classified. raw keeps the original text; reason undefined => unclassified.
 * source: "alert" = an alert received from the peer; "local-verify" = this side's own stack decided
 * (certificate verification or its own policy checks); "transport" = the bytes or the socket, not TLS.
 */
export interface Classification {
  outcome: Outcome;
  raw: string;
  source: "alert" | "local-verify" | "transport" | "unknown";
  alert?: number;
}

const outcomesWithoutReason = [
  "accepted",
  "plaintext-accepted",
  "plaintext-refused",
  "timeout",
  "connection-refused",
  "unclassified",
] as const;

export function isOutcome(text: string): text is Outcome {
  if ((outcomesWithoutReason as readonly string[]).includes(text)) return true;
  const reason = /^rejected:(.+)$/.exec(text)?.[1];
  return reason !== undefined && (rejectionReasons as readonly string[]).includes(reason);
}

export const rejected = (reason: RejectionReason): Outcome => `rejected:${reason}`;

/** A server's account when the line that settles a refusal did not come within the wait: said, not guessed. */
export const silentAccount = (who: string, withinMs: number): Classification => ({ outcome: "unclassified", raw: `${who} said nothing within ${withinMs} ms`, source: "unknown" });

/** Alert codes of RFC 8446 section 6 plus those RFC 5246 section 7.2 and RFC 6066 still name. */
export const tlsAlerts: Record<number, { name: string; outcome: Outcome }> = {
  // Orderly closure (RFC 8446 §6.1), not a verdict; a node:tls server rejects a bad client cert by
  // closing without any alert (measured), so an early close means nothing on its own.
  0: { name: "close_notify", outcome: "unclassified" },
  // Malformed or garbled traffic (RFC 8446 §6.2): a broken peer or path, not a policy decision.
  10: { name: "unexpected_message", outcome: "unclassified" },
  20: { name: "bad_record_mac", outcome: "unclassified" },
  21: { name: "decryption_failed", outcome: "unclassified" },
  22: { name: "record_overflow", outcome: "unclassified" },
  30: { name: "decompression_failure", outcome: "unclassified" },
  47: { name: "illegal_parameter", outcome: "unclassified" },
  50: { name: "decode_error", outcome: "unclassified" },
  109: { name: "missing_extension", outcome: "unclassified" },
  110: { name: "unsupported_extension", outcome: "unclassified" },
  // Negotiation failed. OpenSSL also sends 40 for a missing client cert in TLS 1.2 (measured),
  // which has no certificate_required.
  40: { name: "handshake_failure", outcome: rejected("handshake-failure") },
  71: { name: "insufficient_security", outcome: rejected("handshake-failure") },
  115: { name: "unknown_psk_identity", outcome: rejected("handshake-failure") },
  120: { name: "no_application_protocol", outcome: rejected("handshake-failure") }, // RFC 7301 §3.2
  // A handshake signature or Finished did not verify (RFC 8446 §6.2): not only the certificate.
  51: { name: "decrypt_error", outcome: rejected("handshake-failure") },
  // SSLv3's "no certificate"; reserved since RFC 5246 §7.2.2, same meaning as 116.
  41: { name: "no_certificate", outcome: rejected("client-cert-required") },
  // OpenSSL sends 42 for a not-yet-valid cert (measured), so 42 cannot be read as "not malformed".
  42: { name: "bad_certificate", outcome: rejected("bad-certificate") },
  // OpenSSL sends 43 for a cert whose EKU does not allow the role (measured: serverAuth-only client cert).
  43: { name: "unsupported_certificate", outcome: rejected("unsupported-certificate") },
  44: { name: "certificate_revoked", outcome: rejected("revoked") },
  45: { name: "certificate_expired", outcome: rejected("expired") },
  // "Some other (unspecified) issue" with the certificate (RFC 8446 §6.2); OpenSSL's fallback alert
  // for verify errors missing from its own table (ssl_x509err2alert).
  46: { name: "certificate_unknown", outcome: rejected("bad-certificate") },
  48: { name: "unknown_ca", outcome: rejected("unknown-ca") },
  // A valid certificate refused by access control (RFC 8446 §6.2): authenticated, not authorized.
  49: { name: "access_denied", outcome: rejected("not-authorized") },
  60: { name: "export_restriction", outcome: "unclassified" }, // reserved, never sent since TLS 1.1
  70: { name: "protocol_version", outcome: rejected("protocol-version") },
  80: { name: "internal_error", outcome: "unclassified" }, // the peer failed, "unrelated to the peer"
  86: { name: "inappropriate_fallback", outcome: rejected("protocol-version") }, // RFC 7507 §3
  90: { name: "user_canceled", outcome: "unclassified" },
  100: { name: "no_renegotiation", outcome: "unclassified" },
  111: { name: "certificate_unobtainable", outcome: "unclassified" }, // RFC 6066 §5 cert URLs
  // The server has no certificate for the SNI name asked for (RFC 6066 §3): the mismatch seen from its side.
  112: { name: "unrecognized_name", outcome: rejected("hostname-mismatch") },
  // An invalid OCSP staple (RFC 6066 §8) says nothing about the certificate's own status.
  113: { name: "bad_certificate_status_response", outcome: "unclassified" },
  114: { name: "bad_certificate_hash_value", outcome: rejected("bad-certificate") }, // RFC 6066 §5
  116: { name: "certificate_required", outcome: rejected("client-cert-required") },
};

export const alertCodeByName = new Map(Object.entries(tlsAlerts).map(([code, alert]) => [alert.name, Number(code)]));

export function classifyAlert(code: number): Outcome {
  return tlsAlerts[code]?.outcome ?? "unclassified";
}

// X509_V_ERR_* (OpenSSL 3.0 include/openssl/x509_vfy.h); node:tls reports the same names without
// the prefix. A code maps to the reason it names; where it names none of ours, to the alert OpenSSL
// itself sends for it (ssl_x509err2alert in ssl/statem/statem_lib.c), so a local verdict and the
// peer's alert for the same fault agree. CRL state errors (3, 5, 8, 11, 12, 15, 16, 33) are left
// unclassified: OpenSSL alerts them as unknown_ca or certificate_expired, but they say nothing about
// the certificate, and a revocation suite needs to see them raw.
const x509VerifyErrors: Record<number, { name: string; outcome: Outcome }> = {
  1: { name: "UNSPECIFIED", outcome: "unclassified" },
  // node:tls also reports 2 when the peer sent no certificate at all (measured: requestCert without
  // rejectUnauthorized, no client cert): only the caller, who sees the empty peer cert, can tell.
  2: { name: "UNABLE_TO_GET_ISSUER_CERT", outcome: rejected("unknown-ca") },
  3: { name: "UNABLE_TO_GET_CRL", outcome: "unclassified" },
  4: { name: "UNABLE_TO_DECRYPT_CERT_SIGNATURE", outcome: rejected("bad-certificate") },
  5: { name: "UNABLE_TO_DECRYPT_CRL_SIGNATURE", outcome: "unclassified" },
  6: { name: "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", outcome: rejected("bad-certificate") },
  7: { name: "CERT_SIGNATURE_FAILURE", outcome: rejected("bad-certificate") },
  8: { name: "CRL_SIGNATURE_FAILURE", outcome: "unclassified" },
  9: { name: "CERT_NOT_YET_VALID", outcome: rejected("not-yet-valid") },
  10: { name: "CERT_HAS_EXPIRED", outcome: rejected("expired") },
  11: { name: "CRL_NOT_YET_VALID", outcome: "unclassified" },
  12: { name: "CRL_HAS_EXPIRED", outcome: "unclassified" },
  13: { name: "ERROR_IN_CERT_NOT_BEFORE_FIELD", outcome: rejected("bad-certificate") },
  14: { name: "ERROR_IN_CERT_NOT_AFTER_FIELD", outcome: rejected("bad-certificate") },
  15: { name: "ERROR_IN_CRL_LAST_UPDATE_FIELD", outcome: "unclassified" },
  16: { name: "ERROR_IN_CRL_NEXT_UPDATE_FIELD", outcome: "unclassified" },
  17: { name: "OUT_OF_MEM", outcome: "unclassified" },
  18: { name: "DEPTH_ZERO_SELF_SIGNED_CERT", outcome: rejected("unknown-ca") },
  19: { name: "SELF_SIGNED_CERT_IN_CHAIN", outcome: rejected("unknown-ca") },
  20: { name: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", outcome: rejected("unknown-ca") },
  21: { name: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", outcome: rejected("unknown-ca") },
  22: { name: "CERT_CHAIN_TOO_LONG", outcome: rejected("unknown-ca") },
  23: { name: "CERT_REVOKED", outcome: rejected("revoked") },
  24: { name: "NO_ISSUER_PUBLIC_KEY", outcome: rejected("bad-certificate") }, // was INVALID_CA before 3.0
  25: { name: "PATH_LENGTH_EXCEEDED", outcome: rejected("unknown-ca") },
  26: { name: "INVALID_PURPOSE", outcome: rejected("unsupported-certificate") },
  27: { name: "CERT_UNTRUSTED", outcome: rejected("bad-certificate") },
  28: { name: "CERT_REJECTED", outcome: rejected("bad-certificate") },
  // An issuer that may not sign certificates: OpenSSL alerts it as unknown_ca, like 79.
  32: { name: "KEYUSAGE_NO_CERTSIGN", outcome: rejected("unknown-ca") },
  33: { name: "UNABLE_TO_GET_CRL_ISSUER", outcome: "unclassified" },
  // Codes missing from ssl_x509err2alert's table: OpenSSL alerts them as 46 certificate_unknown.
  34: { name: "UNHANDLED_CRITICAL_EXTENSION", outcome: rejected("bad-certificate") },
  47: { name: "PERMITTED_VIOLATION", outcome: rejected("bad-certificate") },
  48: { name: "EXCLUDED_VIOLATION", outcome: rejected("bad-certificate") },
  49: { name: "SUBTREE_MINMAX", outcome: rejected("bad-certificate") },
  51: { name: "UNSUPPORTED_CONSTRAINT_TYPE", outcome: rejected("bad-certificate") },
  52: { name: "UNSUPPORTED_CONSTRAINT_SYNTAX", outcome: rejected("bad-certificate") },
  53: { name: "UNSUPPORTED_NAME_SYNTAX", outcome: rejected("bad-certificate") },
  50: { name: "APPLICATION_VERIFICATION", outcome: rejected("handshake-failure") },
  62: { name: "HOSTNAME_MISMATCH", outcome: rejected("hostname-mismatch") },
  63: { name: "EMAIL_MISMATCH", outcome: rejected("identity-mismatch") },
  64: { name: "IP_ADDRESS_MISMATCH", outcome: rejected("hostname-mismatch") },
  66: { name: "EE_KEY_TOO_SMALL", outcome: rejected("bad-certificate") },
  67: { name: "CA_KEY_TOO_SMALL", outcome: rejected("bad-certificate") },
  68: { name: "CA_MD_TOO_WEAK", outcome: rejected("bad-certificate") },
  79: { name: "INVALID_CA", outcome: rejected("unknown-ca") },
  94: { name: "EC_KEY_EXPLICIT_PARAMS", outcome: rejected("bad-certificate") },
};

const x509VerifyErrorByName = new Map(Object.values(x509VerifyErrors).map((entry) => [entry.name, entry.outcome]));

// node:tls checks the name itself (tls.checkServerIdentity), outside OpenSSL's verifier.
const nodeHostnameMismatch = "ERR_TLS_CERT_ALTNAME_INVALID";

/** X509_V_ERR_* numbers or names (with or without the prefix) and node:tls verify codes. */
export function classifyVerifyCode(code: number | string): Outcome {
  if (typeof code === "number") return x509VerifyErrors[code]?.outcome ?? "unclassified";
  const name = code.trim().replace(/^X509_V_ERR_/, "");
  if (/^\d+$/.test(name)) return classifyVerifyCode(Number(name));
  if (name === nodeHostnameMismatch) return rejected("hostname-mismatch");
  // 0 (X509_V_OK) is deliberately absent: a passed verification is not an accepted connection.
  return x509VerifyErrorByName.get(name) ?? "unclassified";
}

// X509_verify_cert_error_string() of OpenSSL 3.0 (crypto/x509/x509_txt.c; dumped from libcrypto 3.0.19)
// for the codes classified above: stacks that print the reason without its number use these,
// stunnel ("CERT: Pre-verification error: certificate has expired") and curl ("SSL certificate
// problem: certificate has expired"). OpenSSL 1.1 spelled 18 and 19 "self signed" (no hyphen).
const x509VerifyErrorTexts: Record<string, number> = {
  "unable to get issuer certificate": 2,
  "unable to get certificate CRL": 3,
  "unable to decrypt certificate's signature": 4,
  "unable to decrypt CRL's signature": 5,
  "unable to decode issuer public key": 6,
  "certificate signature failure": 7,
  "CRL signature failure": 8,
  "certificate is not yet valid": 9,
  "certificate has expired": 10,
  "CRL is not yet valid": 11,
  "CRL has expired": 12,
  "format error in certificate's notBefore field": 13,
  "format error in certificate's notAfter field": 14,
  "format error in CRL's lastUpdate field": 15,
  "format error in CRL's nextUpdate field": 16,
  "self-signed certificate": 18,
  "self signed certificate": 18,
  "self-signed certificate in certificate chain": 19,
  "self signed certificate in certificate chain": 19,
  "unable to get local issuer certificate": 20,
  "unable to verify the first certificate": 21,
  "certificate chain too long": 22,
  "certificate revoked": 23,
  "issuer certificate doesn't have a public key": 24,
  "path length constraint exceeded": 25,
  "unsuitable certificate purpose": 26,
  "certificate not trusted": 27,
  "certificate rejected": 28,
  "key usage does not include certificate signing": 32,
  "unable to get CRL issuer certificate": 33,
  "unhandled critical extension": 34,
  "permitted subtree violation": 47,
  "excluded subtree violation": 48,
  "name constraints minimum and maximum not supported": 49,
  "unsupported name constraint type": 51,
  "unsupported or invalid name constraint syntax": 52,
  "unsupported or invalid name syntax": 53,
  "application verification failure": 50,
  "hostname mismatch": 62,
  "email address mismatch": 63,
  "IP address mismatch": 64,
  "EE certificate key too weak": 66,
  "CA certificate key too weak": 67,
  "CA signature digest algorithm too weak": 68,
  "invalid CA certificate": 79,
  "Certificate public key has explicit ECC parameters": 94,
};

/** An OpenSSL verify reason as text ("certificate has expired"); the exact string, or unclassified. */
export function classifyVerifyText(text: string): Outcome {
  const code = x509VerifyErrorTexts[text.trim()];
  return code === undefined ? "unclassified" : classifyVerifyCode(code);
}

// OpenSSL reason strings for faults this side's stack found itself. node:tls turns a reason into
// err.code as ERR_SSL_ + the reason upper-cased with spaces as underscores (measured).
export const opensslReasons: Record<string, Pick<Classification, "outcome" | "source">> = {
  "peer did not return a certificate": { outcome: rejected("client-cert-required"), source: "local-verify" },
  "unsupported protocol": { outcome: rejected("protocol-version"), source: "local-verify" },
  "no shared cipher": { outcome: rejected("handshake-failure"), source: "local-verify" },
  // A TLS 1.0/1.1 server signs its key exchange with MD5+SHA-1 or SHA-1, which OpenSSL 3 refuses
  // at security level 1 and above (measured: s_client and curl against a TLS 1.0-only server).
  "legacy sigalg disallowed or unsupported": { outcome: rejected("handshake-failure"), source: "local-verify" },
  // The record layer refused bytes that are not TLS: a plaintext server answered (wrong version
  // number, packet length too long) or a plaintext client spoke (http request). There is no TLS
  // version in common, so protocol-version; the caller knows whether it sent plaintext on purpose.
  "wrong version number": { outcome: rejected("protocol-version"), source: "transport" },
  "packet length too long": { outcome: rejected("protocol-version"), source: "transport" },
  "http request": { outcome: rejected("protocol-version"), source: "transport" },
  "https proxy request": { outcome: rejected("protocol-version"), source: "transport" },
};

const nodeCodeReasons = new Map(
  Object.entries(opensslReasons).map(([reason, verdict]) => [`ERR_SSL_${reason.toUpperCase().replaceAll(" ", "_")}`, verdict]),
);

const transportCodes: Record<string, Outcome> = {
  ECONNREFUSED: "connection-refused",
  ETIMEDOUT: "timeout",
  ERR_SOCKET_CONNECTION_TIMEOUT: "timeout", // net autoSelectFamily attempt timeout
  // A peer that hangs up mid-handshake may be rejecting (node:tls servers do, measured) or crashing.
  ECONNRESET: "unclassified",
  EPIPE: "unclassified",
};

/** "SSL alert number 48" is how OpenSSL (and so node:tls) reports an alert received from the peer. */
export function receivedAlert(text: string): number | undefined {
  const number = /SSL alert number (\d+)/.exec(text)?.[1];
  if (number !== undefined) return Number(number);
  // The reason text without the number: "tlsv13 alert certificate required", ERR_SSL_TLSV1_ALERT_UNKNOWN_CA.
  const name = /(?:sslv3|tlsv1|tlsv13)[ _]alert[ _]([a-z_ ]+)/i.exec(text)?.[1];
  return name === undefined ? undefined : alertCodeByName.get(name.trim().toLowerCase().replaceAll(" ", "_"));
}

export function fromAlert(alert: number, raw: string): Classification {
  return { outcome: classifyAlert(alert), raw, source: "alert", alert };
}

/** An error object from node:tls / node:net, or a socket.authorizationError (a string, measured). */
export function classifyNodeError(err: unknown): Classification {
  const fields = typeof err === "string" ? { code: err } : typeof err === "object" && err !== null ? (err as Record<string, unknown>) : {};
  const code = typeof fields.code === "string" ? fields.code : "";
  const message = typeof fields.message === "string" ? fields.message.trim() : "";
  const raw = [code, message].filter((part) => part !== "").join(": ") || String(err);

  const alert = receivedAlert(message) ?? receivedAlert(code);
  if (alert !== undefined) return fromAlert(alert, raw);
  const reason = nodeCodeReasons.get(code);
  if (reason !== undefined) return { ...reason, raw };
  // node names only the verify codes it knows and calls the others UNSPECIFIED, with OpenSSL's
  // text as the message (measured: "UNSPECIFIED: permitted subtree violation").
  if (code === "UNSPECIFIED" && classifyVerifyText(message) !== "unclassified") return { outcome: classifyVerifyText(message), raw, source: "local-verify" };
  if (code === nodeHostnameMismatch || x509VerifyErrorByName.has(code)) {
    return { outcome: classifyVerifyCode(code), raw, source: "local-verify" };
  }
  const transport = transportCodes[code];
  if (transport !== undefined) return { outcome: transport, raw, source: "transport" };
  // AbortSignal.timeout() aborts a socket with an AbortError whose cause is a TimeoutError (measured).
  const cause = fields.cause as { name?: unknown } | undefined;
  if (fields.name === "TimeoutError" || (fields.name === "AbortError" && cause?.name === "TimeoutError")) {
    return { outcome: "timeout", raw, source: "transport" };
  }
  return { outcome: "unclassified", raw, source: "unknown" };
}

/** "error:0A0000C7:SSL routines::peer did not return a certificate": OpenSSL 3 leaves the function empty. */
export function opensslErrorReason(text: string, raw: string): Classification | undefined {
  const reason = /SSL routines:[^:]*:([^:,\n]+)/.exec(text)?.[1]?.trim();
  const verdict = reason === undefined ? undefined : opensslReasons[reason];
  return verdict === undefined ? undefined : { ...verdict, raw };
}
