// curl (7.88, OpenSSL backend) as a client only: one `curl -sS -v` GET per connection.
import type { StackDefinition } from "../types.js";
import { curlClient } from "./adapter.js";

export const curl: StackDefinition = {
  name: "curl",
  folder: new URL(".", import.meta.url),
  roles: { client: curlClient },
  runtimes: ["process", "container"],
  debianPackages: ["curl"],
  programs: ["curl"],
  version: ["curl", ["--version"]],
  image: { dockerfile: "Dockerfile", inputs: [] },
  can: [
    // in either role it plays
    "tls1.3",
    // as a client
    "verify-ip-san", "alpn", "present-client-certificate",
  ],
  cannot: {
    "require-uri-san": "curl verifies the URL's host name or IP against the certificate and has no option to require a URI SAN; SPIFFE ID checks are left to the application",
    "verify-name-other-than-sni": "curl verifies the URL's host, which is also the SNI it sends (or the IP it dials when it sends none): it cannot verify another name",
  },
};
