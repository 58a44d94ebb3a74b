// wolfSSL (Debian's libwolfssl, 5.5.4 on bookworm), the embedded TLS library agents and devices
// speak mTLS to collectors and brokers with, through our peer program (tlspeer.c) as server and client.
import type { Deviation } from "../../core/scenario.js";
import type { StackDefinition } from "../types.js";
import { wolfsslClient, wolfsslServer, wolfsslVersion } from "./adapter.js";
import { wolfsslPeerBuild } from "./program.js";

// Measured with Debian's 5.5.4-2+deb12u3, each side by hand: our client against `openssl s_server
// -cipher DEFAULT@SECLEVEL=0` serving the fixture, our server against `openssl s_client -cert`.
const bothSides = (defect: string, deviation: Deviation): Record<string, Deviation> => ({
  [`chain::server-cert::${defect}`]: deviation,
  [`chain::client-cert::${defect}`]: deviation,
});

const measured = "measured with 5.5.4 as client and as server";

export const wolfssl: StackDefinition = {
  name: "wolfssl",
  folder: new URL(".", import.meta.url),
  roles: { server: wolfsslServer, client: wolfsslClient },
  runtimes: ["process", "container"],
  // gcc does not pull libc6-dev without recommends; the peer needs its headers.
  debianPackages: ["libwolfssl-dev", "gcc", "libc6-dev"],
  programs: ["cc"],
  files: ["/usr/include/wolfssl/ssl.h"],
  version: wolfsslVersion,
  image: { dockerfile: "Dockerfile", inputs: [] },
  build: wolfsslPeerBuild,
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "serve-several-sni-names",
    // as a client
    "verify-name-other-than-sni", "present-client-certificate",
  ],
  // Our peer program's gaps, not the library's limits: skipped as peer-not-yet.
  notYet: {
    "authorize-client-identity": "the wolfSSL peer program has no --allow-identity",
    "reload-identity": "the wolfSSL peer program reads its key pair once at start",
    "reload-trust": "the wolfSSL peer program loads its client CAs and CRLs once at start",
    "add-crl": "the wolfSSL peer program loads its CRLs once at start",
    "resume-session-id": "the wolfSSL peer program's server forks a process per connection, so no session cache outlives one",
    "verify-ip-san": "the wolfSSL peer program has no --verify-ip",
    "require-uri-san": "the wolfSSL peer program has no --expect-uri",
    alpn: "the wolfSSL peer program offers no ALPN (the shared tlspeer command line carries none)",
  },
  deviations: {
    ...bothSides("nc-dns-inside", {
      outcome: "rejected:bad-certificate",
      reason: `wolfSSL checks the leaf's URI SAN (spiffe://cluster.local/...) against its issuer's permitted subtrees although they hold DNS names only, and refuses it: "Name Constraint error (-198)" (${measured}; a leaf with the DNS SAN alone under the same constraint is accepted)`,
      reference: "RFC 5280 section 4.2.1.10 (a constraint restricts names of its own type only); wolfSSL 5.5.4 wolfcrypt/src/asn.c, ConfirmNameConstraints",
    }),
    ...bothSides("nc-spiffe-outside", {
      outcome: "accepted",
      reason: `wolfSSL 5.5.4 does not enforce URI name constraints: a SPIFFE ID outside the issuer's permitted trust domain verifies (${measured})`,
      reference: "RFC 5280 section 4.2.1.10; wolfSSL 5.5.4 wolfcrypt/src/asn.c, ConfirmNameConstraints",
    }),
    ...bothSides("ku-no-digital-signature", {
      outcome: "accepted",
      reason: `wolfSSL does not refuse an ECDSA leaf whose keyUsage lacks digitalSignature; the TLS 1.3 handshake it signs completes (${measured})`,
      reference: "RFC 5280 section 4.2.1.3; RFC 8446 section 4.4.2.2; wolfSSL 5.5.4 src/internal.c, ProcessPeerCerts",
    }),
    ...bothSides("rsa-1024", {
      outcome: "accepted",
      reason: `wolfSSL's default minimum RSA key size is 1024 bits (wolfSSL_CTX_SetMinRsaKey_Sz raises it), so an RSA-1024 leaf verifies (${measured})`,
      reference: "NIST SP 800-131A Rev. 2 (RSA below 2048 bits disallowed); wolfSSL 5.5.4 wolfssl/internal.h, WOLFSSL_MIN_RSA_BITS (1024 unless WOLFSSL_MAX_STRENGTH)",
    }),
    ...bothSides("sha1", {
      outcome: "accepted",
      reason: `wolfSSL 5.5.4 as Debian builds it verifies a leaf signed with ECDSA-SHA1 like any other (${measured})`,
      reference: "RFC 9155 (SHA-1 deprecated in TLS 1.2 signatures); wolfSSL 5.5.4 wolfcrypt/src/asn.c, ConfirmSignature",
    }),
    ...bothSides("expired-root-only", {
      outcome: "accepted",
      reason: `wolfSSL does not check a trust anchor's validity dates: a chain ending at the expired root, the only one trusted, verifies (${measured}, with trust-old)`,
      reference: "RFC 5280 section 6.1 (the validity of a trust anchor is left to local policy); wolfSSL 5.5.4 src/internal.c, ProcessPeerCerts",
    }),
    "identity::san::cn-only": {
      outcome: "accepted",
      reason: "wolfSSL_check_domain_name falls back to the subject CN when the certificate has no DNS SAN (measured with 5.5.4 against openssl s_server)",
      reference: "RFC 9525 section 6.3; wolfSSL 5.5.4 src/internal.c, CheckHostName (checkCN)",
    },
    "identity::wildcard::not-left-most": {
      outcome: "accepted",
      reason: "wolfSSL's MatchDomainName lets '*' stand for the characters of one label wherever it appears, so api.*.test matches api.mesh.test (measured with 5.5.4 against openssl s_server)",
      reference: "RFC 9525 section 6.3; wolfSSL 5.5.4 src/internal.c, MatchDomainName",
    },
    "identity::wildcard::partial-label": {
      outcome: "accepted",
      reason: "wolfSSL's MatchDomainName lets '*' stand for part of a label, so a*.mesh.test matches api.mesh.test (measured with 5.5.4 against openssl s_server)",
      reference: "RFC 9525 section 6.3; wolfSSL 5.5.4 src/internal.c, MatchDomainName",
    },
    "identity::trailing-dot::dialled": {
      outcome: "rejected:hostname-mismatch",
      reason: "wolfSSL_check_domain_name compares the name as given, so api.mesh.test. does not match the DNS SAN api.mesh.test: \"peer subject name mismatch (-322)\" (measured with 5.5.4 against openssl s_server)",
      reference: "RFC 1034 section 3.1; wolfSSL 5.5.4 src/internal.c, MatchDomainName",
    },
    "protocol::client-default::tls1.1-only-server": {
      outcome: "accepted",
      reason: "Debian builds wolfSSL with the old TLS versions (NO_OLD_TLS undefined), and wolfSSLv23_client_method then downgrades below TLS 1.2 by default: a TLS 1.1-only server is accepted (measured with 5.5.4 against openssl s_server -tls1_1: \"version: TLSv1.1\"); wolfSSL_CTX_SetMinVersion raises the floor",
      reference: "RFC 8996 (TLS 1.0 and 1.1 deprecated); wolfSSL 5.5.4 wolfssl/internal.h, WOLFSSL_MIN_DOWNGRADE",
    },
  },
};
