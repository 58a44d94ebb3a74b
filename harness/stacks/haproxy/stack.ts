// HAProxy (2.6) as a server only, and its own protocol-detecting sidecar.
import type { StackDefinition } from "../types.js";
import { haproxyServer } from "./adapter.js";

export const haproxy: StackDefinition = {
  name: "haproxy",
  folder: new URL(".", import.meta.url),
  roles: { server: haproxyServer },
  runtimes: ["process", "container"],
  debianPackages: ["haproxy"],
  programs: ["haproxy"],
  version: ["haproxy", ["-v"]],
  image: { dockerfile: "Dockerfile", inputs: [] },
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "serve-several-sni-names", "reload-identity", "reload-trust", "resume-session-id",
  ],
  cannot: {
    "add-crl": "HAProxy 2.6's runtime API replaces only a crl-file the bind's configuration declared (set ssl crl-file answers \"Can't replace a CRL file which is not referenced by the configuration!\"), and a bind cannot declare an empty one, so a server started without CRLs cannot start checking them without a reload",
    "authorize-client-identity": "HAProxy 2.6 has no sample fetch for the client certificate's SANs (ssl_c_s_dn is the subject DN), so an ACL cannot admit by SPIFFE ID or DNS SAN",
  },
};
