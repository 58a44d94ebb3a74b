// Java's JSSE through our peer program (TlsPeer.java), compiled on the host on first use and
// inside the image for the container runtime (which runs it on a JRE).
import type { StackDefinition } from "../types.js";
import { javaClient, javaProgram, javaServer } from "./adapter.js";
import { javaPeerBuild } from "./program.js";

export const java: StackDefinition = {
  name: "java",
  folder: new URL(".", import.meta.url),
  roles: { server: javaServer, client: javaClient },
  runtimes: ["process", "container"],
  debianPackages: ["openjdk-17-jdk-headless"],
  programs: ["javac", "java"],
  version: ["java", ["-version"]],
  image: { dockerfile: "Dockerfile", inputs: [] },
  build: javaPeerBuild,
  service: javaProgram,
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "serve-several-sni-names", "authorize-client-identity", "reload-identity", "add-crl", "resume-session-id",
    // as a client
    "require-uri-san", "verify-ip-san", "present-client-certificate",
  ],
  cannot: {
    "verify-name-other-than-sni":
      "JSSE's HTTPS endpoint identification checks the SNI name first and falls back to the peer host only when that fails (X509TrustManagerImpl.checkAdditionalTrust), so the Java client cannot insist on a name other than the one it sends",
  },
  // Our peer program's gaps, not the stack's limits: skipped as peer-not-yet.
  notYet: {
    alpn: "the Java peer program offers no ALPN",
    "reload-trust": "the Java peer program builds its trust manager once per server (changing it while keeping the SSLSessionContext is not implemented)",
  },
};
