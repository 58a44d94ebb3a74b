import { describe, expect, it } from "vitest";
import type { Classification } from "../../core/outcome.js";
import { classifyMbedtlsText } from "./classify.js";

type Row = [title: string, input: string, expected: Omit<Classification, "raw">];

// Measured on 127.0.0.1 with the peer program of this folder (Debian's mbedTLS 2.28.3-1), the node
// prober or node:tls server on the other side unless a row says otherwise. Client rows carry the
// stage prefix the program prints ("handshake: "); server rows are the text after "rejected: ".
const verifyFailed = "X509 - Certificate verification failed, e.g. CRL, CA or signature check failed (-0x2700)";

describe("classifyMbedtlsText", () => {
  const rows: Row[] = [
    // The verify result's flags decide, whichever certificate of the chain set them.
    ["client: expired leaf", `handshake: ${verifyFailed}; verify: depth 0: 0x01 The certificate validity has expired; result: 0x01`, { outcome: "rejected:expired", source: "local-verify" }],
    ["client: expired intermediate", `handshake: ${verifyFailed}; verify: depth 1: 0x01 The certificate validity has expired; result: 0x01`, { outcome: "rejected:expired", source: "local-verify" }],
    ["client: the only trusted root expired", `handshake: ${verifyFailed}; verify: depth 3: 0x01 The certificate validity has expired; result: 0x01`, { outcome: "rejected:expired", source: "local-verify" }],
    ["client: not-yet-valid leaf", `handshake: ${verifyFailed}; verify: depth 0: 0x200 The certificate validity starts in the future; result: 0x200`, { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["client: under a not-yet-valid issuer", `handshake: ${verifyFailed}; verify: depth 1: 0x200 The certificate validity starts in the future; result: 0x200`, { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["client: untrusted CA", `handshake: ${verifyFailed}; verify: depth 0: 0x08 The certificate is not correctly signed by the trusted CA; result: 0x08`, { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["client: pathLen exceeded", `handshake: ${verifyFailed}; verify: depth 1: 0x08 The certificate is not correctly signed by the trusted CA; result: 0x08`, { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["client: wrong name", `handshake: ${verifyFailed}; verify: depth 0: 0x04 The certificate Common Name (CN) does not match with the expected CN; result: 0x04`, { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: SHA-1 signed leaf", `handshake: ${verifyFailed}; verify: depth 0: 0x4000 The certificate is signed with an unacceptable hash.; result: 0x4000`, { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["server: RSA-1024 client", `${verifyFailed}; verify: depth 0: 0x10000 The certificate is signed with an unacceptable key (eg bad curve, RSA too short).; result: 0x10000`, { outcome: "rejected:bad-certificate", source: "local-verify" }],
    // a date outranks the trust failure the same chain shows (flags are ORed over the chain):
    // an expired leaf against a trust bundle of another root (measured against openssl s_server)
    ["client: expired and untrusted", `handshake: ${verifyFailed}; verify: depth 1: 0x08 The certificate is not correctly signed by the trusted CA; depth 0: 0x01 The certificate validity has expired; result: 0x09`, { outcome: "rejected:expired", source: "local-verify" }],
    // the usage checks run after the chain's: only the result carries their flag
    ["client: clientAuth-only server", "handshake: SSL - Processing of the Certificate handshake message failed (-0x7A00); result: 0x1000", { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["server: keyUsage without digitalSignature", "SSL - Processing of the Certificate handshake message failed (-0x7A00); result: 0x800", { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["server: revoked client", `${verifyFailed}; verify: depth 0: 0x02 The certificate has been revoked (is on a CRL); result: 0x02`, { outcome: "rejected:revoked", source: "local-verify" }],
    // an unknown critical extension (name constraints among them) fails the parse, before any flag
    ["client: critical name constraints", "handshake: X509 - The extension tag or value is invalid : ASN1 - ASN1 tag was of an unexpected value (-0x2562)", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["server: no client cert", "SSL - No client certification received from the client, but required by the authentication mode (-0x7480); result: 0x40", { outcome: "rejected:client-cert-required", source: "local-verify" }],
    ["server: TLS 1.0 client under the 1.2 floor", "SSL - Handshake protocol not within min/max boundaries (-0x6E80)", { outcome: "rejected:protocol-version", source: "local-verify" }],
    ["server: TLS 1.3-only client", "SSL - The server has no ciphersuites in common with the client (-0x7380)", { outcome: "rejected:handshake-failure", source: "local-verify" }],
    ["client: TLS 1.3-only server", "handshake: SSL - A fatal alert message was received from our peer (-0x7780), received alert 70", { outcome: "rejected:protocol-version", source: "alert", alert: 70 }],
    ["client: Ed25519-only server", "handshake: SSL - A fatal alert message was received from our peer (-0x7780), received alert 40", { outcome: "rejected:handshake-failure", source: "alert", alert: 40 }],
    ["client: plaintext server", "handshake: SSL - An invalid SSL record was received (-0x7200)", { outcome: "rejected:protocol-version", source: "transport" }],
    // against a socket that accepts, then closes or says nothing (measured with a python3 listener)
    // our own check of --expect-uri (our mbedTLS server, whose certificate carries another SPIFFE ID)
    ["client: another SPIFFE ID", "identity: server identity spiffe://cluster.local/ns/default/sa/api is not the expected spiffe://cluster.local/ns/default/sa/other", { outcome: "rejected:identity-mismatch", source: "local-verify" }],
    ["client: refused", "connect: Connection refused", { outcome: "connection-refused", source: "transport" }],
    ["client: silent server", "handshake: timed out after 1000 ms", { outcome: "timeout", source: "transport" }],
    ["client: server closed during the handshake", "handshake: NET - Connection was reset by peer (-0x0050)", { outcome: "unclassified", source: "transport" }],
    ["server: the client closed at once", "SSL - The connection indicated an EOF (-0x7280)", { outcome: "unclassified", source: "transport" }],
    ["server: a plaintext client", "SSL - Processing of the ClientHello handshake message failed (-0x7900)", { outcome: "unclassified", source: "unknown" }],
    ["unknown text", "a new kind of failure (-0x9999)", { outcome: "unclassified", source: "unknown" }],
  ];

  it.each(rows)("%s", (_title, input, expected) => {
    const classification = classifyMbedtlsText(input);
    expect(classification).toMatchObject(expected);
    expect(classification.alert).toBe(expected.alert);
    expect(classification.raw).toBe(input.trim());
  });
});
