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
};
