// mbedTLS 2.28 (Debian's libmbedtls14), the embedded TLS library many agents and devices speak
// mTLS to collectors and brokers with, through our peer program (tlspeer.c) as server and client.
// It speaks TLS 1.0 to 1.2 only (Debian leaves MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL off): it
// cannot do the tls1.3 capability, so the rows that need TLS 1.3 of it are skipped as stack-cannot.
import type { Deviation } from "../../core/scenario.js";
import type { StackDefinition } from "../types.js";
import { mbedtlsClient, mbedtlsServer, mbedtlsVersion } from "./adapter.js";
import { mbedtlsPeerBuild } from "./program.js";

// Measured with Debian's 2.28.3-1, each side by hand: our client against `openssl s_server
// -cipher DEFAULT@SECLEVEL=0` serving the fixture, our server against `openssl s_client -cert`.
const bothSides = (defect: string, deviation: Deviation): Record<string, Deviation> => ({
  [`chain::server-cert::${defect}`]: deviation,
  [`chain::client-cert::${defect}`]: deviation,
});

const measured = "measured with 2.28.3 as client and as server";
const noNameConstraints = (inside: string): Deviation => ({
  outcome: "rejected:bad-certificate",
  reason: `mbedTLS 2.28 does not implement the nameConstraints extension and refuses a certificate with an unknown critical extension while parsing it, so the issuer's critical name constraints fail every chain under it, ${inside} included: "X509 - The extension tag or value is invalid : ASN1 - ASN1 tag was of an unexpected value (-0x2562)" (${measured})`,
  reference: "RFC 5280 section 4.2.1.10; mbedTLS 2.28 library/x509_crt.c, x509_get_crt_ext (an unsupported critical extension is MBEDTLS_ERR_X509_INVALID_EXTENSIONS + MBEDTLS_ERR_ASN1_UNEXPECTED_TAG)",
});

