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
};
