// Chain rules (RFC 5280 section 6 path validation): each defect once on the server's chain (the
// client under test must refuse it) and once on the client's (the server under test must). The
// profiles are in fixtures/profiles.ts as server-<defect> and client-<defect>, and the fixture
// cross-checks in fixtures/pki.test.ts show what `openssl verify` says of each.
import { serverName } from "../../fixtures/profiles.js";
import type { Outcome } from "../core/outcome.js";
import { defineCatalogue, type Deviation, type Scenario } from "../core/scenario.js";

interface ChainRule {
  /** The profile suffix: server-<defect> and client-<defect>. */
  defect: string;
  title: string;
  expect: Outcome;
  /** Trust bundle both sides verify with (default trust-a). */
  trust?: string;
  /** Only one side has a profile for it. */
  sides?: Array<"server" | "client">;
  deviations?: { server?: Record<string, Deviation>; client?: Record<string, Deviation> };
}

// Reasons shared by several rows and sides.
const go1024: Deviation = {
  outcome: "accepted",
  reason: "Go's crypto/x509 and crypto/tls accept a 1024-bit RSA key: Go 1.19 sets no minimum, and even Go 1.24 rejects only keys below 1024 bits (GODEBUG rsa1024min)",
  reference: "Go 1.24 release notes, crypto/rsa (keys smaller than 1024 bits)",
};
const weakRsa: Record<string, Deviation> = {
  node: {
    outcome: "accepted",
    reason: "node:tls runs OpenSSL at security level 1 (80-bit security), which allows a 1024-bit RSA key; Debian's OpenSSL 3 default, which openssl, python and curl use, is level 2",
    reference: "Node.js docs, tls (OpenSSL security level); OpenSSL SSL_CTX_set_security_level(3)",
  },
  go: go1024,
  java: {
    outcome: "accepted",
    reason: "OpenJDK 17 disables RSA keys below 1024 bits only (jdk.certpath.disabledAlgorithms and jdk.tls.disabledAlgorithms: RSA keySize < 1024), so a 1024-bit key passes",
    reference: "OpenJDK 17 conf/security/java.security, jdk.certpath.disabledAlgorithms",
  },
  gnutls: {
    outcome: "accepted",
    reason: "GnuTLS 3.7's default certificate verification profile asks for 'low' (80-bit) security, which a 1024-bit RSA key meets (measured with 3.7.9)",
    reference: "GnuTLS manual, gnutls_sec_param_t and certificate verification profiles (GNUTLS_PROFILE_LOW)",
  },
};
const javaSha1: Deviation = {
  outcome: "accepted",
  reason: "OpenJDK 17 refuses SHA-1 certificate signatures only in chains anchored at a JDK-bundled root (jdk.certpath.disabledAlgorithms: SHA1 jdkCA & usage TLSServer), so a private CA's SHA-1 signature passes",
  reference: "OpenJDK 17 conf/security/java.security, jdk.certpath.disabledAlgorithms (jdkCA constraint)",
};
const javaExpiredAnchor: Deviation = {
  outcome: "accepted",
  reason: "JSSE's PKIX validator takes the trust anchor as an input and does not check its validity period, as RFC 5280 path validation does not: the cross-sign itself is valid, so the chain to the expired root passes",
  reference: "RFC 5280 section 6.1.1 (d), trust anchor information; OpenJDK 17 sun.security.provider.certpath.PKIXCertPathValidator",
};
const gnutlsUriConstraint: Deviation = {
  outcome: "accepted",
  reason: "GnuTLS 3.7 applies name constraints to DNS names, e-mail addresses, IP addresses and DNs only: a URI subtree is not enforced, so a SPIFFE ID outside it passes (measured with 3.7.9)",
  reference: "GnuTLS manual, gnutls_x509_name_constraints_check (the name types it checks)",
};
const gnutlsSignerConstraints: Deviation = {
  outcome: "rejected:bad-certificate",
  reason: "GnuTLS gives one status for a name-constraint, pathLen or keyCertSign fault (GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, 'violates the signer's constraints'; gnutls-cli only 'Error in the certificate'), so the reason reads as a bad certificate rather than an unusable issuer",
  reference: "GnuTLS manual, gnutls_certificate_status_t (GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE)",
};
const lastVerifyError: Deviation = {
  outcome: "rejected:unsupported-certificate",
  reason: "OpenSSL 3.0 with a TLS purpose set finds two faults in a cA FALSE issuer, invalid CA (79) and then invalid purpose (26); node and nginx continue through their verify callbacks and report the last one",
  reference: "OpenSSL 3.0 crypto/x509/x509_vfy.c check_chain (INVALID_CA, then check_purpose)",
};
const haproxyNoReason = (outcome: Deviation["outcome"], alert: string): Deviation => ({
  outcome: outcome,
  reason: `haproxy 2.6 rejects it but logs no reason ("SSL client certificate not trusted"); the client gets OpenSSL's alert for the fault (${alert}), which is all that names it (a log format with the verify code, error-log-format, arrives in 2.7)`,
  reference: 'HAProxy 2.6 configuration manual, bind "verify"; OpenSSL ssl/statem/statem_lib.c ssl_x509err2alert',
});
const goIgnoresLeafKeyUsage = (name: string): Deviation => ({
  outcome: "accepted",
  reason: `${name} does not check the leaf's keyUsage extension: crypto/x509 verifies extended key usage only, and crypto/tls signs or verifies with the key whatever its keyUsage says`,
  reference: "Go crypto/x509 VerifyOptions.KeyUsages (extended key usages only); golang/go issue 26335 (KeyUsage not enforced)",
});
const opensslServerPurpose = (name: string): Deviation => ({
  outcome: "accepted",
  reason: `${name} verifies the server with OpenSSL's SSL-server purpose, which accepts a leaf whose keyUsage has keyEncipherment or keyAgreement instead of digitalSignature (a TLS 1.2 RSA key-exchange rule), and the TLS 1.3 handshake does not check the bit again`,
  reference: "OpenSSL 3.0 crypto/x509/v3_purp.c check_purpose_ssl_server (ku_reject KU_TLS); RFC 8446 section 4.4.2.2",
});