export const mbedtls: StackDefinition = {
  name: "mbedtls",
  folder: new URL(".", import.meta.url),
  roles: { server: mbedtlsServer, client: mbedtlsClient },
  runtimes: ["process", "container"],
  // gcc does not pull libc6-dev without recommends; the peer needs its headers.
  debianPackages: ["libmbedtls-dev", "gcc", "libc6-dev"],
  programs: ["cc"],
  files: ["/usr/include/mbedtls/ssl.h"],
  version: mbedtlsVersion,
  image: { dockerfile: "Dockerfile", inputs: [] },
  build: mbedtlsPeerBuild,
  can: [
    // as a server
    "serve-several-sni-names",
    "authorize-client-identity",
    "reload-identity",
    // as a client
    "present-client-certificate",
    "require-uri-san",
  ],
  cannot: {
    "tls1.3": "mbedTLS 2.28 as Debian builds it has no TLS 1.3, client or server (MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL is off in /usr/include/mbedtls/config.h). Measured with 2.28.3: our client against openssl s_server -tls1_3 gets alert 70 (protocol_version); our server set to a TLS 1.3 floor refuses every client (-0x6E80) and answers an openssl s_client -tls1_3 with handshake_failure (-0x7380)",
    "verify-name-other-than-sni": "mbedtls_ssl_set_hostname sets one name, both the SNI sent and the name the certificate is checked against: mbedTLS 2.28 cannot verify another",
    "verify-ip-san": "mbedTLS 2.28 checks the expected name against DNS SANs and the CN only (x509_crt_verify_name); iPAddress SANs are not matched before 3.x",
  },
  // Our peer program's gaps, not the library's limits: skipped as peer-not-yet.
  notYet: {
    "reload-trust": "the mbedTLS peer program loads its client CAs and CRLs once at start",
    "add-crl": "the mbedTLS peer program loads its CRLs once at start",
    "resume-session-id": "the mbedTLS peer program's server forks a process per connection, so no session cache (mbedtls_ssl_cache) outlives one",
    alpn: "the mbedTLS peer program offers no ALPN (the shared tlspeer command line carries none)",
  },
  deviations: {
    ...bothSides("nc-dns-inside", noNameConstraints("a DNS name inside the permitted subtree")),
    ...bothSides("nc-spiffe-inside", noNameConstraints("a SPIFFE ID inside the permitted trust domain")),
    ...bothSides("bad-signature", {
      outcome: "rejected:unknown-ca",
      reason: `mbedTLS looks for a parent whose signature over the certificate verifies and passes over one whose does not, so a corrupt signature ends as "The certificate is not correctly signed by the trusted CA" (MBEDTLS_X509_BADCERT_NOT_TRUSTED, 0x08) and an unknown_ca alert (${measured})`,
      reference: "RFC 5280 section 6.1.3; mbedTLS 2.28 library/x509_crt.c, x509_crt_find_parent_in (x509_crt_check_signature)",
    }),
    "chain::server-cert::ku-no-digital-signature": {
      outcome: "rejected:handshake-failure",
      reason: "mbedTLS 2.28 speaks TLS 1.2 at most, and a TLS 1.2 server does not sign an ECDHE key exchange with an ECDSA leaf whose keyUsage lacks digitalSignature: node (OpenSSL) answers handshake_failure (\"no shared cipher\") before mbedTLS sees the certificate (measured with 2.28.3 against openssl s_server and against our own mbedTLS server, which refuses the same leaf: \"None of the common ciphersuites is usable\"). As a server mbedTLS refuses such a client certificate itself (keyUsage flag 0x800)",
      reference: "RFC 5280 section 4.2.1.3; RFC 8422 section 5.4; mbedTLS 2.28 library/ssl_tls.c, mbedtls_ssl_check_cert_usage",
    },
    "expiry::server::valid-ed25519": {
      outcome: "rejected:handshake-failure",
      reason: "mbedTLS 2.28 has no Ed25519 signatures (no EdDSA in its pk layer) and offers none in TLS 1.2, so a server with only an Ed25519 certificate finds no shared cipher and sends handshake_failure (measured with 2.28.3 against openssl s_server and node: ERR_SSL_NO_SHARED_CIPHER)",
      reference: "RFC 8422 section 5.1.3; mbedTLS 2.28 include/mbedtls/pk.h (mbedtls_pk_type_t has no EdDSA)",
    },
    "expiry::client::valid-ed25519": {
      outcome: "rejected:client-cert-required",
      reason: "mbedTLS 2.28's CertificateRequest lists no Ed25519 signature algorithm (it has none), so a client with only an Ed25519 certificate sends none and the server refuses for the missing certificate: \"No client certification received from the client, but required by the authentication mode (-0x7480)\" (measured with 2.28.3 against openssl s_client and node)",
      reference: "RFC 5246 section 7.4.4; mbedTLS 2.28 include/mbedtls/pk.h (mbedtls_pk_type_t has no EdDSA)",
    },
    "identity::san::cn-only": {
      outcome: "accepted",
      reason: "mbedTLS checks the subject CN when the certificate has no subjectAltName extension, so a server certificate naming api.mesh.test only in its CN verifies (measured with 2.28.3 against openssl s_server)",
      reference: "RFC 9525 section 6.3; mbedTLS 2.28 library/x509_crt.c, x509_crt_verify_name",
    },
    "identity::trailing-dot::dialled": {
      outcome: "rejected:hostname-mismatch",
      reason: "mbedTLS compares the name given to mbedtls_ssl_set_hostname as it is, so api.mesh.test. does not match the DNS SAN api.mesh.test: \"The certificate Common Name (CN) does not match with the expected CN\" (flag 0x04; measured with 2.28.3 against openssl s_server)",
      reference: "RFC 1034 section 3.1; mbedTLS 2.28 library/x509_crt.c, x509_crt_check_cn",
    },
    "protocol::client-default::tls1.0-only-server": {
      outcome: "accepted",
      reason: "Debian builds mbedTLS 2.28 with MBEDTLS_SSL_PROTO_TLS1 and MBEDTLS_SSL_PROTO_TLS1_1, and mbedtls_ssl_config_defaults then sets TLS 1.0 as the minimum version: a TLS 1.0-only server is accepted (measured with 2.28.3 against openssl s_server -tls1: \"version: TLSv1\"); mbedtls_ssl_conf_min_version raises the floor",
      reference: "RFC 8996 (TLS 1.0 and 1.1 deprecated); mbedTLS 2.28 include/mbedtls/ssl_internal.h, MBEDTLS_SSL_MIN_MINOR_VERSION",
    },
    "protocol::client-default::tls1.1-only-server": {
      outcome: "accepted",
      reason: "Debian builds mbedTLS 2.28 with MBEDTLS_SSL_PROTO_TLS1_1, and the default minimum version is TLS 1.0: a TLS 1.1-only server is accepted (measured with 2.28.3 against openssl s_server -tls1_1: \"version: TLSv1.1\")",
      reference: "RFC 8996 (TLS 1.0 and 1.1 deprecated); mbedTLS 2.28 include/mbedtls/ssl_internal.h, MBEDTLS_SSL_MIN_MINOR_VERSION",
    },
  },
};
