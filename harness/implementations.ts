// The TLS implementations a scenario can run against, by the role they can play and the runtimes
// they can run on.
import { gnutlsClient, gnutlsServer } from "./peers/gnutls.js";
import { goClient, goServer, goVersion } from "./peers/go.js";
import { javaClient, javaServer } from "./peers/java.js";
import { haproxyServer } from "./peers/haproxy.js";
import { nginxServer } from "./peers/nginx.js";
import { nodeClient, nodeServer } from "./peers/node.js";
import { opensslClient, opensslServer } from "./peers/openssl.js";
import { caddyServer } from "./peers/caddy.js";
import { curlClient } from "./peers/curl.js";
import { stunnelServer, stunnelVersion } from "./peers/stunnel.js";
import type { TlsClientAdapter, TlsServerAdapter } from "./peers/types.js";
import type { Runtime, RuntimeName } from "./runtime/types.js";

export interface Implementation {
  name: string;
  server?: TlsServerAdapter;
  client?: TlsClientAdapter;
  /** The stack's own version line, as the runtime runs it (memoized). */
  version(): Promise<string>;
}

interface ImplementationEntry {
  name: string;
  runtimes: RuntimeName[];
  server?: (runtime: Runtime) => TlsServerAdapter;
  client?: (runtime: Runtime) => TlsClientAdapter;
  /** The command that prints the version (its first line is kept), or a function that finds it on a runtime. */
  version: [command: string, args: string[]] | ((runtime: Runtime) => string | Promise<string>);
}

const catalogue: ImplementationEntry[] = [
  // node:tls runs inside the harness's own process, so it has no container form.
  { name: "node", runtimes: ["process"], server: () => nodeServer, client: () => nodeClient, version: () => `node ${process.version} (OpenSSL ${process.versions.openssl})` },
  { name: "openssl", runtimes: ["process", "container"], server: opensslServer, client: opensslClient, version: ["openssl", ["version"]] },
  // Built from harness/peers/go and harness/peers/java: on the host on first use (peers/build-peers.ts),
  // inside their images for the container runtime. The Go version is the one compiled into the peer.
  { name: "go", runtimes: ["process", "container"], server: goServer, client: goClient, version: goVersion },
  { name: "java", runtimes: ["process", "container"], server: javaServer, client: javaClient, version: ["java", ["-version"]] },
  // gnutls-serv runs under the loopback-bind shim on both runtimes (harness/images/gnutls/loopback-bind.c).
  { name: "gnutls", runtimes: ["process", "container"], server: gnutlsServer, client: gnutlsClient, version: ["gnutls-cli", ["--version"]] },
  // nginx and haproxy are servers only; the client side is the harness's reference prober.
  { name: "nginx", runtimes: ["process", "container"], server: nginxServer, version: ["nginx", ["-v"]] },
  { name: "haproxy", runtimes: ["process", "container"], server: haproxyServer, version: ["haproxy", ["-v"]] },
  // caddy is a server (Go crypto/tls); stunnel terminates TLS in front of a plaintext app, as a
  // sidecar does; curl is a client only.
  { name: "caddy", runtimes: ["process", "container"], server: caddyServer, version: ["caddy", ["version"]] },
  { name: "stunnel", runtimes: ["process", "container"], server: stunnelServer, version: stunnelVersion },
  { name: "curl", runtimes: ["process", "container"], client: curlClient, version: ["curl", ["--version"]] },
];

/** The reference peer on the side that is not under test. */
export const referenceServer: TlsServerAdapter = nodeServer;
export const referenceClient: TlsClientAdapter = nodeClient;

const versions = new Map<string, Promise<string>>();
function versionOf(entry: ImplementationEntry, runtime: Runtime): Promise<string> {
  const key = `${entry.name}@${runtime.name}`;
  if (!versions.has(key)) {
    const version = typeof entry.version === "function"
      ? Promise.resolve(runtime).then(entry.version).catch(() => "unknown")
      : runtime
          .runToCompletion(entry.name, entry.version[0], entry.version[1], { timeoutMs: 10_000 })
          .then((run) => run.output.trim().split("\n")[0]?.trim() || "unknown")
          .catch(() => "unknown");
    versions.set(key, version);
  }
  return versions.get(key)!;
}

/** Implementations that can play `subject` on `runtime`. */
export function implementationsFor(subject: "server" | "client", runtime: Runtime): Implementation[] {
  return catalogue
    .filter((entry) => entry.runtimes.includes(runtime.name) && entry[subject] !== undefined)
    .map((entry) => ({ name: entry.name, server: entry.server?.(runtime), client: entry.client?.(runtime), version: () => versionOf(entry, runtime) }));
}

/** Names of the implementations that run on `runtime` (the container runtime starts one container each). */
export function implementationNames(runtime: RuntimeName): string[] {
  return catalogue.filter((entry) => entry.runtimes.includes(runtime)).map((entry) => entry.name);
}
