// Go's crypto/tls through our peer program (tlspeer.go), built on the host on first use and inside
// the image for the container runtime. The version is the Go release compiled into the peer.
import type { StackDefinition } from "../types.js";
import { goClient, goServer, goVersion } from "./adapter.js";
import { goPeerBuild } from "./program.js";

export const go: StackDefinition = {
  name: "go",
  folder: new URL(".", import.meta.url),
  roles: { server: goServer, client: goClient },
  runtimes: ["process", "container"],
  debianPackages: ["golang-go"],
  programs: ["go"],
  version: goVersion,
  image: { dockerfile: "Dockerfile", inputs: [] },
  build: goPeerBuild,
  // Our peer program's gaps, not the stack's limits: skipped as peer-not-yet.
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "serve-several-sni-names", "authorize-client-identity", "reload-identity", "resume-session-id",
    // as a client
    "require-uri-san", "verify-name-other-than-sni", "verify-ip-san", "present-client-certificate",
  ],
  notYet: {
    "reload-trust": "the Go peer program builds its tls.Config once at start (changing ClientCAs while keeping its session ticket keys is not implemented)",
    alpn: "the Go peer program offers no ALPN",
  },
};
