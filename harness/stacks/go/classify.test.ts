import { describe, expect, it } from "vitest";
import type { Classification } from "../../core/outcome.js";
import { classifyGoText } from "./classify.js";

type Row = [title: string, input: unknown, expected: Omit<Classification, "raw">];

// Measured on 127.0.0.1 with the peer programs of harness/stacks/go and harness/stacks/java (Go 1.19.8 crypto/tls, OpenJDK
// 17.0.15 JSSE), TLS 1.3, the node prober or node:tls server on the other side unless a row says
// otherwise. Client rows carry the stage prefix the programs print ("handshake: ", "read: ").
describe("classifyGoText", () => {
  const rows: Row[] = [
    // Chain rules, measured with Go 1.19 against the node reference peers.
    ["SHA-1 signature", 'handshake: x509: certificate signed by unknown authority (possibly because of "x509: cannot verify signature: insecure algorithm ECDSA-SHA1 (temporarily override with GODEBUG=x509sha1=1)" while trying to verify candidate authority certificate "mtls-conformance Issuer A")', { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["corrupt signature", 'handshake: x509: certificate signed by unknown authority (possibly because of "x509: ECDSA verification failure" while trying to verify candidate authority certificate "mtls-conformance Issuer A")', { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["server: expired client cert", "tls: failed to verify client certificate: x509: certificate has expired or is not yet valid: current time 2026-11-23T06:03:21Z is after 2026-11-22T06:03:21Z",
      { outcome: "rejected:expired", source: "local-verify" }],
    ["server: not-yet-valid client cert", "tls: failed to verify client certificate: x509: certificate has expired or is not yet valid: current time 2026-11-23T06:03:21Z is before 2026-11-24T06:03:21Z",
      { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["server: untrusted client cert", "tls: failed to verify client certificate: x509: certificate signed by unknown authority", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["server: serverAuth-only client cert", "tls: failed to verify client certificate: x509: certificate specifies an incompatible key usage",
      { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    // Go 1.19 alerts this as 42 bad_certificate, also under TLS 1.3: only its own text names the reason
    ["server: no client cert", "tls: client didn't provide a certificate", { outcome: "rejected:client-cert-required", source: "local-verify" }],
    ["server: plaintext client", "tls: first record does not look like a TLS handshake", { outcome: "rejected:protocol-version", source: "transport" }],
    ["server: client hung up (node client rejecting the server)", "EOF", { outcome: "unclassified", source: "transport" }],
    ["client: expired server", "handshake: x509: certificate has expired or is not yet valid: current time 2026-11-23T06:03:21Z is after 2026-11-22T06:03:21Z",
      { outcome: "rejected:expired", source: "local-verify" }],
    ["client: untrusted server", "handshake: x509: certificate signed by unknown authority", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["client: wrong name", "handshake: x509: certificate is valid for other.mesh.test, not api.mesh.test", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: wildcard two labels deep", "handshake: x509: certificate is valid for *.mesh.test, not a.db.mesh.test", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: CN-only cert", "handshake: x509: certificate relies on legacy Common Name field, use SANs instead", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: CN-only cert, other name", "handshake: x509: certificate is not valid for any names, but wanted to match other.mesh.test", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: wrong IP", "handshake: x509: certificate is valid for 127.0.10.1, not 127.0.10.2", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: foreign SPIFFE ID", "handshake: server identity spiffe://other.example/ns/default/sa/api is not the expected spiffe://cluster.local/ns/default/sa/api",
      { outcome: "rejected:identity-mismatch", source: "local-verify" }],
    ["client: strict node server, no client cert", "read: remote error: tls: certificate required", { outcome: "rejected:client-cert-required", source: "alert", alert: 116 }],
    ["client: Java server, no client cert", "read: remote error: tls: bad certificate", { outcome: "rejected:bad-certificate", source: "alert", alert: 42 }],
    // a Java server alerts every failed client-certificate path validation as 46 certificate_unknown
    ["client: Java server, expired client cert", "read: remote error: tls: unknown certificate", { outcome: "rejected:bad-certificate", source: "alert", alert: 46 }],
    ["client: refused", "connect: dial tcp 127.170.1.3:45347: connect: connection refused", { outcome: "connection-refused", source: "transport" }],
    ["client: silent server", "handshake: read tcp 127.0.0.1:37042->127.170.1.5:41031: i/o timeout", { outcome: "timeout", source: "transport" }],
    ["client: plaintext server", "handshake: tls: first record does not look like a TLS handshake", { outcome: "rejected:protocol-version", source: "transport" }],
    // crypto/tls alert.go's form for an alert it has no text for
    ["client: unnamed alert", "read: remote error: tls: alert(255)", { outcome: "unclassified", source: "alert", alert: 255 }],
    ["unknown text", "tls: a new kind of failure", { outcome: "unclassified", source: "unknown" }],
  ];

  it.each(rows)("%s", (_title, input, expected) => {
    const classification = classifyGoText(input as string);
    expect(classification).toMatchObject(expected);
    expect(classification.alert).toBe(expected.alert);
    expect(classification.raw).toBe((input as string).trim());
  });
});
