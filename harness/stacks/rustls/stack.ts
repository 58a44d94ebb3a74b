// rustls (with webpki), the TLS library of Linkerd's proxy, through our peer program (tlspeer.rs),
// built from Debian's crates on the host on first use and inside the image for the container
// runtime. The version is the crates compiled into the peer.
import type { StackDefinition } from "../types.js";
import { rustlsClient, rustlsServer, rustlsVersion } from "./adapter.js";
import { rustlsPeerBuild } from "./program.js";

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
};
