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
  cannot: {
    "require-uri-san": "botan tls_client verifies the host it dials (DNS names only) and has no option to require a URI SAN; SPIFFE ID checks are left to the application",
    "verify-name-other-than-sni": "botan tls_client verifies the host it dials, which is also the SNI it sends: it cannot verify another name",
    "verify-ip-san": "botan tls_client checks no name at all when it dials an IP (measured: a certificate for another address is \"Verified\"), so it cannot verify an IP SAN",
  },
};
