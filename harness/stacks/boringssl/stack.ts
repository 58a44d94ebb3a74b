// BoringSSL, Envoy's TLS library (the data plane of Istio, Consul and Kuma), as Debian ships it:
// Android's build (android-libboringssl), through our peer program (tlspeer.c) as server and client.
import type { Deviation } from "../../core/scenario.js";
import type { StackDefinition } from "../types.js";
import { boringsslClient, boringsslServer, boringsslVersion } from "./adapter.js";
import { boringsslPeerBuild } from "./program.js";

// Measured with Debian's android-libboringssl 13.0.0+r24-2, each side by hand: our client against
// `openssl s_server -cipher DEFAULT@SECLEVEL=0` serving the fixture, our server against
// `openssl s_client -cert` (docs/architecture.md has the commands).
const bothSides = (defect: string, deviation: Deviation): Record<string, Deviation> => ({
  [`chain::server-cert::${defect}`]: deviation,
  [`chain::client-cert::${defect}`]: deviation,
});

const measured = "measured with Android's 13.0.0_r24 build as client and as server";
// BoringSSL has no security level (no SSL_CTX_set_security_level, no X509_VERIFY_PARAM_set_auth_level):
// neither its verifier nor its handshake weighs a certificate's key size or signature digest.
const noSecurityLevel = "BoringSSL include/openssl/ssl.h and x509.h (no security level API); crypto/x509/x509_vfy.c";

export const boringssl: StackDefinition = {
  name: "boringssl",
  folder: new URL(".", import.meta.url),
  roles: { server: boringsslServer, client: boringsslClient },
  runtimes: ["process", "container"],
  // gcc does not pull libc6-dev without recommends; the peer needs its headers.
  debianPackages: ["android-libboringssl-dev", "gcc", "libc6-dev"],
  programs: ["cc"],
  files: ["/usr/include/android/openssl/ssl.h"],
  version: boringsslVersion,
  image: { dockerfile: "Dockerfile", inputs: [] },
  build: boringsslPeerBuild,
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "serve-several-sni-names", "authorize-client-identity", "reload-identity",
    // as a client
    "verify-name-other-than-sni", "verify-ip-san", "require-uri-san", "present-client-certificate",
  ],
  // Our peer program's gaps, not the library's limits: skipped as peer-not-yet.
  notYet: {
    "reload-trust": "the BoringSSL peer program loads its client CAs and CRLs once at start",
    "add-crl": "the BoringSSL peer program loads its CRLs once at start",
    "resume-session-id": "the BoringSSL peer program's server keeps BoringSSL's session cache, but the rows that resume also change the trust, which it does not (reload-trust)",
    alpn: "the BoringSSL peer program offers no ALPN (the shared tlspeer command line carries none)",
  },
  deviations: {
    ...bothSides("rsa-1024", {
      outcome: "accepted",
      reason: `BoringSSL sets no minimum RSA key size for a peer's certificate, so an RSA-1024 leaf verifies (${measured})`,
      reference: `NIST SP 800-131A Rev. 2 (RSA below 2048 bits disallowed); ${noSecurityLevel}`,
    }),
    ...bothSides("sha1", {
      outcome: "accepted",
      reason: `BoringSSL's verifier checks a certificate signed with ECDSA-SHA1 like any other (${measured})`,
      reference: `RFC 9155 (SHA-1 deprecated in TLS 1.2 signatures); ${noSecurityLevel}`,
    }),
    // Not Ed25519 itself: BoringSSL's default verify preferences omit it, so it is never offered.
    "expiry::server::valid-ed25519": {
      outcome: "rejected:handshake-failure",
      reason: "BoringSSL's client offers no Ed25519 in signature_algorithms unless SSL_CTX_set_verify_algorithm_prefs adds it, so a server with only an Ed25519 certificate has nothing to sign with: openssl s_server says \"no suitable signature algorithm\" and alerts handshake_failure (measured: our client against s_server serving server-ed25519)",
      reference: "RFC 8446 section 4.2.3; BoringSSL ssl/extensions.cc, kVerifySignatureAlgorithms (the default verify preferences)",
    },
    "expiry::client::valid-ed25519": {
      outcome: "rejected:client-cert-required",
      reason: "BoringSSL's server lists no Ed25519 in its CertificateRequest's signature_algorithms (openssl s_client -cert client-ed25519 prints the requested list: ECDSA, RSA-PSS and RSA with SHA-256/384/512 and RSA+SHA1), so the client has no certificate it may send and BoringSSL refuses the empty one: \"PEER_DID_NOT_RETURN_A_CERTIFICATE\", alert 116 (measured)",
      reference: "RFC 8446 section 4.3.2; BoringSSL ssl/extensions.cc, kVerifySignatureAlgorithms; include/openssl/ssl.h, SSL_CTX_set_verify_algorithm_prefs",
    },
    "identity::san::cn-only": {
      outcome: "accepted",
      reason: "BoringSSL's X509_check_host (through X509_VERIFY_PARAM_set1_host) falls back to the subject CN when the certificate has no DNS SAN unless X509_CHECK_FLAG_NEVER_CHECK_SUBJECT is set (measured: our client against openssl s_server serving server-cn-only)",
      reference: "RFC 9525 section 6.3; BoringSSL include/openssl/x509v3.h, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT; crypto/x509v3/v3_utl.c, do_x509_check",
    },
    "identity::trailing-dot::dialled": {
      outcome: "rejected:hostname-mismatch",
      reason: "BoringSSL's X509_check_host compares the name as given, so api.mesh.test. does not match the DNS SAN api.mesh.test: \"Hostname mismatch (X509_V_ERR 62)\" (measured: our client against openssl s_server)",
      reference: "RFC 1034 section 3.1; BoringSSL crypto/x509v3/v3_utl.c, equal_nocase",
    },
    ...Object.fromEntries(
      ["tls1.0", "tls1.1"].map((version) => [
        `protocol::client-default::${version}-only-server`,
        {
          outcome: "accepted",
          reason: `BoringSSL's default minimum version is TLS 1.0 (SSL_CTX_get_min_proto_version of a new TLS_method context: 0x0301), so a client left at its default accepts a ${version.replace("tls", "TLS ")}-only server (measured: our client against openssl s_server -${version.replace(".", "_").replace("tls1_0", "tls1")} -cipher DEFAULT@SECLEVEL=0); Envoy sets its own client floor, TLS 1.2 by default`,
          reference: "RFC 8996 (TLS 1.0 and 1.1 deprecated); BoringSSL include/openssl/ssl.h, SSL_CTX_set_min_proto_version (0: the default minimum); Envoy docs, TlsParameters.tls_minimum_protocol_version (https://envoyproxy.io/docs/envoy/v1.22.5/api-v3/extensions/transport_sockets/tls/v3/common.proto)",
        } satisfies Deviation,
      ]),
    ),
  },
};
