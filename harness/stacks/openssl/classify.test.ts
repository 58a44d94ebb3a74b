import { describe, expect, it } from "vitest";
import type { Classification } from "../../core/outcome.js";
import { classifyOpensslText } from "./classify.js";

type Row = [title: string, input: unknown, expected: Omit<Classification, "raw">];

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
