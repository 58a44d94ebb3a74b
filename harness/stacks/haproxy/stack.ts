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
  cannot: {
    "reload-trust": "HAProxy 2.6 can replace a CA or CRL file through its runtime API (set ssl ca-file, set ssl crl-file, commit), which the harness does not drive yet",
    "authorize-client-identity": "HAProxy 2.6 has no sample fetch for the client certificate's SANs (ssl_c_s_dn is the subject DN), so an ACL cannot admit by SPIFFE ID or DNS SAN",
  },
};
