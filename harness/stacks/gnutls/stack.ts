// GnuTLS, a TLS stack independent of OpenSSL: gnutls-serv (under the loopback-bind shim on both
// runtimes, loopback-bind.c) and gnutls-cli.
import type { StackDefinition } from "../types.js";
import { gnutlsClient, gnutlsServer } from "./adapter.js";
import { loopbackBindBuild } from "./program.js";

export const gnutls: StackDefinition = {
  name: "gnutls",
  folder: new URL(".", import.meta.url),
  roles: { server: gnutlsServer, client: gnutlsClient },
  runtimes: ["process", "container"],
  // gcc does not pull libc6-dev without recommends; the shim needs its headers.
  debianPackages: ["gnutls-bin", "gcc", "libc6-dev"],
  programs: ["gnutls-serv", "gnutls-cli", "cc"],
  files: ["/usr/include/stdio.h"],
  version: ["gnutls-cli", ["--version"]],
  image: { dockerfile: "Dockerfile", inputs: [] },
  build: loopbackBindBuild,
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "serve-several-sni-names", "add-crl", "resume-session-id",
    // as a client
    "verify-name-other-than-sni", "verify-ip-san", "alpn", "present-client-certificate",
  ],
  cannot: {
    "reload-trust": "gnutls-serv reads its CA file and CRLs once at start and has no reload",
    "reload-identity": "gnutls-serv reads its certificate once at start and has no reload",
    "require-uri-san": "gnutls-cli has no option to require a URI SAN (--verify-hostname checks DNS and IP names only); SPIFFE ID checks are left to the application",
    "authorize-client-identity": "gnutls-serv verifies the client chain but has no option to admit only listed client identities; authorization is left to the application",
  },
};
