// BoringSSL, Envoy's TLS library (the data plane of Istio, Consul and Kuma), as Debian ships it:
// Android's build (android-libboringssl), through our peer program (tlspeer.c) as server and client.
import type { StackDefinition } from "../types.js";
import { boringsslClient, boringsslServer, boringsslVersion } from "./adapter.js";
import { boringsslPeerBuild } from "./program.js";

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
  deviations: {},
};
