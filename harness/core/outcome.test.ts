import { describe, it, expect } from "vitest";
import {
  classifyAlert,
  classifyNodeError,
  classifyVerifyCode,
  classifyVerifyText,
  isOutcome,
  rejectionReasons,
  tlsAlerts,
  type Classification,
  type Outcome,
} from "./outcome.js";

// Strings below marked "measured" were captured on 127.0.0.1 with node 20.20.2 (bundled OpenSSL 3.0)
// and the openssl 3.0.19 CLI, P-256 PKI, servers requiring a client cert (node: requestCert +
// rejectUnauthorized; openssl: s_server -Verify 1 -verify_return_error -www). "TLS 1.3 client" means
// the client's view of the server's verdict, read after the client sent its request.

const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("isOutcome", () => {
  it.each([
    ["accepted", true],
    ["rejected:expired", true],
    ["rejected:client-cert-required", true],
    ["plaintext-refused", true],
    ["unclassified", true],
    ["rejected:", false],
    ["rejected:sunspots", false],
    ["expired", false],
    ["Accepted", false],
  ])("%s -> %s", (text, expected) => {
    expect(isOutcome(text)).toBe(expected);
  });

  it("holds for every alert mapping and every rejection reason", () => {
    for (const alert of Object.values(tlsAlerts)) expect(isOutcome(alert.outcome)).toBe(true);
    for (const reason of rejectionReasons) expect(isOutcome(`rejected:${reason}`)).toBe(true);
  });
});

describe("classifyAlert", () => {
  it.each([
    [116, "rejected:client-cert-required"],
    [48, "rejected:unknown-ca"],
    [45, "rejected:expired"],
    [44, "rejected:revoked"],
    [42, "rejected:bad-certificate"],
    [43, "rejected:unsupported-certificate"],
    [40, "rejected:handshake-failure"],
    [70, "rejected:protocol-version"],
    [80, "unclassified"],
    [0, "unclassified"],
    [255, "unclassified"],
    [-1, "unclassified"],
  ])("alert %i -> %s", (code, expected) => {
    expect(classifyAlert(code)).toBe(expected);
  });
});

describe("classifyVerifyCode", () => {
  it.each([
    [10, "rejected:expired"],
    [9, "rejected:not-yet-valid"],
    [2, "rejected:unknown-ca"],
    [18, "rejected:unknown-ca"],
    [19, "rejected:unknown-ca"],
    [20, "rejected:unknown-ca"],
    [21, "rejected:unknown-ca"],
    [23, "rejected:revoked"],
    [26, "rejected:unsupported-certificate"],
    [62, "rejected:hostname-mismatch"],
    [64, "rejected:hostname-mismatch"],
    [0, "unclassified"],
    [3, "unclassified"],
    [9999, "unclassified"],
    ["10", "rejected:expired"],
    ["X509_V_ERR_CERT_NOT_YET_VALID", "rejected:not-yet-valid"],
    // node socket.authorizationError values, measured on a node server (rejectUnauthorized: false)
    ["CERT_HAS_EXPIRED", "rejected:expired"],
    ["CERT_NOT_YET_VALID", "rejected:not-yet-valid"],
    ["INVALID_PURPOSE", "rejected:unsupported-certificate"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "rejected:unknown-ca"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "rejected:unknown-ca"],
    ["UNABLE_TO_GET_ISSUER_CERT", "rejected:unknown-ca"], // also what node says when no cert was sent
    ["ERR_TLS_CERT_ALTNAME_INVALID", "rejected:hostname-mismatch"],
    ["CERT_GREEN", "unclassified"],
    ["", "unclassified"],
  ])("%s -> %s", (code, expected) => {
    expect(classifyVerifyCode(code)).toBe(expected);
  });
});

type Row = [title: string, input: unknown, expected: Omit<Classification, "raw">];

