// node:tls: runs inside the harness's own process (so it has no container form) and is the
// reference peer on the side that is not under test. Its classifier is the prober's, in the core
// (harness/core/outcome.ts classifyNodeError).
import type { StackDefinition } from "../types.js";
import { nodeClient, nodeServer } from "./adapter.js";

export const node: StackDefinition = {
  name: "node",
  folder: new URL(".", import.meta.url),
  roles: { server: () => nodeServer, client: () => nodeClient },
  runtimes: ["process"],
  debianPackages: [],
  programs: [],
  version: () => `node ${process.version} (OpenSSL ${process.versions.openssl})`,
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "serve-several-sni-names", "authorize-client-identity", "reload-identity", "reload-trust", "add-crl",
    // as a client
    "require-uri-san", "verify-name-other-than-sni", "verify-ip-san", "alpn", "present-client-certificate",
  ],
  cannot: {
    "resume-session-id":
      "a node:tls server keeps no session cache of its own (OpenSSL's internal cache is off): resuming by session ID needs the application's newSession and resumeSession handlers, which the node peer does not install (measured: a TLS 1.2 client without tickets always gets a full handshake)",
  },
};
