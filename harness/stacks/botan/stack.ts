// Botan 2.19 as a client only: one `botan tls_client` per connection (the botan CLI), under the
// pin-host shim on both runtimes (pin-host.c), a TLS stack not built on OpenSSL.
import type { StackDefinition } from "../types.js";
import { botanClient } from "./adapter.js";
import { pinHostBuild } from "./program.js";

export const botan: StackDefinition = {
  name: "botan",
  folder: new URL(".", import.meta.url),
  roles: { client: botanClient },
  runtimes: ["process", "container"],
  // gcc does not pull libc6-dev without recommends; the shim needs its headers.
  debianPackages: ["botan", "gcc", "libc6-dev"],
  programs: ["botan", "cc"],
  files: ["/usr/include/stdio.h"],
  version: ["botan", ["version"]],
  image: { dockerfile: "Dockerfile", inputs: [] },
  build: pinHostBuild,
  can: [
    // as a client
    "alpn",
  ],
  cannot: {
    "tls1.3": "Botan 2.19 (Debian's) implements TLS up to 1.2; TLS 1.3 arrived in Botan 3 (Botan 2.19 handbook, TLS; Botan 3.0 release notes). Measured: botan tls_client against openssl s_server -tls1_3 gets protocol_version",
    "require-uri-san": "botan tls_client verifies the host it dials (DNS names only) and has no option to require a URI SAN; SPIFFE ID checks are left to the application",
    "verify-name-other-than-sni": "botan tls_client verifies the host it dials, which is also the SNI it sends: it cannot verify another name",
    "present-client-certificate": "botan tls_client has no option to present a client certificate",
    "verify-ip-san": "botan tls_client checks no name at all when it dials an IP (measured: a certificate for another address is \"Verified\"), so it cannot verify an IP SAN",
  },
  deviations: {
    "identity::san::cn-only": { outcome: "accepted", reason: "Botan 2.19 X509_Certificate::matches_dns_name falls back to the subject CN when the certificate has no DNS SAN, and tls_client has no option to turn that off (measured with 2.19.3: \"Certificate validation status: Verified\")", reference: "RFC 9525 section 6.3; Botan 2.19 src/lib/x509/x509cert.cpp, matches_dns_name" },
    "expiry::server::valid-ed25519": {
      outcome: "rejected:handshake-failure",
      reason: "Botan 2.19 speaks TLS 1.2 at most and offers no Ed25519 signature scheme in TLS, so a server with only an Ed25519 certificate finds no shared cipher and sends handshake_failure (measured with 2.19.3 against node: ERR_SSL_NO_SHARED_CIPHER)",
      reference: "RFC 8422 section 5.1.3 (Ed25519 in TLS 1.2 is negotiated, not required); Botan 2.19 TLS::Policy::allowed_signature_methods",
    },
  },
};
