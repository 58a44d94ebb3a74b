// Caddy (2.6, Go crypto/tls underneath) as a server only.
import type { StackDefinition } from "../types.js";
import { caddyServer } from "./adapter.js";

export const caddy: StackDefinition = {
  name: "caddy",
  folder: new URL(".", import.meta.url),
  roles: { server: caddyServer },
  runtimes: ["process", "container"],
  debianPackages: ["caddy"],
  programs: ["caddy"],
  version: ["caddy", ["version"]],
  image: { dockerfile: "Dockerfile", inputs: [] },
  cannot: {
    "authorize-client-identity": "Caddy 2.6's tls client_authentication admits by trusted CA or pinned leaf certificate only; it has no allow-list of SPIFFE IDs or DNS SANs",
  },
};
