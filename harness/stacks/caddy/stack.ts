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
    "reload-trust": "Caddy 2.6 can load a new config through its admin API, which the harness disables (admin.disabled) and does not drive yet",
    "authorize-client-identity": "Caddy 2.6's tls client_authentication admits by trusted CA or pinned leaf certificate only; it has no allow-list of SPIFFE IDs or DNS SANs",
    "reload-identity": "Caddy 2.6 can load a new config through its admin API, which the harness disables (admin.disabled) and does not drive yet",
  },
};
