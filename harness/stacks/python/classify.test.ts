import { describe, expect, it } from "vitest";
import type { Classification } from "../../core/outcome.js";
import { classifyPythonText } from "./classify.js";

type Row = [title: string, input: string, expected: Omit<Classification, "raw">];

// Measured on 127.0.0.1 with tlspeer.py (this folder; Python 3.11.7 and Debian's 3.11.2, both on
// OpenSSL 3.0.19), TLS 1.3, against the fixture PKI (harness/fixtures), the other side being
// tlspeer.py, the node prober or node:tls server, or the Go peer where a row says so. Client rows
// carry the stage prefix the program prints ("handshake: ", "read: ", "connect: ").
describe("classifyPythonText", () => {
  const rows: Row[] = [
    // Measured in the python image (Debian's OpenSSL 3.0.22) against a TLS 1.0-only reference server.
    ["client: legacy signature of an old server", "handshake: [SSL] legacy sigalg disallowed or unsupported (_ssl.c:992)", { outcome: "rejected:handshake-failure", source: "local-verify" }],
    ["server: no client cert", "[SSL: PEER_DID_NOT_RETURN_A_CERTIFICATE] peer did not return a certificate (_ssl.c:1006)", { outcome: "rejected:client-cert-required", source: "local-verify" }],
    ["server: expired client cert", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)", { outcome: "rejected:expired", source: "local-verify" }],
    ["server: not-yet-valid client cert", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate is not yet valid (_ssl.c:1006)", { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["server: untrusted client cert", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["server: self-signed client cert", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["server: serverAuth-only client cert", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unsuitable certificate purpose (_ssl.c:1006)", { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["server: revoked client cert (CRL)", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate revoked (_ssl.c:1006)", { outcome: "rejected:revoked", source: "local-verify" }],
    ["server: plaintext client", "[SSL: HTTP_REQUEST] http request (_ssl.c:1006)", { outcome: "rejected:protocol-version", source: "transport" }],
    ["server: client rejected the server and alerted", "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca (_ssl.c:1006)", { outcome: "rejected:unknown-ca", source: "alert", alert: 48 }],
    ["server: client hung up (node client rejecting the name)", "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol (_ssl.c:1006)", { outcome: "unclassified", source: "transport" }],
    ["client: expired server", "handshake: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)", { outcome: "rejected:expired", source: "local-verify" }],
    ["client: not-yet-valid server", "handshake: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate is not yet valid (_ssl.c:1006)", { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["client: untrusted server", "handshake: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    // Modules/_ssl.c words the two name mismatches itself, quoting the name asked for
    ["client: wrong name", "handshake: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'api.mesh.test'. (_ssl.c:1006)", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: wildcard two labels deep", "handshake: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'a.db.mesh.test'. (_ssl.c:1006)", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: wrong IP", "handshake: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: IP address mismatch, certificate is not valid for '127.0.10.2'. (_ssl.c:1006)", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: foreign SPIFFE ID", "handshake: server identity spiffe://other.example/ns/default/sa/api is not the expected spiffe://cluster.local/ns/default/sa/api", { outcome: "rejected:identity-mismatch", source: "local-verify" }],
    ["client: strict python server, no client cert", "read: [SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required (_ssl.c:2580)", { outcome: "rejected:client-cert-required", source: "alert", alert: 116 }],
    ["client: python server, expired client cert", "read: [SSL: SSLV3_ALERT_CERTIFICATE_EXPIRED] sslv3 alert certificate expired (_ssl.c:2580)", { outcome: "rejected:expired", source: "alert", alert: 45 }],
    ["client: python server, untrusted client cert", "read: [SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca (_ssl.c:2580)", { outcome: "rejected:unknown-ca", source: "alert", alert: 48 }],
    ["client: python server, serverAuth-only client cert", "read: [SSL: SSLV3_ALERT_UNSUPPORTED_CERTIFICATE] sslv3 alert unsupported certificate (_ssl.c:2580)", { outcome: "rejected:unsupported-certificate", source: "alert", alert: 43 }],
    // Go 1.19 alerts every client-certificate failure as 42 (stacks/go/adapter.ts)
    ["client: Go server, no client cert", "read: [SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate (_ssl.c:2580)", { outcome: "rejected:bad-certificate", source: "alert", alert: 42 }],
    ["client: refused", "connect: [Errno 111] Connection refused", { outcome: "connection-refused", source: "transport" }],
    ["client: silent server", "handshake: _ssl.c:989: The handshake operation timed out", { outcome: "timeout", source: "transport" }],
    ["client: plaintext server", "handshake: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)", { outcome: "rejected:protocol-version", source: "transport" }],
    ["unknown text", "[SSL: A_NEW_REASON] a new kind of failure (_ssl.c:1006)", { outcome: "unclassified", source: "unknown" }],
  ];

  it.each(rows)("%s", (_title, input, expected) => {
    const classification = classifyPythonText(input);
    expect(classification).toMatchObject(expected);
    expect(classification.alert).toBe(expected.alert);
    expect(classification.raw).toBe(input.trim());
  });
});
