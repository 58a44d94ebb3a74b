// What stunnel prints, classified into the canonical outcomes (harness/core/outcome.ts).
import { classifyVerifyText, receivedAlert, fromAlert, opensslErrorReason, type Classification } from "../../core/outcome.js";

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
