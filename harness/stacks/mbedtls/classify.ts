// What the mbedTLS peer program (tlspeer.c) prints, classified into the canonical outcomes
// (harness/core/outcome.ts). Its error text is mbedTLS's: "<mbedtls_strerror> (-0xNNNN)", then
// ", received alert N" for a fatal alert from the peer, then "; verify: depth D: 0xFLAGS <text>"
// for each certificate the chain check refused and "; result: 0xFLAGS", the handshake's verify
// result (mbedtls_ssl_get_verify_result: the chain's flags and the usage checks' after them).
// Codes are mbedTLS 2.28's (mbedtls/ssl.h, mbedtls/x509.h).
import { fromAlert, rejected, type Classification, type Outcome } from "../../core/outcome.js";

// MBEDTLS_X509_BADCERT_* flags, the first that is set decides: a revocation or a date outranks a
// trust failure the same chain may also show, as OpenSSL's order of checks has it.
const flagOrder: Array<[flag: number, outcome: Outcome]> = [
  [0x02, rejected("revoked")], // BADCERT_REVOKED
  [0x01, rejected("expired")], // BADCERT_EXPIRED
  [0x200, rejected("not-yet-valid")], // BADCERT_FUTURE
  [0x4000, rejected("bad-certificate")], // BADCERT_BAD_MD: a hash the profile refuses (SHA-1)
  [0x8000, rejected("bad-certificate")], // BADCERT_BAD_PK
  [0x10000, rejected("bad-certificate")], // BADCERT_BAD_KEY: a key the profile refuses (RSA below 2048 bits)
  [0x800, rejected("unsupported-certificate")], // BADCERT_KEY_USAGE
  [0x1000, rejected("unsupported-certificate")], // BADCERT_EXT_KEY_USAGE
  [0x2000, rejected("unsupported-certificate")], // BADCERT_NS_CERT_TYPE
  [0x08, rejected("unknown-ca")], // BADCERT_NOT_TRUSTED: no trusted issuer, or one whose signature does not verify
  [0x04, rejected("hostname-mismatch")], // BADCERT_CN_MISMATCH
];

// mbedTLS's own codes (their absolute values) that decide without flags.
const ownCodes: Record<number, Outcome> = {
  0x7480: rejected("client-cert-required"), // SSL_NO_CLIENT_CERTIFICATE
  0x7380: rejected("handshake-failure"), // SSL_NO_CIPHER_CHOSEN
  0x6e80: rejected("protocol-version"), // SSL_BAD_HS_PROTOCOL_VERSION
};

function flagsVerdict(raw: string): Outcome | undefined {
  const result = /; result: 0x([0-9A-F]+)/.exec(raw);
  const flags = result ? parseInt(result[1]!, 16) : [...raw.matchAll(/depth \d+: 0x([0-9A-F]+)/g)].reduce((all, m) => all | parseInt(m[1]!, 16), 0);
  return flagOrder.find(([flag]) => (flags & flag) !== 0)?.[1];
}

export function classifyMbedtlsText(text: string): Classification {
  const raw = text.trim();
  // --expect-uri, checked by the program after the handshake, in the words of the other peer programs.
  if (/server identity .* is not the expected /.test(raw)) return { outcome: rejected("identity-mismatch"), raw, source: "local-verify" };
  const flagged = flagsVerdict(raw);
  if (flagged) return { outcome: flagged, raw, source: "local-verify" };
  const code = /\(-0x([0-9A-F]{4})\)/.exec(raw);
  const value = code ? parseInt(code[1]!, 16) : undefined;
  if (value !== undefined) {
    const own = ownCodes[value];
    if (own) return { outcome: own, raw, source: "local-verify" };
    // X509 parse errors (X509_FEATURE_UNAVAILABLE .. X509_SIG_MISMATCH, low bits a nested ASN1/PK
    // code): a certificate mbedTLS cannot read, an unknown critical extension among them.
    const high = value & 0xff80;
    if (high >= 0x2080 && high <= 0x2680) return { outcome: rejected("bad-certificate"), raw, source: "local-verify" };
  }
  const alert = /, received alert (\d+)/.exec(raw);
  if (alert) return fromAlert(Number(alert[1]), raw);
  // A plaintext peer: its first bytes are no TLS record.
  if (value === 0x7200) return { outcome: rejected("protocol-version"), raw, source: "transport" };
  if (/Connection refused/.test(raw)) return { outcome: "connection-refused", raw, source: "transport" };
  if (/timed out after \d+ ms/.test(raw)) return { outcome: "timeout", raw, source: "transport" };
  // SSL_CONN_EOF, NET_CONN_RESET, NET_RECV_FAILED, NET_SEND_FAILED, or the peer closing before an answer.
  const transport = value === 0x7280 || value === 0x50 || value === 0x4c || value === 0x4e || /connection closed without a response/.test(raw);
  return { outcome: "unclassified", raw, source: transport ? "transport" : "unknown" };
}
