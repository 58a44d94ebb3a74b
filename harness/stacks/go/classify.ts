// What the Go peer program (crypto/tls) prints, classified into the canonical outcomes (harness/core/outcome.ts).
import { rejected, fromAlert, type Classification } from "../../core/outcome.js";

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
  // The issuer was found but its signature did not verify, or uses SHA-1 (refused since Go 1.18).
  [/x509: certificate signed by unknown authority \(possibly because of "x509: (cannot verify signature: insecure algorithm|ECDSA verification failure|verification error)/, { outcome: rejected("bad-certificate"), source: "local-verify" }],
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
