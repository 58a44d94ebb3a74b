import { describe, expect, it } from "vitest";
import type { Classification } from "../../core/outcome.js";
import { classifyRustlsText } from "./classify.js";

type Row = [title: string, input: string, expected: Omit<Classification, "raw">];

// Measured on 127.x loopback with the peer program of this folder (rustls 0.20.8, webpki 0.22.0,
// Debian bookworm crates) against the node prober, node:tls server and openssl s_server/s_client
// 3.0 with the fixture certificates. Client rows carry the stage prefix the program prints.
describe("classifyRustlsText", () => {
  const rows: Row[] = [
    ["server: untrusted client cert", "invalid peer certificate contents: invalid peer certificate: UnknownIssuer", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["server: expired client cert", "invalid peer certificate contents: invalid peer certificate: CertExpired", { outcome: "rejected:expired", source: "local-verify" }],
    ["server: not-yet-valid client cert", "invalid peer certificate contents: invalid peer certificate: CertNotValidYet", { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["server: serverAuth-only client cert", "invalid peer certificate contents: invalid peer certificate: RequiredEkuNotFound", { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["server: unknown critical extension", "invalid peer certificate contents: invalid peer certificate: UnsupportedCriticalExtension", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["server: RSA-1024 client cert", "invalid peer certificate signature", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["server: no client cert (required)", "peer sent no certificates", { outcome: "rejected:client-cert-required", source: "local-verify" }],
    ["server: TLS 1.0 client", "peer is incompatible: client didn't describe signature schemes", { outcome: "rejected:protocol-version", source: "local-verify" }],
    ["server: identity not on the allow-list", "not authorized: client identity spiffe://cluster.local/ns/default/sa/intruder is not one of spiffe://cluster.local/ns/default/sa/web", { outcome: "rejected:not-authorized", source: "local-verify" }],
    ["client: untrusted server", "handshake: invalid peer certificate contents: invalid peer certificate: UnknownIssuer", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["client: wrong name, CN-only", "handshake: invalid peer certificate contents: invalid peer certificate: CertNotValidForName", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: expired server", "handshake: invalid peer certificate contents: invalid peer certificate: CertExpired", { outcome: "rejected:expired", source: "local-verify" }],
    ["client: wildcard not the whole left-most label", "handshake: invalid peer certificate encoding", { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["client: other SPIFFE ID", "handshake: unexpected error: server identity spiffe://other.example/ns/default/sa/api is not the expected spiffe://cluster.local/ns/default/sa/api", { outcome: "rejected:identity-mismatch", source: "local-verify" }],
    ["client: plaintext server", "handshake: received corrupt message", { outcome: "rejected:protocol-version", source: "transport" }],
    ["client: openssl server missing a client cert (TLS 1.3)", "read: received fatal alert: CertificateRequired", { outcome: "rejected:client-cert-required", source: "alert" }],
    ["client: closed port", "connect: Connection refused (os error 111)", { outcome: "connection-refused", source: "transport" }],
    ["unknown text", "something else", { outcome: "unclassified", source: "unknown" }],
  ];
  it.each(rows)("%s", (_title, input, expected) => {
    expect(classifyRustlsText(input)).toMatchObject({ ...expected, raw: input });
  });
});
