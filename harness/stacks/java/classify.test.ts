import { describe, expect, it } from "vitest";
import type { Classification } from "../../core/outcome.js";
import { classifyJavaText } from "./classify.js";

type Row = [title: string, input: unknown, expected: Omit<Classification, "raw">];

describe("classifyJavaText", () => {
  const rows: Row[] = [
    // Chain rules, measured with OpenJDK 17 against the node reference peers.
    ["pathLen exceeded", "handshake: javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: basic constraints check failed: pathLenConstraint violated - this cert must be the last cert in the certification path", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["issuer with cA FALSE", "handshake: javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: basic constraints check failed: this is not a CA certificate", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["issuer without keyCertSign", "handshake: javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: CA key usage check failed: keyCertSign bit is not set", { outcome: "rejected:unknown-ca", source: "local-verify" }],
    ["SNI with a trailing dot", "sni: Server name value of host_name cannot have the trailing dot", { outcome: "rejected:hostname-mismatch", source: "local-verify" }],
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
