// What `botan tls_client` (Botan 2.19) prints, classified into the canonical outcomes (harness/core/outcome.ts).
import { alertCodeByName, fromAlert, rejected, type Classification, type Outcome } from "../../core/outcome.js";

// Path_Validation_Result::result_string() texts (Botan 2.19, src/lib/x509/cert_status.cpp), as
// tls_client prints them on "Certificate validation status: <text>" (measured against the fixture PKI).
const validationStatuses: Record<string, Outcome> = {
  "Certificate has expired": rejected("expired"),
  "Certificate is not yet valid": rejected("not-yet-valid"),
  "Certificate issuer not found": rejected("unknown-ca"),
  // CANNOT_ESTABLISH_TRUST: the chain ends in a self-signed certificate that is not a trust anchor
  // (measured: a self-signed server leaf, the client gallery's client::trust::self-signed).
  "Cannot establish trust": rejected("unknown-ca"),
  "Certificate does not match provided name": rejected("hostname-mismatch"),
  // Chain rules (harness/scenarios/chain.ts), each mapped as OpenSSL alerts the same fault.
  "Certificate does not pass name constraint": rejected("bad-certificate"),
  "CA certificate not allowed to issue certs": rejected("unknown-ca"),
  "Certificate chain too long": rejected("unknown-ca"),
  "Unknown critical extension encountered": rejected("bad-certificate"),
  "Hash function used is considered too weak for security": rejected("bad-certificate"),
  "Signature error": rejected("bad-certificate"),
  "Certificate does not allow the requested usage": rejected("unsupported-certificate"),
};

/** Botan's own verdict on the server's chain and name, or undefined when it verified (or printed none). */
export function classifyBotanValidation(text: string): Classification | undefined {
  const line = /^Certificate validation status: (.+)$/m.exec(text);
  if (!line || line[1]!.trim() === "Verified") return undefined;
  return { outcome: validationStatuses[line[1]!.trim()] ?? "unclassified", raw: line[0].trim(), source: "local-verify" };
}

export function classifyBotanText(text: string): Classification {
  const raw = text.trim();
  const verdict = classifyBotanValidation(raw);
  if (verdict) return verdict;
  // tls_alert prints every alert the server sent; close_notify is an orderly end, not a refusal.
  const alert = /^Alert: (\w+)$/m.exec(raw);
  if (alert && alert[1] !== "close_notify") {
    const code = alertCodeByName.get(alert[1]!);
    return code === undefined ? { outcome: "unclassified", raw: alert[0], source: "alert" } : fromAlert(code, alert[0]);
  }
  const error = /^Error: (.+)$/m.exec(raw);
  if (!error) return { outcome: "unclassified", raw, source: "unknown" };
  const line = error[0].trim();
  // connect_to_host tried every address and none answered: on loopback, a refused connection.
  // TLS::Policy::minimum_rsa_bits (2048 by default) refuses the peer's key before path validation.
  if (/^Peer sent \d+ bit \w+ key, policy requires at least \d+/.test(error[1]!)) return { outcome: rejected("bad-certificate"), raw: line, source: "local-verify" };
  if (error[1] === "connect failed") return { outcome: "connection-refused", raw: line, source: "transport" };
  // A record header that is not TLS: the server speaks plaintext.
  if (/unexpected TLS record version/.test(error[1]!)) return { outcome: rejected("protocol-version"), raw: line, source: "transport" };
  return { outcome: "unclassified", raw: line, source: "unknown" };
}
