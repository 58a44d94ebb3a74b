// The openssl CLI: s_server and s_client (OpenSSL 3.0).
import type { StackDefinition } from "../types.js";
import { opensslClient, opensslServer } from "./adapter.js";

export const openssl: StackDefinition = {
  name: "openssl",
  folder: new URL(".", import.meta.url),
  roles: { server: opensslServer, client: opensslClient },
  runtimes: ["process", "container"],
  debianPackages: ["openssl"],
  programs: ["openssl"],
  version: ["openssl", ["version"]],
  image: { dockerfile: "Dockerfile", inputs: [] },
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "add-crl", "resume-session-id",
    // as a client
    "verify-name-other-than-sni", "verify-ip-san", "alpn", "present-client-certificate",
  ],
  cannot: {
    "reload-trust": "openssl s_server reads its CA file and CRLs once at start and has no reload",
    "reload-identity": "openssl s_server reads its certificate once at start and has no reload",
    "require-uri-san": "openssl s_client has no option to require a URI SAN; SPIFFE ID checks are left to the application",
    "serve-several-sni-names": "openssl s_server serves at most one SNI name (-servername with -cert2)",
    "authorize-client-identity": "openssl s_server verifies the client chain but has no option to admit only listed client identities; authorization is left to the application",
  },
};
