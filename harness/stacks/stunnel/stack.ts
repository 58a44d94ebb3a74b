// stunnel (5.68) as a server only: it terminates TLS in front of a plaintext app, as a sidecar does.
import type { StackDefinition } from "../types.js";
import { stunnelServer, stunnelVersion } from "./adapter.js";

export const stunnel: StackDefinition = {
  name: "stunnel",
  folder: new URL(".", import.meta.url),
  roles: { server: stunnelServer },
  runtimes: ["process", "container"],
  // perl (perl-base, in every Debian system) starts stunnel with its listening socket inherited
  // (inherited-listener.ts).
  debianPackages: ["stunnel4", "perl-base"],
  programs: ["stunnel", "perl"],
  version: stunnelVersion,
  image: { dockerfile: "Dockerfile", inputs: [] },
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "serve-several-sni-names", "reload-identity", "add-crl", "resume-session-id",
  ],
  cannot: {
    "authorize-client-identity": "stunnel verifies the client chain (and checkHost a DNS name) but has no option to admit only listed SPIFFE IDs or DNS SANs of a client",
  },
  // Our peer program's gaps, not the stack's limits: skipped as peer-not-yet.
  notYet: {
    "reload-trust": "stunnel reloads its configuration on SIGHUP, which the harness does not drive yet",
  },
};
