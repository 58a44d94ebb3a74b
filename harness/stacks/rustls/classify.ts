// What the rustls peer program prints, classified into the canonical outcomes (harness/core/outcome.ts).
// rustls 0.20 prints its Error's Display: a webpki verdict as "invalid peer certificate: <webpki
// Error variant>" (rustls verify.rs pki_error), except that BadDer becomes "invalid peer
// certificate encoding" and signature failures "invalid peer certificate signature[ type]".
import { fromAlert, rejected, type Classification } from "../../core/outcome.js";

// rustls's AlertDescription names (msgs/enums.rs), as "received fatal alert: <name>" prints them.
const rustlsAlertCodes: Record<string, number> = {
  CloseNotify: 0, UnexpectedMessage: 10, BadRecordMac: 20, DecryptionFailed: 21, RecordOverflow: 22,
  DecompressionFailure: 30, HandshakeFailure: 40, NoCertificate: 41, BadCertificate: 42,
  UnsupportedCertificate: 43, CertificateRevoked: 44, CertificateExpired: 45, CertificateUnknown: 46,
  IllegalParameter: 47, UnknownCA: 48, AccessDenied: 49, DecodeError: 50, DecryptError: 51,
  ExportRestriction: 60, ProtocolVersion: 70, InsufficientSecurity: 71, InternalError: 80,
  InappropriateFallback: 86, UserCanceled: 90, NoRenegotiation: 100, MissingExtension: 109,
  UnsupportedExtension: 110, CertificateUnobtainable: 111, UnrecognisedName: 112,
  BadCertificateStatusResponse: 113, BadCertificateHashValue: 114, UnknownPSKIdentity: 115,
  CertificateRequired: 116, NoApplicationProtocol: 120,
};

const rustlsLocalVerdicts: Array<[RegExp, Pick<Classification, "outcome" | "source">]> = [
  // webpki's path building reports every chain it could not build as UnknownIssuer: an untrusted
  // root, an issuer that is not a CA, a path length or name constraint exceeded (verify_cert.rs).
  [/invalid peer certificate: UnknownIssuer/, { outcome: rejected("unknown-ca"), source: "local-verify" }],
  [/invalid peer certificate: CertExpired/, { outcome: rejected("expired"), source: "local-verify" }],
  [/invalid peer certificate: CertNotValidYet/, { outcome: rejected("not-yet-valid"), source: "local-verify" }],
  [/invalid peer certificate: CertNotValidForName/, { outcome: rejected("hostname-mismatch"), source: "local-verify" }],
  [/invalid peer certificate: RequiredEkuNotFound/, { outcome: rejected("unsupported-certificate"), source: "local-verify" }],
  [/invalid peer certificate: (UnsupportedCriticalExtension|CaUsedAsEndEntity|EndEntityUsedAsCa)|invalid peer certificate (signature|signature type|encoding)\b/, { outcome: rejected("bad-certificate"), source: "local-verify" }],
  [/server identity .* is not the expected /, { outcome: rejected("identity-mismatch"), source: "local-verify" }],
  [/not authorized: client identity /, { outcome: rejected("not-authorized"), source: "local-verify" }],
  [/peer sent no certificates/, { outcome: rejected("client-cert-required"), source: "local-verify" }],
  // rustls speaks TLS 1.2 and 1.3 only; a TLS 1.0 or 1.1 ClientHello carries no signature_algorithms
  // (RFC 5246 section 7.4.1.4.1 introduced it), which is what the rustls server refuses first.
  [/peer is incompatible: (client didn't describe signature schemes|Server requires TLS1\.3|TLS1\.2 not offered|no supported protocol version|server does not support TLS v1\.2\/v1\.3)/i, { outcome: rejected("protocol-version"), source: "local-verify" }],
  [/peer is incompatible: no ciphersuites in common/, { outcome: rejected("handshake-failure"), source: "local-verify" }],
  // The record layer saw bytes that are not TLS: a plaintext peer.
  [/received corrupt message/, { outcome: rejected("protocol-version"), source: "transport" }],
];

export function classifyRustlsText(text: string): Classification {
  const raw = text.trim();
  const local = rustlsLocalVerdicts.find(([pattern]) => pattern.test(raw));
  if (local !== undefined) return { ...local[1], raw };
  const alert = /received fatal alert: (?:Unknown\((\d+)\)|(\w+))/.exec(raw);
  const code = alert?.[1] !== undefined ? Number(alert[1]) : rustlsAlertCodes[alert?.[2] ?? ""];
  if (code !== undefined) return fromAlert(code, raw);
  if (/Connection refused/.test(raw)) return { outcome: "connection-refused", raw, source: "transport" };
  if (/timed out|Resource temporarily unavailable|os error 11\b/.test(raw)) return { outcome: "timeout", raw, source: "transport" };
  // A peer that hangs up mid-handshake or after it without answering.
  if (/connection closed during the handshake|Connection reset by peer|Broken pipe|close_notify|connection closed without a response/.test(raw)) return { outcome: "unclassified", raw, source: "transport" };
  return { outcome: "unclassified", raw, source: "unknown" };
}