const rules: ChainRule[] = [
  { defect: "nc-dns-inside", title: "a leaf inside its issuer's permitted DNS subtree (mesh.test) is accepted (control)", expect: "accepted" },
  { defect: "nc-dns-outside", title: "a leaf with a DNS name outside its issuer's permitted subtree is rejected", expect: "rejected:bad-certificate" },
  { defect: "nc-excluded", title: "a leaf with a DNS name in its issuer's excluded subtree is rejected", expect: "rejected:bad-certificate" },
  {
    defect: "nc-spiffe-inside",
    title: "a SPIFFE ID inside its issuer's URI constraint (trust domain cluster.local) is accepted (control)",
    expect: "accepted",
    deviations: {
      server: {
        botan: {
          outcome: "rejected:bad-certificate",
          reason: "Botan 2.19 checks name constraints on DNS names, e-mail addresses, IP addresses and DNs; a certificate with a URI SAN under a URI constraint fails the check even inside the subtree (measured with 2.19.3)",
          reference: "Botan 2.19 src/lib/x509/name_constraint.cpp (GeneralName::matches)",
        },
      },
    },
  },
  {
    defect: "nc-spiffe-outside",
    title: "a SPIFFE ID outside its issuer's URI constraint (another trust domain) is rejected",
    expect: "rejected:bad-certificate",
    deviations: { server: { gnutls: gnutlsUriConstraint }, client: { gnutls: gnutlsUriConstraint } },
  },
  { defect: "pathlen-ok", title: "a chain of two intermediates within pathLen 1 is accepted (control)", expect: "accepted" },
  {
    defect: "pathlen-exceeded",
    title: "a CA under an intermediate with pathLen 0 is rejected (path length exceeded)",
    expect: "rejected:unknown-ca",
    deviations: { server: { gnutls: gnutlsSignerConstraints }, client: { gnutls: gnutlsSignerConstraints } },
  },
  {
    defect: "issuer-not-ca",
    title: "a leaf issued by a certificate whose basicConstraints say cA FALSE is rejected",
    expect: "rejected:unknown-ca",
    deviations: { server: { node: lastVerifyError }, client: { node: lastVerifyError, nginx: lastVerifyError } },
  },
  {
    defect: "issuer-no-keycertsign",
    title: "a leaf issued by a CA whose keyUsage lacks keyCertSign is rejected",
    expect: "rejected:unknown-ca",
    deviations: { server: { gnutls: gnutlsSignerConstraints }, client: { gnutls: gnutlsSignerConstraints } },
  },
  {
    defect: "ku-no-digital-signature",
    title: "an ECDSA leaf whose keyUsage lacks digitalSignature is rejected (it signs the handshake)",
    expect: "rejected:unsupported-certificate",
    deviations: {
      server: {
        node: opensslServerPurpose("node:tls"),
        openssl: opensslServerPurpose("openssl s_client"),
        python: opensslServerPurpose("Python's ssl"),
        curl: opensslServerPurpose("curl"),
        go: goIgnoresLeafKeyUsage("Go"),
        botan: {
          outcome: "rejected:handshake-failure",
          reason: "Botan 2.19 speaks TLS 1.2 only, and in TLS 1.2 the reference server (OpenSSL) will not sign with an ECDSA key whose keyUsage lacks digitalSignature, so no cipher is shared and Botan's own check is never reached",
          reference: "OpenSSL 3.0 ssl/t1_lib.c (ECDSA certificate usable only with digitalSignature in TLS 1.2); Botan 2.19 TLS::Policy (no TLS 1.3)",
        },
      },
      client: { go: goIgnoresLeafKeyUsage("A Go server"), caddy: goIgnoresLeafKeyUsage("Caddy (Go crypto/tls)") },
    },
  },
  { defect: "unknown-critical-extension", title: "a leaf with an unknown critical extension is rejected", expect: "rejected:bad-certificate" },
  { defect: "unknown-extension", title: "a leaf with an unknown non-critical extension is accepted (control)", expect: "accepted" },
  {
    defect: "rsa-1024",
    title: "an RSA-1024 leaf is rejected (key too weak)",
    expect: "rejected:bad-certificate",
    deviations: { server: weakRsa, client: { ...weakRsa, caddy: { ...go1024, reason: `Caddy uses Go crypto/tls: ${go1024.reason}` } } },
  },
  { defect: "sha1", title: "a leaf signed with SHA-1 is rejected", expect: "rejected:bad-certificate", deviations: { server: { java: javaSha1 }, client: { java: javaSha1 } } },
  {
    defect: "bad-signature",
    title: "a leaf whose signature does not verify is rejected",
    expect: "rejected:bad-certificate",
    deviations: {
      server: {
        curl: {
          outcome: "rejected:handshake-failure",
          reason: "curl 7.88 prints the last error OpenSSL queued while checking the corrupt signature (an ASN.1 'EVP lib' error) instead of the verify result, so only the alert it sends (51 decrypt_error, OpenSSL's alert for a certificate signature failure) names the refusal",
          reference: "OpenSSL ssl/statem/statem_lib.c ssl_x509err2alert (CERT_SIGNATURE_FAILURE -> decrypt_error)",
        },
      },
      client: { haproxy: haproxyNoReason("rejected:handshake-failure", "51 decrypt_error for a certificate signature failure") },
    },
  },
  { defect: "no-eku", title: "a leaf without extendedKeyUsage is accepted for either role (control)", expect: "accepted" },
  { defect: "eku-client-only", title: "a server leaf whose EKU is clientAuth only is rejected", expect: "rejected:unsupported-certificate", sides: ["server"] },
  { defect: "chain-with-root", title: "a chain sent with its root as well is accepted (control)", expect: "accepted" },
  { defect: "no-chain", title: "a server leaf sent without its intermediate is rejected", expect: "rejected:unknown-ca", sides: ["server"] },
  { defect: "p384", title: "an ECDSA P-384 leaf is accepted (control)", expect: "accepted" },
  {
    defect: "under-future-issuer",
    title: "a valid leaf under a not-yet-valid intermediate is rejected",
    expect: "rejected:not-yet-valid",
    deviations: { client: { haproxy: haproxyNoReason("rejected:bad-certificate", "42 bad_certificate for a not-yet-valid certificate") } },
  },
  { defect: "under-expired-issuer", title: "a valid leaf under an expired intermediate is rejected", expect: "rejected:expired", sides: ["client"] },
  {
    defect: "cross-expired-root",
    title: "the expired cross-sign (DST Root CA X3): a chain ending in a cross-sign by an expired root is accepted when the bundle also holds the valid root",
    trust: "trust-old-new",
    expect: "accepted",
  },
];

