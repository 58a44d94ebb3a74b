import { describe, expect, it } from "vitest";
import type { Classification } from "../../core/outcome.js";
import { classifyBotanText } from "./classify.js";

type Row = [title: string, input: string, expected: Omit<Classification, "raw">];

// Measured with botan 2.19.3 (Debian bookworm) `botan tls_client NAME --port=P --skip-system-cert-store
// --trusted-cas=trust-a.bundle.pem` under pin-host.so, against openssl s_server and the fixture PKI.
describe("classifyBotanText", () => {
  const rows: Row[] = [
    // Chain rules (harness/scenarios/chain.ts), measured with 2.19.3 against the node reference server.
    ["name constraint violated", "Certificate validation status: Certificate does not pass name constraint", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["issuer with cA FALSE or no keyCertSign", "Certificate validation status: CA certificate not allowed to issue certs", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["pathLen exceeded", "Certificate validation status: Certificate chain too long", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["unknown critical extension", "Certificate validation status: Unknown critical extension encountered", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["SHA-1 signature", "Certificate validation status: Hash function used is considered too weak for security", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["corrupt signature", "Certificate validation status: Signature error", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["clientAuth-only server certificate", "Certificate validation status: Certificate does not allow the requested usage", { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["RSA-1024 server key", "Error: Peer sent 1024 bit RSA key, policy requires at least 2048", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    // tls_client prints the verdict and carries on: the server's answer follows it in the output.
    ["expired server", "pin-host: api.mesh.test -> 127.0.10.2\nCertificate validation status: Certificate has expired\nHandshake complete, TLS v1.2 using ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256\nHTTP/1.0 200 ok", { outcome: "rejected:expired", source: "local-verify" }],
    ["not-yet-valid server", "Certificate validation status: Certificate is not yet valid", { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["expired intermediate", "Certificate validation status: Certificate has expired", { outcome: "rejected:expired", source: "local-verify" }],
    ["server under another root", "Certificate validation status: Certificate issuer not found", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["self-signed server certificate", "Certificate validation status: Cannot establish trust", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["wrong name", "Certificate validation status: Certificate does not match provided name", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client certificate required (s_server -Verify 1)", "Certificate validation status: Verified\nAlert: handshake_failure", { outcome: "rejected:handshake-failure", source: "alert", alert: 40 }],
    ["refused", "pin-host: api.mesh.test -> 127.0.10.3\nError: connect failed", { outcome: "connection-refused", source: "transport" }],
    ["plaintext server", "pin-host: api.mesh.test -> 127.0.10.2\nError: Got unexpected TLS record version", { outcome: "rejected:protocol-version", source: "transport" }],
    ["orderly close only", "Certificate validation status: Verified\nAlert: close_notify\nEOF on socket", { outcome: "unclassified", source: "unknown" }],
  ];
  it.each(rows)("%s", (_title, input, expected) => {
    const classification = classifyBotanText(input);
    expect(classification).toMatchObject(expected);
    expect(classification.alert).toBe(expected.alert);
  });
});
