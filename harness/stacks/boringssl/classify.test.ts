import { describe, expect, it } from "vitest";
import type { Classification } from "../../core/outcome.js";
import { classifyBoringsslText } from "./classify.js";

type Row = [title: string, input: string, expected: Omit<Classification, "raw">];

// Measured on 127.x with the peer program of this folder (Debian's android-libboringssl
// 13.0.0+r24-2), the node prober or node:tls server on the other side unless a row says otherwise.
// Client rows carry the stage prefix the program prints ("handshake: ", "read: "); server rows are
// the text after "rejected: ".
describe("classifyBoringsslText", () => {
  const rows: Row[] = [
    // The verifier's first refusal decides, whichever certificate of the chain it was.
    ["client: expired server", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 45; verify: depth 0: certificate has expired (X509_V_ERR 10)", { outcome: "rejected:expired", source: "local-verify" }],
    ["client: not-yet-valid server", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 45; verify: depth 0: certificate is not yet valid (X509_V_ERR 9)", { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    // BoringSSL alerts a not-yet-valid certificate as certificate_expired: only the verify part tells them apart
    ["client: not-yet-valid intermediate", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 45; verify: depth 1: certificate is not yet valid (X509_V_ERR 9)", { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["client: expired root, the only one trusted", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 45; verify: depth 3: certificate has expired (X509_V_ERR 10)", { outcome: "rejected:expired", source: "local-verify" }],
    ["client: untrusted CA", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 48; verify: depth 0: unable to get local issuer certificate (X509_V_ERR 20)", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    // BoringSSL's 24 is OpenSSL 1.1's INVALID_CA (OpenSSL 3.0 renumbered it 79)
    ["client: issuer not a CA", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 48; verify: depth 1: invalid CA certificate (X509_V_ERR 24)", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["client: pathLen exceeded", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 48; verify: depth 2: path length constraint exceeded (X509_V_ERR 25)", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["client: server-only EKU missing", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 43; verify: depth 0: unsupported certificate purpose (X509_V_ERR 26)", { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["client: unknown critical extension", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 46; verify: depth 0: unhandled critical extension (X509_V_ERR 34)", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["client: outside the permitted DNS subtree", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 46; verify: depth 0: permitted subtree violation (X509_V_ERR 47)", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["client: inside an excluded subtree", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 46; verify: depth 0: excluded subtree violation (X509_V_ERR 48)", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["client: bad signature", "handshake: BAD_SIGNATURE; sent alert 51; verify: depth 0: certificate signature failure (X509_V_ERR 7)", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["client: wrong DNS name", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 42; verify: depth 0: Hostname mismatch (X509_V_ERR 62)", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: wrong IP SAN", "handshake: CERTIFICATE_VERIFY_FAILED; sent alert 42; verify: depth 0: IP address mismatch (X509_V_ERR 64)", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    // The handshake's own checks, no verifier code.
    ["client: ECDSA leaf without digitalSignature", "handshake: KEY_USAGE_BIT_INCORRECT; sent alert 47", { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["client: plaintext server", "handshake: WRONG_VERSION_NUMBER; sent alert 70", { outcome: "rejected:protocol-version", source: "transport" }],
    ["client: --expect-uri not met", "identity: server identity spiffe://other.example/ns/default/sa/api is not the expected spiffe://cluster.local/ns/default/sa/api", { outcome: "rejected:identity-mismatch", source: "local-verify" }],
    // The server's alerts, as the client receives them (against this folder's server or openssl s_server).
    ["client: Ed25519-only server (s_server found no signature algorithm)", "handshake: SSLV3_ALERT_HANDSHAKE_FAILURE; received alert 40", { outcome: "rejected:handshake-failure", source: "alert" }],
    ["client: its certificate revoked by the server", "read: SSLV3_ALERT_CERTIFICATE_REVOKED; received alert 44", { outcome: "rejected:revoked", source: "alert" }],
    ["client: no certificate for a server that requires one", "read: TLSV1_ALERT_CERTIFICATE_REQUIRED; received alert 116", { outcome: "rejected:client-cert-required", source: "alert" }],
    ["client: its certificate from an untrusted CA", "read: TLSV1_ALERT_UNKNOWN_CA; received alert 48", { outcome: "rejected:unknown-ca", source: "alert" }],
    ["client: nothing listens", "connect: Connection refused", { outcome: "connection-refused", source: "transport" }],
    // a listener that never answers, --timeout-ms 800
    ["client: the deadline", "handshake: timed out after 800 ms", { outcome: "timeout", source: "transport" }],
    // Server side.
    ["server: revoked client", "CERTIFICATE_VERIFY_FAILED; sent alert 44; verify: depth 0: certificate revoked (X509_V_ERR 23)", { outcome: "rejected:revoked", source: "local-verify" }],
    ["server: expired intermediate", "CERTIFICATE_VERIFY_FAILED; sent alert 45; verify: depth 1: certificate has expired (X509_V_ERR 10)", { outcome: "rejected:expired", source: "local-verify" }],
    ["server: client under root B, trust A only", "CERTIFICATE_VERIFY_FAILED; sent alert 48; verify: depth 1: unable to get local issuer certificate (X509_V_ERR 20)", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["server: no client certificate", "PEER_DID_NOT_RETURN_A_CERTIFICATE; sent alert 116", { outcome: "rejected:client-cert-required", source: "local-verify" }],
    ["server: ECDSA client leaf without digitalSignature", "KEY_USAGE_BIT_INCORRECT; sent alert 47", { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["server: TLS 1.0 client under --min-version TLSv1.2", "UNSUPPORTED_PROTOCOL; sent alert 70", { outcome: "rejected:protocol-version", source: "local-verify" }],
  ];

  it.each(rows)("%s", (_title, input, expected) => {
    expect(classifyBoringsslText(input)).toEqual({ ...expected, raw: input, ...(expected.source === "alert" ? { alert: Number(/received alert (\d+)/.exec(input)![1]) } : {}) });
  });

  // Our program's line for a server that closes without answering, and a reason no row produced.
  it("keeps a text it does not know unclassified, with the text", () => {
    expect(classifyBoringsslText("read: connection closed without a response")).toEqual({ outcome: "unclassified", raw: "read: connection closed without a response", source: "transport" });
    expect(classifyBoringsslText("handshake: DECODE_ERROR; sent alert 50")).toEqual({ outcome: "unclassified", raw: "handshake: DECODE_ERROR; sent alert 50", source: "unknown" });
  });
});
