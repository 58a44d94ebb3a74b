// nginx (1.22) as a server only, and its own protocol detector (stream + ssl_preread); the client
// side is the harness's reference prober.
import type { StackDefinition } from "../types.js";
import { nginxServer } from "./adapter.js";

export const nginx: StackDefinition = {
  name: "nginx",
  folder: new URL(".", import.meta.url),
  roles: { server: nginxServer },
  runtimes: ["process", "container"],
  // libnginx-mod-stream: the stream module with ssl_preread, its own protocol detector (modes rows).
  debianPackages: ["nginx", "libnginx-mod-stream"],
  programs: ["nginx"],
  files: ["/usr/lib/nginx/modules/ngx_stream_module.so"],
  version: ["nginx", ["-v"]],
  image: { dockerfile: "Dockerfile", inputs: [] },
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "serve-several-sni-names", "reload-identity", "reload-trust", "add-crl", "resume-session-id",
  ],
  cannot: { "authorize-client-identity": "nginx 1.22 has no variable with the client certificate's SANs ($ssl_client_s_dn is the subject DN), so without a scripting module it cannot admit by SPIFFE ID or DNS SAN" },
};
