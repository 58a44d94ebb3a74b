// wolfSSL (Debian's libwolfssl, 5.5.4 on bookworm), the embedded TLS library agents and devices
// speak mTLS to collectors and brokers with, through our peer program (tlspeer.c) as server and client.
import type { StackDefinition } from "../types.js";
import { wolfsslClient, wolfsslServer, wolfsslVersion } from "./adapter.js";
import { wolfsslPeerBuild } from "./program.js";

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
    // as a client
    "verify-name-other-than-sni", "present-client-certificate",
  ],
  // Our peer program's gaps, not the library's limits: skipped as peer-not-yet.
  notYet: {
    "serve-several-sni-names": "the wolfSSL peer program serves one key pair (no --sni)",
    "authorize-client-identity": "the wolfSSL peer program has no --allow-identity",
    "reload-identity": "the wolfSSL peer program reads its key pair once at start",
    "reload-trust": "the wolfSSL peer program loads its client CAs and CRLs once at start",
    "add-crl": "the wolfSSL peer program loads its CRLs once at start",
    "resume-session-id": "the wolfSSL peer program's server forks a process per connection, so no session cache outlives one",
    "verify-ip-san": "the wolfSSL peer program has no --verify-ip",
    "require-uri-san": "the wolfSSL peer program has no --expect-uri",
    alpn: "the wolfSSL peer program offers no ALPN (the shared tlspeer command line carries none)",
  },
};
