// The canonical outcome taxonomy (docs: DESIGN.md "Canonical outcomes") and the mapping from what
// TLS stacks say to it. Rule: never guess. Text that is not recognised becomes "unclassified" with
// the raw text kept; the caller, who knows which side spoke and when, decides with more context.
//
// Measured facts behind the tables (node 20.20.2 with its bundled OpenSSL 3.0, openssl CLI 3.0.19,
// P-256 PKI, TLS 1.3 and 1.2, all on 127.0.0.1; the strings are rows in outcome.test.ts):
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

const rejected = (reason: RejectionReason): Outcome => `rejected:${reason}`;

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
  // A valid certificate refused by access control (RFC 8446 §6.2): the identity is not the allowed one.
  49: { name: "access_denied", outcome: rejected("identity-mismatch") },
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

const alertCodeByName = new Map(Object.entries(tlsAlerts).map(([code, alert]) => [alert.name, Number(code)]));

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
  33: { name: "UNABLE_TO_GET_CRL_ISSUER", outcome: "unclassified" },
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
  "unable to get CRL issuer certificate": 33,
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
const opensslReasons: Record<string, Pick<Classification, "outcome" | "source">> = {
  "peer did not return a certificate": { outcome: rejected("client-cert-required"), source: "local-verify" },
  "unsupported protocol": { outcome: rejected("protocol-version"), source: "local-verify" },
  "no shared cipher": { outcome: rejected("handshake-failure"), source: "local-verify" },
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
function receivedAlert(text: string): number | undefined {
  const number = /SSL alert number (\d+)/.exec(text)?.[1];
  if (number !== undefined) return Number(number);
  // The reason text without the number: "tlsv13 alert certificate required", ERR_SSL_TLSV1_ALERT_UNKNOWN_CA.
  const name = /(?:sslv3|tlsv1|tlsv13)[ _]alert[ _]([a-z_ ]+)/i.exec(text)?.[1];
  return name === undefined ? undefined : alertCodeByName.get(name.trim().toLowerCase().replaceAll(" ", "_"));
}

function fromAlert(alert: number, raw: string): Classification {
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

/**
 * Text printed by the openssl CLI (s_client / s_server / verify, stderr and stdout). A local
 * verify error beats an alert line; note that s_client without -verify_return_error prints its
 * verify errors and carries on, so run it with that flag when the verdict matters.
 * "Verify return code: 0 (ok)" is printed even when the peer then alerts, so it is not evidence.
 */
export function classifyOpensslText(text: string): Classification {
  const raw = text.trim();
  // s_client/s_server: "verify error:num=10:certificate has expired"; openssl verify: "error 10 at 0 depth lookup".
  const verifyCode = /verify error:num=(\d+):/.exec(raw)?.[1] ?? /\berror (\d+) at \d+ depth lookup/.exec(raw)?.[1];
  if (verifyCode !== undefined) return { outcome: classifyVerifyCode(Number(verifyCode)), raw, source: "local-verify" };
  const alert = receivedAlert(raw);
  if (alert !== undefined) return fromAlert(alert, raw);
  // OpenSSL error lines: "<hex>:error:<hex>:SSL routines:<function>:<reason>:<file>:<line>:".
  for (const [, reason] of raw.matchAll(/:SSL routines:[^:]*:([^:]+):/g)) {
    const verdict = opensslReasons[reason ?? ""];
    if (verdict !== undefined) return { ...verdict, raw };
  }
  if (/Connection refused|connect:errno=111\b/.test(raw)) return { outcome: "connection-refused", raw, source: "transport" };
  if (/Connection timed out|errno=110\b/.test(raw)) return { outcome: "timeout", raw, source: "transport" };
  // read:errno=104 (reset) and "unexpected eof while reading": a node:tls server rejecting a client
  // cert by closing (measured), or a peer crashing; the caller decides.
  if (/errno=(104|32)\b|unexpected eof while reading|Connection reset by peer|Broken pipe/.test(raw)) {
    return { outcome: "unclassified", raw, source: "transport" };
  }
  return { outcome: "unclassified", raw, source: "unknown" };
}

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
  if (/Connection refused/.test(raw)) return { outcome: "connection-refused", raw, source: "transport" };
  return { outcome: "unclassified", raw, source: "unknown" };
}

// nginx (1.22, error_log at info) completes the handshake whatever client certificate it gets (its
// verify callback accepts everything) and then refuses the request with 400, logging why:
// "client SSL certificate verify error: (10:certificate has expired) while reading client request
// headers", or "client sent no required SSL certificate ..." (measured). A handshake that fails
// inside OpenSSL is logged as "SSL_do_handshake() failed (SSL: error:...:<reason>...)".
export function classifyNginxLog(text: string): Classification | undefined {
  const raw = text.trim();
  const verifyCode = /client SSL certificate verify error: \((\d+):/.exec(raw)?.[1];
  if (verifyCode !== undefined) return { outcome: classifyVerifyCode(Number(verifyCode)), raw, source: "local-verify" };
  if (/client sent no required SSL certificate/.test(raw)) return { outcome: rejected("client-cert-required"), raw, source: "local-verify" };
  const handshake = /SSL_do_handshake\(\) failed.*$/m.exec(raw)?.[0];
  if (handshake !== undefined) return classifyOpensslText(handshake);
  return undefined;
}

// HAProxy 2.6 logs a failed handshake in a fixed format without the verify code ("error-log-format"
// arrives in 2.7): "SSL client certificate not trusted" (a fault at depth 0) or "SSL client CA chain
// cannot be verified" (deeper). Neither names a reason, so both stay unclassified and the alert
// the client received (OpenSSL's own mapping of the verify error) decides.
export function classifyHaproxyLog(text: string): Classification | undefined {
  const raw = text.trim();
  const line = /(SSL client certificate not trusted|SSL client CA chain cannot be verified|SSL handshake failure[^\n]*|Timeout during SSL handshake)/.exec(raw)?.[0];
  if (line === undefined) return undefined;
  return { outcome: "unclassified", raw: line, source: "local-verify" };
}

/** "error:0A0000C7:SSL routines::peer did not return a certificate": OpenSSL 3 leaves the function empty. */
function opensslErrorReason(text: string, raw: string): Classification | undefined {
  const reason = /SSL routines:[^:]*:([^:,\n]+)/.exec(text)?.[1]?.trim();
  const verdict = reason === undefined ? undefined : opensslReasons[reason];
  return verdict === undefined ? undefined : { ...verdict, raw };
}

// stunnel (5.68 on OpenSSL 3.0, debug = info) logs a client certificate its verify callback refused
// as "CERT: Pre-verification error: <X509_verify_cert_error_string>" and "Rejected by CERT at
// depth=0: CN=...", then every failed handshake as "SSL_accept: <file>:<line>: error:<hex>:SSL
// routines::<reason>" (measured). The verify reason has no number, so its text decides.
export function classifyStunnelLog(text: string): Classification | undefined {
  const verifyError = /CERT: Pre-verification error: (.+)$/m.exec(text);
  if (verifyError) return { outcome: classifyVerifyText(verifyError[1]!), raw: verifyError[0].trim(), source: "local-verify" };
  const accept = /SSL_accept: .*$/m.exec(text)?.[0].trim();
  if (accept === undefined) return undefined;
  const alert = receivedAlert(accept);
  if (alert !== undefined) return fromAlert(alert, accept);
  const reason = opensslErrorReason(accept, accept);
  if (reason !== undefined) return reason;
  // "unexpected eof while reading" (measured: a client that rejected stunnel's certificate and hung
  // up) or "Peer suddenly disconnected": the client left, for its own reasons.
  return { outcome: "unclassified", raw: accept, source: /unexpected eof|disconnected|reset/i.test(accept) ? "transport" : "unknown" };
}

// curl (7.88, OpenSSL backend) ends a failed transfer with "curl: (<exit code>) <message>" (measured):
// (60) "SSL certificate problem: <X509_verify_cert_error_string>" for the chain and "SSL: no
// alternative certificate subject name matches target host name 'x'" for its own name check
// (lib/vtls/openssl.c, verifyhost); an alert from the server arrives as (35), (56) or (16, over h2)
// "... error:0A000418:SSL routines::tlsv1 alert unknown ca, errno 0".
const curlExitCodes: Record<number, Pick<Classification, "outcome" | "source">> = {
  // CURLE_COULDNT_CONNECT: "Failed to connect to H port P after 0 ms: Couldn't connect to server";
  // on loopback nothing but a refused connection makes it.
  7: { outcome: "connection-refused", source: "transport" },
  28: { outcome: "timeout", source: "transport" }, // CURLE_OPERATION_TIMEDOUT (--max-time)
};

export function classifyCurlText(text: string): Classification {
  const raw = text.trim();
  const error = /^curl: \((\d+)\) (.*)$/m.exec(raw);
  if (!error) return { outcome: "unclassified", raw, source: "unknown" };
  const [line, code, message] = [error[0].trim(), Number(error[1]), error[2] ?? ""];
  const certificateProblem = /^SSL certificate problem: (.+)$/.exec(message)?.[1];
  if (certificateProblem !== undefined) return { outcome: classifyVerifyText(certificateProblem), raw: line, source: "local-verify" };
  if (/^SSL: (no alternative certificate subject name matches|certificate subject name .* does not match) target host name/.test(message)) {
    return { outcome: rejected("hostname-mismatch"), raw: line, source: "local-verify" };
  }
  const alert = receivedAlert(message);
  if (alert !== undefined) return fromAlert(alert, line);
  const reason = opensslErrorReason(message, line);
  if (reason !== undefined) return reason;
  const byCode = curlExitCodes[code];
  if (byCode !== undefined) return { ...byCode, raw: line };
  // (52) empty reply, (55)/(56)/(16) send or receive failures: the server hung up, maybe rejecting.
  if (/Connection reset|Empty reply|Send failure|Recv failure|getpeername|unexpected eof/i.test(message)) return { outcome: "unclassified", raw: line, source: "transport" };
  return { outcome: "unclassified", raw: line, source: "unknown" };
}

// Go crypto/tls (1.19) reports an alert from the peer as "remote error: tls: <text>", with the
// texts of crypto/tls/alert.go (not the RFC names), or "tls: alert(N)" for one it does not name.
const goAlertTexts: Record<string, number> = {
  "close notify": 0,
  "unexpected message": 10,
  "bad record MAC": 20,
  "decryption failed": 21,
  "record overflow": 22,
  "decompression failure": 30,
  "handshake failure": 40,
  "bad certificate": 42,
  "unsupported certificate": 43,
  "revoked certificate": 44,
  "expired certificate": 45,
  "unknown certificate": 46,
  "illegal parameter": 47,
  "unknown certificate authority": 48,
  "access denied": 49,
  "error decoding message": 50,
  "error decrypting message": 51,
  "export restriction": 60,
  "protocol version not supported": 70,
  "insufficient security level": 71,
  "internal error": 80,
  "inappropriate fallback": 86,
  "user canceled": 90,
  "no renegotiation": 100,
  "missing extension": 109,
  "unsupported extension": 110,
  "certificate unobtainable": 111,
  "unrecognized name": 112,
  "bad certificate status response": 113,
  "bad certificate hash value": 114,
  "unknown PSK identity": 115,
  "certificate required": 116,
  "no application protocol": 120,
};

// What Go's own stack decided: crypto/x509 verification errors (verify.go Error() texts) and
// crypto/tls's own checks. Both peer programs print "server identity X is not the expected Y" for a
// URI SAN check that failed, the node prober's wording (probe.ts).
const goLocalVerdicts: Array<[RegExp, Pick<Classification, "outcome" | "source">]> = [
  // CertificateInvalidError{Reason: Expired} covers both ends of the validity period; its detail
  // says which: "current time T is after notAfter" or "... is before notBefore".
  [/x509: certificate has expired or is not yet valid: current time \S+ is after/, { outcome: rejected("expired"), source: "local-verify" }],
  [/x509: certificate has expired or is not yet valid: current time \S+ is before/, { outcome: rejected("not-yet-valid"), source: "local-verify" }],
  [/x509: certificate signed by unknown authority/, { outcome: rejected("unknown-ca"), source: "local-verify" }],
  [/x509: certificate is not authorized to sign other certificates|x509: too many intermediates for path length constraint/, { outcome: rejected("unknown-ca"), source: "local-verify" }],
  [/x509: certificate specifies an incompatible key usage/, { outcome: rejected("unsupported-certificate"), source: "local-verify" }],
  [
    /x509: certificate is valid for .*, not |x509: certificate is not valid for any names|x509: cannot validate certificate for .* because it doesn't contain any IP SANs|x509: certificate relies on legacy Common Name field/,
    { outcome: rejected("hostname-mismatch"), source: "local-verify" },
  ],
  [/server identity .* is not the expected /, { outcome: rejected("identity-mismatch"), source: "local-verify" }],
  [/tls: client didn't provide a certificate/, { outcome: rejected("client-cert-required"), source: "local-verify" }],
  [/tls: client offered only unsupported versions|tls: server selected unsupported protocol version/, { outcome: rejected("protocol-version"), source: "local-verify" }],
  [/tls: no cipher suite supported by both client and server/, { outcome: rejected("handshake-failure"), source: "local-verify" }],
  // The record layer saw bytes that are not TLS: a plaintext peer (conn.go readRecordOrCCS).
  [/tls: first record does not look like a TLS handshake/, { outcome: rejected("protocol-version"), source: "transport" }],
];

export function classifyGoText(text: string): Classification {
  const raw = text.trim();
  const local = goLocalVerdicts.find(([pattern]) => pattern.test(raw));
  if (local !== undefined) return { ...local[1], raw };
  const remote = /remote error: tls: (?:alert\((\d+)\)|(.+?))\s*$/m.exec(raw);
  const alert = remote?.[1] !== undefined ? Number(remote[1]) : goAlertTexts[remote?.[2] ?? ""];
  if (alert !== undefined) return fromAlert(alert, raw);
  if (/connection refused/.test(raw)) return { outcome: "connection-refused", raw, source: "transport" };
  if (/i\/o timeout/.test(raw)) return { outcome: "timeout", raw, source: "transport" };
  // A peer that hangs up mid-handshake (a node:tls server rejecting a client certificate does) or crashes.
  if (/connection reset by peer|broken pipe|\bEOF\b|connection closed without a response/.test(raw)) return { outcome: "unclassified", raw, source: "transport" };
  return { outcome: "unclassified", raw, source: "unknown" };
}

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
