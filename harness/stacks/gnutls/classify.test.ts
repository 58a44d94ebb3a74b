import { describe, expect, it } from "vitest";
import { type Classification } from "../../core/outcome.js";
import { classifyGnutlsText } from "./classify.js";

// Measured with the container images (Debian bookworm: gnutls-bin 3.7.9, nginx 1.22.1, haproxy 2.6.12),
// the node prober or openssl s_client on the other side.
describe("classifyGnutlsText", () => {
  const rows: Array<[string, string, Partial<Classification>]> = [
    // Chain rules, measured with 3.7.9 against the node reference peers.
    ["gnutls-serv: name constraint, pathLen or keyCertSign", "- Status: The certificate is NOT trusted. The certificate chain violates the signer's constraints. \nError in handshake: Error in the certificate.", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["gnutls-serv: unknown critical extension", "- Status: The certificate is NOT trusted. The certificate contains an unknown critical extension. ", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["gnutls-serv: client keyUsage without digitalSignature", "Error in handshake: Key usage violation in certificate has been detected.", { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["gnutls-cli: chain fault without a Status line", "*** Fatal error: Error in the certificate.", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["gnutls-serv: expired client cert", "- Status: The certificate is NOT trusted. The certificate chain uses expired certificate. \nError in handshake: Error in the certificate.",
      { outcome: "rejected:expired", source: "local-verify" }],
    ["gnutls-serv: not-yet-valid client cert", "- Status: The certificate is NOT trusted. The certificate chain uses not yet valid certificate. ", { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["gnutls-serv: untrusted client cert", "- Status: The certificate is NOT trusted. The certificate issuer is unknown. ", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["gnutls-serv: revoked client cert", "- Status: The certificate is NOT trusted. The certificate chain is revoked. ", { outcome: "rejected:revoked", source: "local-verify" }],
    ["gnutls-cli: wrong name", "- Status: The certificate is NOT trusted. The name in the certificate does not match the expected. \n*** PKI verification of server certificate failed...",
      { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    // several reasons at once: the validity period wins over the name
    ["gnutls-cli: expired and wrong name", "- Status: The certificate is NOT trusted. The certificate chain uses expired certificate. The name in the certificate does not match the expected. ",
      { outcome: "rejected:expired", source: "local-verify" }],
    ["gnutls-cli: strict server, no client cert", "*** Fatal error: A TLS fatal alert has been received.\n*** Received alert [116]: Certificate is required",
      { outcome: "rejected:client-cert-required", source: "alert", alert: 116 }],
    ["gnutls-serv: no client cert", "Error in handshake: Certificate is required.", { outcome: "rejected:client-cert-required", source: "local-verify" }],
    ["a trusted status is not evidence", "- Status: The certificate is trusted. ", { outcome: "unclassified", source: "unknown" }],
    ["generic certificate error", "Error in handshake: Error in the certificate.", { outcome: "unclassified", source: "unknown" }],
  ];
  it.each(rows)("%s", (_title, input, expected) => {
    expect(classifyGnutlsText(input)).toMatchObject(expected);
  });
});
