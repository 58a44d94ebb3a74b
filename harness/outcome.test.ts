import { describe, it, expect } from "vitest";
import {
  classifyAlert,
  classifyGnutlsText,
  classifyHaproxyLog,
  classifyNginxLog,
  classifyNodeError,
  classifyOpensslText,
  classifyVerifyCode,
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

describe("classifyOpensslText", () => {
  const rows: Row[] = [
    // measured, s_client (TLS 1.3) vs s_server: no client cert; note the "Verify return code: 0 (ok)"
    // that precedes it is about the server cert, not evidence
    ["s_client: no client cert", "Verify return code: 0 (ok)\n40D7BF6EA17F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n",
      { outcome: "rejected:client-cert-required", source: "alert", alert: 116 }],
    ["s_client: not-yet-valid client cert", "407798BA0B7F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../ssl/record/rec_layer_s3.c:1601:SSL alert number 42",
      { outcome: "rejected:bad-certificate", source: "alert", alert: 42 }],
    ["alert reason without number", "error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:", { outcome: "rejected:unknown-ca", source: "alert", alert: 48 }],
    // measured, s_server logs
    ["s_server: expired client cert", "depth=1 CN = root\nverify return:1\ndepth=0 CN = expired\nverify error:num=10:certificate has expired\nnotAfter=Feb  1 00:00:00 2024 GMT\n40B709BC5F7F0000:error:0A000086:SSL routines:tls_process_client_certificate:certificate verify failed:../ssl/statem/statem_srvr.c:3530:",
      { outcome: "rejected:expired", source: "local-verify" }],
    ["s_server: not-yet-valid client cert", "depth=0 CN = notyet\nverify error:num=9:certificate is not yet valid\nnotBefore=Jan  1 00:00:00 2099 GMT\n40978A5F927F0000:error:0A000086:SSL routines:tls_process_client_certificate:certificate verify failed:../ssl/statem/statem_srvr.c:3530:",
      { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["s_server: serverAuth-only client cert", "depth=0 CN = serverEku\nverify error:num=26:unsuitable certificate purpose\n40570981717F0000:error:0A000086:SSL routines:tls_process_client_certificate:certificate verify failed:../ssl/statem/statem_srvr.c:3530:",
      { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["s_server: untrusted client cert", "depth=0 CN = untrusted\nverify error:num=20:unable to get local issuer certificate\n4097F1E0B27F0000:error:0A000086:SSL routines:tls_process_client_certificate:certificate verify failed:../ssl/statem/statem_srvr.c:3530:",
      { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["s_server: no client cert", "4037A2181E7F0000:error:0A0000C7:SSL routines:tls_process_client_certificate:peer did not return a certificate:../ssl/statem/statem_srvr.c:3517:",
      { outcome: "rejected:client-cert-required", source: "local-verify" }],
    ["s_server: plaintext client", "40E798B4567F0000:error:0A00009C:SSL routines:ssl3_get_record:http request:../ssl/record/ssl3_record.c:341:", { outcome: "rejected:protocol-version", source: "transport" }],
    // measured, s_client -verify_return_error verifying the server; the local verify error beats
    // everything after it
    ["s_client: wrong hostname", "verify error:num=62:hostname mismatch\n40078A1B317F0000:error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889:\nVerify return code: 62 (hostname mismatch)",
      { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["s_client: wrong IP", "verify error:num=64:IP address mismatch", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["s_client: verify error beats a later alert", "verify error:num=21:unable to verify the first certificate\nerror:0A000415:SSL routines:ssl3_read_bytes:sslv3 alert certificate expired:SSL alert number 45",
      { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["openssl verify: expired", "CN = expired\nerror 10 at 0 depth lookup: certificate has expired\nerror expired.crt: verification failed", { outcome: "rejected:expired", source: "local-verify" }],
    ["s_client: version mismatch", "408764E78C7F0000:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:../ssl/record/rec_layer_s3.c:1601:SSL alert number 70",
      { outcome: "rejected:protocol-version", source: "alert", alert: 70 }],
    ["s_client: plaintext server", "40E715C77A7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:350:\nVerify return code: 0 (ok)",
      { outcome: "rejected:protocol-version", source: "transport" }],
    ["s_client: refused", "4087A888A77F0000:error:8000006F:system library:BIO_connect:Connection refused:../crypto/bio/bio_sock2.c:117:calling connect()\n4087A888A77F0000:error:10000067:BIO routines:BIO_connect:connect error:../crypto/bio/bio_sock2.c:119:\nconnect:errno=111",
      { outcome: "connection-refused", source: "transport" }],
    // measured: s_client whose untrusted client cert a node server rejects by closing (1.3, then 1.2)
    ["s_client: node server reset", "read:errno=104", { outcome: "unclassified", source: "transport" }],
    ["s_client: node server closed", "40270ACB6C7F0000:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:../ssl/record/rec_layer_s3.c:318:",
      { outcome: "unclassified", source: "transport" }],
    ["successful handshake is not evidence", "depth=0 CN = server\nverify return:1\nVerify return code: 0 (ok)\nHTTP/1.0 200 ok", { outcome: "unclassified", source: "unknown" }],
    ["unknown SSL reason", "4047:error:0A0000FF:SSL routines:tls_frobnicate:frobnication failed:x.c:1:", { outcome: "unclassified", source: "unknown" }],
    ["empty", "", { outcome: "unclassified", source: "unknown" }],
  ];

  it.each(rows)("%s", (_title, input, expected) => {
    const classification = classifyOpensslText(input as string);
    expect(classification).toMatchObject(expected);
    expect(classification.alert).toBe(expected.alert);
    expect(classification.raw).toBe((input as string).trim());
  });
});

// Measured with the container images (Debian bookworm: gnutls-bin 3.7.9, nginx 1.22.1, haproxy 2.6.12),
// the node prober or openssl s_client on the other side.
describe("classifyGnutlsText", () => {
  const rows: Array<[string, string, Partial<Classification>]> = [
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

describe("classifyNginxLog", () => {
  const rows: Array<[string, string, Outcome | undefined]> = [
    ["expired client cert", "2026/11/23 05:50:01 [info] 12#12: *3 client SSL certificate verify error: (10:certificate has expired) while reading client request headers, client: 127.0.0.1", "rejected:expired"],
    ["not-yet-valid client cert", "[info] 12#12: *5 client SSL certificate verify error: (9:certificate is not yet valid) while reading client request headers", "rejected:not-yet-valid"],
    ["untrusted client cert", "[info] 12#12: *7 client SSL certificate verify error: (20:unable to get local issuer certificate) while reading client request headers", "rejected:unknown-ca"],
    ["revoked client cert", "[info] 12#12: *9 client SSL certificate verify error: (23:certificate revoked) while reading client request headers", "rejected:revoked"],
    ["no client cert", "[info] 12#12: *11 client sent no required SSL certificate while reading client request headers", "rejected:client-cert-required"],
    ["an accepted request", "mtls-access 200 TLSv1.3 TLS_AES_256_GCM_SHA384 verify=SUCCESS", undefined],
  ];
  it.each(rows)("%s", (_title, input, expected) => {
    expect(classifyNginxLog(input)?.outcome).toBe(expected);
  });
});

describe("classifyHaproxyLog", () => {
  it("keeps haproxy's handshake errors raw: they carry no verify code", () => {
    const line = "127.0.0.1:40330 [23/Nov/2026:05:54:53.884] tls/1: SSL client certificate not trusted";
    expect(classifyHaproxyLog(line)).toEqual({ outcome: "unclassified", raw: "SSL client certificate not trusted", source: "local-verify" });
    expect(classifyHaproxyLog("127.0.0.1:40342 [23/Nov/2026:05:54:53.969] tls/1: SSL handshake failure")?.outcome).toBe("unclassified");
    expect(classifyHaproxyLog('127.0.0.1:40324 [23/Nov/2026:05:54:53.848] tls~ tls/<NOSRV> 0/-1/-1/-1/0 200 73 - - LR-- 1/1/0/0/0 0/0 "GET / HTTP/1.0"')).toBeUndefined();
  });
});

import { classifyCurlText, classifyStunnelLog, classifyVerifyText } from "./outcome.js";

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

// Measured with stunnel 5.68 (Debian bookworm, OpenSSL 3.0.19, debug = info) requiring a client
// certificate, the node prober or curl on the other side (TLS 1.3).
describe("classifyStunnelLog", () => {
  const rejectedBy = (reason: string) =>
    `2026.11.23 06:22:16 LOG6[1]: Certificate accepted at depth=1: CN=mtls-conformance Issuer A\n2026.11.23 06:22:16 LOG4[1]: CERT: Pre-verification error: ${reason}\n2026.11.23 06:22:16 LOG4[1]: Rejected by CERT at depth=0: CN=client\n2026.11.23 06:22:16 LOG3[1]: SSL_accept: ../ssl/statem/statem_srvr.c:3530: error:0A000086:SSL routines::certificate verify failed\n2026.11.23 06:22:16 LOG5[1]: Connection reset/closed: 0 byte(s) sent to TLS, 0 byte(s) sent to socket`;
  const rows: Array<[string, string, Partial<Classification> | undefined]> = [
    ["expired client cert", rejectedBy("certificate has expired"), { outcome: "rejected:expired", source: "local-verify", raw: "CERT: Pre-verification error: certificate has expired" }],
    ["not-yet-valid client cert", rejectedBy("certificate is not yet valid"), { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["untrusted client cert, or no intermediate", rejectedBy("unable to get local issuer certificate"), { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["self-signed client cert", rejectedBy("self-signed certificate"), { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["serverAuth-only client cert", rejectedBy("unsuitable certificate purpose"), { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["revoked client cert", rejectedBy("certificate revoked"), { outcome: "rejected:revoked", source: "local-verify" }],
    // CRLfile without the issuer's CRL: the CRL's state, not the certificate's
    ["CRL missing for the issuer", rejectedBy("unable to get certificate CRL"), { outcome: "unclassified", source: "local-verify" }],
    ["no client cert", "2026.11.23 06:22:16 LOG6[8]: Peer certificate required\n2026.11.23 06:22:16 LOG3[8]: SSL_accept: ../ssl/statem/statem_srvr.c:3517: error:0A0000C7:SSL routines::peer did not return a certificate\n2026.11.23 06:22:16 LOG5[8]: Connection reset/closed: 0 byte(s) sent to TLS, 0 byte(s) sent to socket",
      { outcome: "rejected:client-cert-required", source: "local-verify", raw: "SSL_accept: ../ssl/statem/statem_srvr.c:3517: error:0A0000C7:SSL routines::peer did not return a certificate" }],
    // the node prober hanging up after it rejected stunnel's certificate (wrong name)
    ["client hung up", "LOG3[4]: SSL_accept: ../ssl/record/rec_layer_s3.c:318: error:0A000126:SSL routines::unexpected eof while reading", { outcome: "unclassified", source: "transport" }],
    ["an accepted connection is not a rejection", "LOG5[0]: Certificate accepted at depth=0: CN=client\nLOG6[0]: TLSv1.3 ciphersuite: TLS_AES_256_GCM_SHA384 (256-bit encryption)\nLOG5[0]: Connection closed: 578 byte(s) sent to TLS, 83 byte(s) sent to socket", undefined],
  ];
  it.each(rows)("%s", (_title, input, expected) => {
    const classification = classifyStunnelLog(input);
    if (expected === undefined) expect(classification).toBeUndefined();
    else expect(classification).toMatchObject(expected);
  });
});

// Measured with curl 7.88.1 (Debian bookworm, OpenSSL 3.0.19) as `curl -sS -v`, against the node
// reference server, openssl s_server, stunnel and caddy; a (60) is curl's own verdict on the server.
describe("classifyCurlText", () => {
  const rows: Row[] = [
    // the whole -v output: only the closing "curl: (N)" line decides, not the alert curl sent
    ["expired server (-v output)", "* TLSv1.3 (IN), TLS handshake, Certificate (11):\n{ [956 bytes data]\n* TLSv1.3 (OUT), TLS alert, certificate expired (557):\n} [2 bytes data]\n* SSL certificate problem: certificate has expired\n* Closing connection 0\ncurl: (60) SSL certificate problem: certificate has expired\nMore details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it.",
      { outcome: "rejected:expired", source: "local-verify" }],
    ["not-yet-valid server", "curl: (60) SSL certificate problem: certificate is not yet valid", { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["untrusted server", "curl: (60) SSL certificate problem: unable to get local issuer certificate", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["wrong name", "curl: (60) SSL: no alternative certificate subject name matches target host name 'api.mesh.test'", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["wrong IP", "curl: (60) SSL: no alternative certificate subject name matches target host name '127.0.10.2'", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    // a client certificate the server (stunnel) refused, read as the alert on curl's first read
    ["expired client cert", "curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000415:SSL routines::sslv3 alert certificate expired, errno 0", { outcome: "rejected:expired", source: "alert", alert: 45 }],
    ["not-yet-valid client cert", "curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000412:SSL routines::sslv3 alert bad certificate, errno 0", { outcome: "rejected:bad-certificate", source: "alert", alert: 42 }],
    ["untrusted client cert", "curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000418:SSL routines::tlsv1 alert unknown ca, errno 0", { outcome: "rejected:unknown-ca", source: "alert", alert: 48 }],
    ["plaintext server", "curl: (35) OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number", { outcome: "rejected:protocol-version", source: "transport" }],
    ["refused", "curl: (7) Failed to connect to 127.9.0.9 port 1 after 0 ms: Couldn't connect to server", { outcome: "connection-refused", source: "transport" }],
    ["silent server", "curl: (28) Connection timed out after 1000 milliseconds", { outcome: "timeout", source: "transport" }],
    // a server that hung up on a rejected client certificate before curl read its alert (caddy over h2, stunnel)
    ["reset while sending", "curl: (16) Send failure: Connection reset by peer", { outcome: "unclassified", source: "transport" }],
    ["gone before the request", "curl: (55) getpeername() failed with errno 107: Transport endpoint is not connected", { outcome: "unclassified", source: "transport" }],
    ["no error line", "* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384\n< HTTP/1.0 200 OK", { outcome: "unclassified", source: "unknown" }],
  ];
  it.each(rows)("%s", (_title, input, expected) => {
    const classification = classifyCurlText(input as string);
    expect(classification).toMatchObject(expected);
    expect(classification.alert).toBe(expected.alert);
  });
});

import { classifyGoText, classifyJavaText } from "./outcome.js";

// Measured on 127.0.0.1 with the peer programs of harness/peers (Go 1.19.8 crypto/tls, OpenJDK
// 17.0.15 JSSE), TLS 1.3, the node prober or node:tls server on the other side unless a row says
// otherwise. Client rows carry the stage prefix the programs print ("handshake: ", "read: ").
describe("classifyGoText", () => {
  const rows: Row[] = [
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

describe("classifyJavaText", () => {
  const rows: Row[] = [
    // The top-level message is the same for both ends of the validity period: the cause decides.
    ["server: expired client cert", "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed <- caused by sun.security.validator.ValidatorException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed <- caused by java.security.cert.CertificateExpiredException: NotAfter: Sun Nov 22 06:03:21 UTC 2026",
      { outcome: "rejected:expired", source: "local-verify" }],
    ["server: not-yet-valid client cert", "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed <- caused by sun.security.validator.ValidatorException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed <- caused by java.security.cert.CertificateNotYetValidException: NotBefore: Tue Nov 24 06:03:21 UTC 2026",
      { outcome: "rejected:not-yet-valid", source: "local-verify" }],
    ["server: untrusted client cert", "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target <- caused by sun.security.validator.ValidatorException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
      { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["server: serverAuth-only client cert", "javax.net.ssl.SSLHandshakeException: Extended key usage does not permit use for TLS client authentication <- caused by sun.security.validator.ValidatorException: Extended key usage does not permit use for TLS client authentication",
      { outcome: "rejected:unsupported-certificate", source: "local-verify" }],
    ["server: no client cert", "javax.net.ssl.SSLHandshakeException: Empty client certificate chain", { outcome: "rejected:client-cert-required", source: "local-verify" }],
    ["server: revoked client cert", "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: Certificate has been revoked, reason: KEY_COMPROMISE, revocation date: Sun Nov 22 06:07:45 UTC 2026, authority: CN=mtls-conformance Issuer A, extension OIDs: [2.5.29.21] <- caused by sun.security.validator.ValidatorException: PKIX path validation failed: java.security.cert.CertPathValidatorException: Certificate has been revoked, reason: KEY_COMPROMISE, revocation date: Sun Nov 22 06:07:45 UTC 2026, authority: CN=mtls-conformance Issuer A, extension OIDs: [2.5.29.21] <- caused by java.security.cert.CertificateRevokedException: Certificate has been revoked, reason: KEY_COMPROMISE, revocation date: Sun Nov 22 06:07:45 UTC 2026, authority: CN=mtls-conformance Issuer A, extension OIDs: [2.5.29.21]",
      { outcome: "rejected:revoked", source: "local-verify" }],
    // no CRL for an issuer in the chain: CRL state, not the certificate's (like OpenSSL's code 3)
    ["server: CRL missing for the root", "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: Could not determine revocation status <- caused by sun.security.validator.ValidatorException: PKIX path validation failed: java.security.cert.CertPathValidatorException: Could not determine revocation status",
      { outcome: "unclassified", source: "unknown" }],
    ["server: plaintext client", "javax.net.ssl.SSLException: Unsupported or unrecognized SSL message", { outcome: "rejected:protocol-version", source: "transport" }],
    ["server: client hung up (node client rejecting the server)", "javax.net.ssl.SSLHandshakeException: Remote host terminated the handshake <- caused by java.io.EOFException: SSL peer shut down incorrectly",
      { outcome: "unclassified", source: "transport" }],
    ["client: expired server", "handshake: javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed <- caused by sun.security.validator.ValidatorException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed <- caused by java.security.cert.CertificateExpiredException: NotAfter: Sun Nov 22 06:03:21 UTC 2026",
      { outcome: "rejected:expired", source: "local-verify" }],
    ["client: wrong name", "handshake: javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching api.mesh.test found. <- caused by java.security.cert.CertificateException: No subject alternative DNS name matching api.mesh.test found.",
      { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: CN-only cert, other name", "handshake: javax.net.ssl.SSLHandshakeException: No name matching other.mesh.test found <- caused by java.security.cert.CertificateException: No name matching other.mesh.test found",
      { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: wrong IP", "handshake: javax.net.ssl.SSLHandshakeException: No subject alternative names matching IP address 127.0.10.2 found <- caused by java.security.cert.CertificateException: No subject alternative names matching IP address 127.0.10.2 found",
      { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
    ["client: foreign SPIFFE ID", "identity: server identity spiffe://other.example/ns/default/sa/api is not the expected spiffe://cluster.local/ns/default/sa/api",
      { outcome: "rejected:identity-mismatch", source: "local-verify" }],
    ["client: strict node server, no client cert", "read: javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_required", { outcome: "rejected:client-cert-required", source: "alert", alert: 116 }],
    ["client: strict Go server, no client cert", "read: javax.net.ssl.SSLHandshakeException: Received fatal alert: bad_certificate", { outcome: "rejected:bad-certificate", source: "alert", alert: 42 }],
    // JSSE aborts on a failed write before reading the alert that is waiting (Go server, expired client cert)
    ["client: server closed mid-handshake", "handshake: java.net.SocketException: Broken pipe", { outcome: "unclassified", source: "transport" }],
    ["client: server reset before the request", "write: java.net.SocketException: Connection reset by peer", { outcome: "unclassified", source: "transport" }],
    ["client: refused", "connect: java.net.ConnectException: Connection refused", { outcome: "connection-refused", source: "transport" }],
    ["client: silent server", "handshake: java.net.SocketTimeoutException: Read timed out", { outcome: "timeout", source: "transport" }],
    ["client: plaintext server", "handshake: javax.net.ssl.SSLException: Unsupported or unrecognized SSL message", { outcome: "rejected:protocol-version", source: "transport" }],
    ["unknown text", "javax.net.ssl.SSLException: a new kind of failure", { outcome: "unclassified", source: "unknown" }],
  ];

  it.each(rows)("%s", (_title, input, expected) => {
    const classification = classifyJavaText(input as string);
    expect(classification).toMatchObject(expected);
    expect(classification.alert).toBe(expected.alert);
    expect(classification.raw).toBe((input as string).trim());
  });
});