describe("classifyNodeError", () => {
  const rows: Row[] = [
    // measured, node 20 client: codes node has no name for arrive as UNSPECIFIED with OpenSSL's text
    ["name constraint (UNSPECIFIED)", nodeError("UNSPECIFIED", "permitted subtree violation"), { outcome: "rejected:bad-certificate", source: "local-verify" }],
    ["SHA-1 signature (UNSPECIFIED)", nodeError("UNSPECIFIED", "CA signature digest algorithm too weak"), { outcome: "rejected:bad-certificate", source: "local-verify" }],
    // measured, TLS 1.3 client, node server and s_server alike: no client cert
    ["no client cert (1.3)", nodeError("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "805C0CB7877F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n"),
      { outcome: "rejected:client-cert-required", source: "alert", alert: 116 }],
    // measured, TLS 1.2 client: no client cert (1.2 has no certificate_required)
    ["no client cert (1.2)", nodeError("ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "805C0CB7877F0000:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 40\n"),
      { outcome: "rejected:handshake-failure", source: "alert", alert: 40 }],
    // measured, TLS 1.3 client vs s_server: untrusted client cert
    ["untrusted client cert", nodeError("ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "803C876E547F0000:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 48\n"),
      { outcome: "rejected:unknown-ca", source: "alert", alert: 48 }],
    // measured, TLS 1.3 client vs s_server: expired client cert
    ["expired client cert", nodeError("ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED", "80CC31F4207F0000:error:0A000415:SSL routines:ssl3_read_bytes:sslv3 alert certificate expired:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 45\n"),
      { outcome: "rejected:expired", source: "alert", alert: 45 }],
    // measured, TLS 1.3 client vs s_server: not-yet-valid client cert; OpenSSL alerts it as bad_certificate
    ["not-yet-valid client cert", nodeError("ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE", "80BC2569F67F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 42\n"),
      { outcome: "rejected:bad-certificate", source: "alert", alert: 42 }],
    // measured, TLS 1.3 client vs s_server: client cert with serverAuth-only EKU
    ["serverAuth-only client cert", nodeError("ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE", "807C8E2BA97F0000:error:0A000413:SSL routines:ssl3_read_bytes:sslv3 alert unsupported certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 43\n"),
      { outcome: "rejected:unsupported-certificate", source: "alert", alert: 43 }],
    ["alert code without a message", { code: "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION" }, { outcome: "rejected:protocol-version", source: "alert", alert: 70 }],
    // measured, node server: client sent no cert
    ["server: no client cert", nodeError("ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE", "805C0CB7877F0000:error:0A0000C7:SSL routines:tls_process_client_certificate:peer did not return a certificate:../deps/openssl/openssl/ssl/statem/statem_srvr.c:3517:\n"),
      { outcome: "rejected:client-cert-required", source: "local-verify" }],
    // measured, node client verifying the server
    ["wrong hostname", nodeError("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames: Host: wrong.example. is not in the cert's altnames: IP Address:127.0.0.1, DNS:localhost"),
      { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["untrusted server", nodeError("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain"), { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["expired server", nodeError("CERT_HAS_EXPIRED", "certificate has expired"), { outcome: "rejected:expired", source: "local-verify" }],
    ["clientAuth-only server cert", nodeError("INVALID_PURPOSE", "unsuitable certificate purpose"), { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["authorizationError string", "CERT_NOT_YET_VALID", { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    // measured: TLS 1.3 server vs TLS 1.2-only client, both sides
    ["version mismatch (client)", nodeError("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "801C6DB6B27F0000:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 70\n"),
      { outcome: "rejected:protocol-version", source: "alert", alert: 70 }],
    ["version mismatch (server)", nodeError("ERR_SSL_UNSUPPORTED_PROTOCOL", "801C6DB6B27F0000:error:0A000102:SSL routines:tls_early_post_process_client_hello:unsupported protocol:../deps/openssl/openssl/ssl/statem/statem_srvr.c:1664:\n"),
      { outcome: "rejected:protocol-version", source: "local-verify" }],
    ["no shared cipher (server)", nodeError("ERR_SSL_NO_SHARED_CIPHER", "80ACA115677F0000:error:0A0000C1:SSL routines:tls_post_process_client_hello:no shared cipher:../deps/openssl/openssl/ssl/statem/statem_srvr.c:2226:"),
      { outcome: "rejected:handshake-failure", source: "local-verify" }],
    // measured: node client to a plaintext HTTP server, to a server sending 16 03 01 ff ff, and a node
    // TLS server reached by plaintext HTTP
    ["plaintext server", nodeError("ERR_SSL_WRONG_VERSION_NUMBER", "801C6DB6B27F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n"),
      { outcome: "rejected:protocol-version", source: "transport" }],
    ["huge record length", nodeError("ERR_SSL_PACKET_LENGTH_TOO_LONG", "80ECEAA9A97F0000:error:0A0000C6:SSL routines:ssl3_get_record:packet length too long:../deps/openssl/openssl/ssl/record/ssl3_record.c:379:"),
      { outcome: "rejected:protocol-version", source: "transport" }],
    ["server: plaintext client", nodeError("ERR_SSL_HTTP_REQUEST", "801C6DB6B27F0000:error:0A00009C:SSL routines:ssl3_get_record:http request:../deps/openssl/openssl/ssl/record/ssl3_record.c:341:\n"),
      { outcome: "rejected:protocol-version", source: "transport" }],
    ["refused", nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"), { outcome: "connection-refused", source: "transport" }],
    ["timed out", nodeError("ETIMEDOUT", "connect ETIMEDOUT 127.0.0.1:9"), { outcome: "timeout", source: "transport" }],
    // measured: tls.connect({ signal: AbortSignal.timeout(200) }) against a silent server
    ["abort by timeout signal", Object.assign(new Error("The operation was aborted"), { name: "AbortError", code: "ABORT_ERR", cause: new DOMException("The operation was aborted due to timeout", "TimeoutError") }),
      { outcome: "timeout", source: "transport" }],
    // measured: TLS 1.2 node client whose untrusted/expired cert a node server rejects (no alert sent),
    // and the node server's own view of it; the caller decides with more context
    ["node server hung up (client)", nodeError("ECONNRESET", "Client network socket disconnected before secure TLS connection was established"), { outcome: "unclassified", source: "transport" }],
    ["node server hung up (server)", nodeError("ECONNRESET", "socket hang up"), { outcome: "unclassified", source: "transport" }],
    ["broken pipe", nodeError("EPIPE", "write EPIPE"), { outcome: "unclassified", source: "transport" }],
    ["unknown code", nodeError("ERR_SOMETHING_NEW", "a new kind of failure"), { outcome: "unclassified", source: "unknown" }],
    ["not an error", 42, { outcome: "unclassified", source: "unknown" }],
  ];

  it.each(rows)("%s", (_title, input, expected) => {
    const classification = classifyNodeError(input);
    expect(classification).toMatchObject(expected);
    expect(classification.alert).toBe(expected.alert);
    expect(classification.raw).not.toBe("");
  });

  it("keeps the code and message as raw text", () => {
    expect(classifyNodeError(nodeError("ERR_SOMETHING_NEW", "a new kind of failure")).raw).toBe("ERR_SOMETHING_NEW: a new kind of failure");
  });
});

describe("classifyVerifyText", () => {
  it.each([
    // OpenSSL 3.0.19 X509_verify_cert_error_string(), as stunnel and curl print it
    ["certificate has expired", "rejected:expired"],
    ["certificate is not yet valid", "rejected:not-yet-valid"],
    ["unable to get local issuer certificate", "rejected:unknown-ca"],
    ["self-signed certificate", "rejected:unknown-ca"],
    ["self-signed certificate in certificate chain", "rejected:unknown-ca"],
    ["self signed certificate", "rejected:unknown-ca"], // OpenSSL 1.1's spelling
    ["unable to verify the first certificate", "rejected:unknown-ca"],
    ["unsuitable certificate purpose", "rejected:unsupported-certificate"],
    ["certificate revoked", "rejected:revoked"],
    ["hostname mismatch", "rejected:hostname-mismatch"],
    ["IP address mismatch", "rejected:hostname-mismatch"],
    // CRL state, not the certificate's (like code 3)
    ["unable to get certificate CRL", "unclassified"],
    [" certificate has expired \n", "rejected:expired"],
    ["Certificate Has Expired", "unclassified"],
    ["ok", "unclassified"],
    ["", "unclassified"],
  ])("%s -> %s", (text, expected) => {
    expect(classifyVerifyText(text)).toBe(expected);
  });
});


