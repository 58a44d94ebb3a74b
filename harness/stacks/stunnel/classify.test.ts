import { describe, expect, it } from "vitest";
import { type Classification } from "../../core/outcome.js";
import { classifyStunnelLog } from "./classify.js";

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
