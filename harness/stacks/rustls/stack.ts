// rustls (with webpki), the TLS library of Linkerd's proxy, through our peer program (tlspeer.rs),
// built from Debian's crates on the host on first use and inside the image for the container
// runtime. The version is the crates compiled into the peer.
import type { Deviation } from "../../core/scenario.js";
import type { StackDefinition } from "../types.js";
import { rustlsClient, rustlsServer, rustlsVersion } from "./adapter.js";
import { rustlsPeerBuild } from "./program.js";

const ignoresKeyUsage: Deviation = {
  outcome: "accepted",
  reason: "webpki 0.22 ignores the keyUsage extension of every certificate, leaf or CA (only basicConstraints marks a CA and only extendedKeyUsage is checked), so a CA without keyCertSign and a leaf without digitalSignature both pass (measured: the peer against openssl s_server with the fixture certs)",
  reference: "webpki 0.22.0 src/cert.rs remember_extension (\"id-ce-keyUsage 2.5.29.15. We ignore the KeyUsage extension\"); RFC 5280 section 4.2.1.3",
};
const expiredAnchor: Deviation = {
  outcome: "accepted",
  reason: "webpki's trust anchor is a subject, a public key and name constraints only (webpki::TrustAnchor), so the validity of the expired root is never read and the valid cross-sign under it passes",
  reference: "RFC 5280 section 6.1.1 (d), trust anchor information; webpki 0.22.0 src/trust_anchor.rs",
};
// A certificate under a CA whose name constraints cover DNS names only, carrying a DNS SAN inside
// them and a URI SAN (the SPIFFE ID): webpki 0.22 counts the URI SAN as outside the DNS subtree.
const uriSanAgainstDnsConstraint: Deviation = {
  outcome: "rejected:unknown-ca",
  reason: "webpki 0.22 compares every SAN with every permitted subtree and counts a name of another type as a mismatch, so the URI SAN fails the DNS-only constraint (NameConstraintViolation, reported as UnknownIssuer by path building) although RFC 5280 leaves other name types unconstrained",
  reference: "webpki 0.22.0 src/name/verify.rs check_presented_id_conforms_to_constraints_in_subtree (`_ => Ok(false)`); RFC 5280 section 4.2.1.10",
};
// webpki 0.22 tries each issuer candidate and, when every one failed for a reason it counts as
// non-fatal (a bad or SHA-1 signature, an expired or not yet valid issuer, a name constraint
// violated), reports the chain as UnknownIssuer: the certificate is refused, under another reason.
const issuerFailureAsUnknownIssuer: Deviation = {
  outcome: "rejected:unknown-ca",
  reason: "webpki 0.22 reports every failure found while building the path above the leaf (signature, SHA-1, the issuer's validity, name constraints) as UnknownIssuer once no issuer candidate is left, so rustls says \"invalid peer certificate: UnknownIssuer\" (measured: the peer against node:tls and openssl s_server with the fixture chains)",
  reference: "webpki 0.22.0 src/verify_cert.rs build_chain and loop_while_non_fatal_error",
};
const uriConstraintUnsupported: Deviation = {
  outcome: "rejected:unknown-ca",
  reason: "webpki 0.22 supports name constraints on DNS names, IP addresses and directory names only: a URI subtree (the SPIFFE trust domain) makes every certificate under that CA fail (NameConstraintViolation, reported as UnknownIssuer), inside the subtree or not",
  reference: "webpki 0.22.0 src/name/verify.rs (GeneralName::Unsupported against an Unsupported base is NameConstraintViolation); RFC 5280 section 4.2.1.10",
};
// webpki refuses a wildcard other than a whole left-most label as malformed, not as a mismatch.
const malformedWildcard: Deviation = {
  outcome: "rejected:bad-certificate",
  reason: "webpki 0.22 treats a presented DNS name with a wildcard outside the whole left-most label as an invalid name (BadDer), which rustls reports as \"invalid peer certificate encoding\": the certificate is refused, with another reason than a name mismatch",
  reference: "webpki 0.22.0 src/name/dns_name.rs presented_id_matches_reference_id; rustls 0.20.8 src/verify.rs pki_error",
};

export const rustls: StackDefinition = {
  name: "rustls",
  folder: new URL(".", import.meta.url),
  roles: { server: rustlsServer, client: rustlsClient },
  runtimes: ["process", "container"],
  debianPackages: ["cargo", "rustc", "librust-rustls-dev", "librust-rustls-pemfile-dev", "librust-webpki-dev", "librust-ring-dev"],
  programs: ["/usr/bin/cargo"],
  version: rustlsVersion,
  image: { dockerfile: "Dockerfile", inputs: [] },
  build: rustlsPeerBuild,
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "serve-several-sni-names", "authorize-client-identity", "reload-identity",
    // as a client
    "require-uri-san", "verify-name-other-than-sni", "present-client-certificate",
  ],
  cannot: {
    "verify-ip-san": "rustls 0.20's WebPkiVerifier refuses an IP address as the server name (Error::UnsupportedNameType): webpki 0.22 matches DNS names only",
  },
  notYet: {
    "reload-trust": "the rustls peer program builds its ServerConfig once at start",
    alpn: "the rustls peer program offers no ALPN",
  },
  deviations: {
    "chain::server-cert::issuer-no-keycertsign": ignoresKeyUsage,
    "chain::client-cert::issuer-no-keycertsign": ignoresKeyUsage,
    "chain::server-cert::ku-no-digital-signature": ignoresKeyUsage,
    "chain::client-cert::ku-no-digital-signature": ignoresKeyUsage,
    "chain::server-cert::expired-root-only": expiredAnchor,
    "chain::client-cert::expired-root-only": expiredAnchor,
    "chain::server-cert::nc-dns-inside": uriSanAgainstDnsConstraint,
    "chain::client-cert::nc-dns-inside": uriSanAgainstDnsConstraint,
    ...Object.fromEntries(
      ["nc-dns-outside", "nc-excluded", "sha1", "bad-signature", "under-future-issuer"].flatMap((defect) => [
        [`chain::server-cert::${defect}`, issuerFailureAsUnknownIssuer],
        [`chain::client-cert::${defect}`, issuerFailureAsUnknownIssuer],
      ]),
    ),
    "chain::client-cert::under-expired-issuer": issuerFailureAsUnknownIssuer,
    "expiry::server::expired-intermediate": issuerFailureAsUnknownIssuer,
    "chain::server-cert::nc-spiffe-inside": uriConstraintUnsupported,
    "chain::client-cert::nc-spiffe-inside": uriConstraintUnsupported,
    "chain::server-cert::nc-spiffe-outside": uriConstraintUnsupported,
    "chain::client-cert::nc-spiffe-outside": uriConstraintUnsupported,
    "identity::wildcard::not-left-most": malformedWildcard,
    "identity::wildcard::partial-label": malformedWildcard,
    "client-auth::strict::revoked": {
      outcome: "accepted",
      reason: "rustls 0.20 with webpki 0.22 has no revocation checking: AllowAnyAuthenticatedClient takes trust anchors only and webpki reads no CRL, so a rustls server accepts a revoked client certificate unless the service checks it itself",
      reference: "rustls 0.20.8 src/verify.rs AllowAnyAuthenticatedClient; CRL support arrived in rustls 0.21 / webpki 0.101",
    },
  },
};
