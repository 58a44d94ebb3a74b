import { describe, expect, it } from "vitest";
import type { Classification } from "../../core/outcome.js";
import { classifyWolfsslText } from "./classify.js";

type Row = [title: string, input: string, expected: Omit<Classification, "raw">];

// Measured on 127.0.0.1 with the peer program of this folder (Debian's wolfSSL 5.5.4-2+deb12u3),
// the node prober or node:tls server on the other side unless a row says otherwise. Client rows
// carry the stage prefix the program prints ("handshake: ", "read: "); server rows are the text
// after "rejected: ".
describe("classifyWolfsslText", () => {
  const rows: Row[] = [
    // The verify callback's first refusal decides, the depth of the certificate included.
    ["client: expired server", "handshake: ASN date error, current date after (-151), sent alert 45; chain: depth 0: unknown error number (X509_V_ERR 14)", { outcome: "rejected:expired", source: "local-verify" }],
    ["client: not-yet-valid server", "handshake: ASN date error, current date before (-150), sent alert 45; chain: depth 0: unknown error number (X509_V_ERR 13)", { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    // the handshake's own code is the generic ASN_NO_SIGNER_E: only the chain part names the reason
    ["client: not-yet-valid intermediate", "handshake: certificate verify failed (-188), sent alert 48; chain: depth 1: unknown error number (X509_V_ERR 13)", { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["client: expired intermediate", "handshake: certificate verify failed (-188), sent alert 48; chain: depth 1: unknown error number (X509_V_ERR 14)", { outcome: "rejected:expired", source: "local-verify" }],
    ["client: pathLen exceeded", "handshake: certificate verify failed (-188), sent alert 48; chain: depth 1: unknown error number (X509_V_ERR 25)", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["client: issuer not a CA", "handshake: certificate verify failed (-188), sent alert 48; chain: depth 0: unable to get local issuer certificate (X509_V_ERR 20)", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["client: self-signed server", "handshake: ASN self-signed certificate error (-275), sent alert 42; chain: depth 0: unknown error number (X509_V_ERR 18)", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["client: corrupt signature", "handshake: ASN sig error, confirm failure (-155), sent alert 42; chain: depth 0: unknown error number (X509_V_ERR 7)", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["client: unknown critical extension (no callback, no alert)", "handshake: X.509 Critical extension ignored or invalid (-160)", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["client: name constraint", "handshake: Name Constraint error (-198), sent alert 42; chain: depth 0: Name Constraint error (-198)", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["client: clientAuth-only server", "handshake: Ext Key Use server/client auth not set Error (-386), sent alert 42; chain: depth 0: Ext Key Use server/client auth not set Error (-386)", { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["client: wrong name", "handshake: peer subject name mismatch (-322), sent alert 42; chain: depth 0: peer subject name mismatch (-322)", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: plaintext server", "handshake: record layer length error (-341), sent alert 22", { outcome: "rejected:protocol-version", source: "transport" }],
    ["client: TLS 1.0-only node server", "handshake: received alert fatal error (-313), received alert 70", { outcome: "rejected:protocol-version", source: "alert", alert: 70 }],
    // against our own server (openssl s_client measured the same alert)
    ["client: revoked, refused after the handshake", "read: received alert fatal error (-313), received alert 44", { outcome: "rejected:revoked", source: "alert", alert: 44 }],
    ["client: refused", "connect: Connection refused", { outcome: "connection-refused", source: "transport" }],
    ["client: silent server", "handshake: timed out after 3000 ms", { outcome: "timeout", source: "transport" }],
    ["client: server closed before answering", "write: Peer closed underlying transport Error (-397)", { outcome: "unclassified", source: "transport" }],
    ["server: no client cert", "peer did not return a certificate (-345), sent alert 116", { outcome: "rejected:client-cert-required", source: "local-verify" }],
    ["server: revoked client", "CRL Cert revoked (-361), sent alert 44; chain: depth 0: CRL Cert revoked (-361)", { outcome: "rejected:revoked", source: "local-verify" }],
    ["server: expired client", "ASN date error, current date after (-151), sent alert 45; chain: depth 0: unknown error number (X509_V_ERR 14)", { outcome: "rejected:expired", source: "local-verify" }],
    ["server: serverAuth-only client", "Ext Key Use server/client auth not set Error (-386), sent alert 42; chain: depth 0: Ext Key Use server/client auth not set Error (-386)", { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["server: TLS 1.0 client under the 1.2 floor", "record layer version error (-326), sent alert 70", { outcome: "rejected:protocol-version", source: "local-verify" }],
    ["server: the client refused the server", "received alert fatal error (-313), received alert 42", { outcome: "rejected:bad-certificate", source: "alert", alert: 42 }],
    ["unknown text", "a new kind of failure (-999)", { outcome: "unclassified", source: "unknown" }],
  ];

  it.each(rows)("%s", (_title, input, expected) => {
    const classification = classifyWolfsslText(input);
    expect(classification).toMatchObject(expected);
    expect(classification.alert).toBe(expected.alert);
    expect(classification.raw).toBe(input.trim());
  });
});