/** The expired cross-sign against a bundle with only the expired root: nothing else to chain to. */
const expiredRootOnly: ChainRule = {
  defect: "cross-expired-root",
  title: "the expired cross-sign with only the expired root trusted is rejected",
  trust: "trust-old",
  expect: "rejected:expired",
  deviations: { server: { java: javaExpiredAnchor }, client: { java: javaExpiredAnchor } },
};

function rowsFor(rule: ChainRule, id: string): Scenario[] {
  const trust = rule.trust ?? "trust-a";
  const sides = rule.sides ?? ["server", "client"];
  const rows: Scenario[] = [];
  if (sides.includes("server")) {
    rows.push({
      id: `chain::server-cert::${id}`,
      title: `client verifying the server: ${rule.title}`,
      subject: "client",
      server: { cert: `server-${rule.defect}` },
      client: { trust, serverName },
      expect: rule.expect,
      deviations: rule.deviations?.server,
    });
  }
  if (sides.includes("client")) {
    rows.push({
      id: `chain::client-cert::${id}`,
      title: `server verifying the client: ${rule.title}`,
      subject: "server",
      server: { cert: "server", clientAuth: "required", clientTrust: trust },
      client: { trust: "trust-a", serverName, cert: `client-${rule.defect}` },
      expect: rule.expect,
      deviations: rule.deviations?.client,
    });
  }
  return rows;
}

export const chainScenarios = defineCatalogue("chain", [...rules.flatMap((rule) => rowsFor(rule, rule.defect)), ...rowsFor(expiredRootOnly, "expired-root-only")]);
