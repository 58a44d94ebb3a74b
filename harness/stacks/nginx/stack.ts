// nginx (1.22) as a server only; the client side is the harness's reference prober.
import type { StackDefinition } from "../types.js";
import { nginxServer } from "./adapter.js";

export const nginx: StackDefinition = {
  name: "nginx",
  folder: new URL(".", import.meta.url),
  roles: { server: nginxServer },
  runtimes: ["process", "container"],
  debianPackages: ["nginx"],
  programs: ["nginx"],
  version: ["nginx", ["-v"]],
  image: { dockerfile: "Dockerfile", inputs: [] },
  can: [
    // as a server
    "serve-several-sni-names", "reload-identity", "reload-trust", "add-crl", "resume-session-id",
  ],
  cannot: { "authorize-client-identity": "nginx 1.22 has no variable with the client certificate's SANs ($ssl_client_s_dn is the subject DN), so without a scripting module it cannot admit by SPIFFE ID or DNS SAN" },
};
