import { describe, expect, it } from "vitest";
import type { Classification } from "../../core/outcome.js";
import { classifyCurlText } from "./classify.js";

type Row = [title: string, input: unknown, expected: Omit<Classification, "raw">];

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
