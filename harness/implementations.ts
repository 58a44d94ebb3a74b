// The TLS implementations a scenario can run against, by the role they can play and the runtimes
// they can run on.
import { gnutlsClient, gnutlsServer } from "./peers/gnutls.js";
import { haproxyServer } from "./peers/haproxy.js";
import { nginxServer } from "./peers/nginx.js";
import { nodeClient, nodeServer } from "./peers/node.js";
import { opensslClient, opensslServer } from "./peers/openssl.js";
import type { TlsClientAdapter, TlsServerAdapter } from "./peers/types.js";
import type { Runtime, RuntimeName } from "./runtime/types.js";

export interface Implementation {
  name: string;
  server?: TlsServerAdapter;
  client?: TlsClientAdapter;
}

interface ImplementationEntry {
  name: string;
  runtimes: RuntimeName[];
  server?: (runtime: Runtime) => TlsServerAdapter;
  client?: (runtime: Runtime) => TlsClientAdapter;
}

const catalogue: ImplementationEntry[] = [
  // node:tls runs inside the harness's own process, so it has no container form.
  { name: "node", runtimes: ["process"], server: () => nodeServer, client: () => nodeClient },
  { name: "openssl", runtimes: ["process", "container"], server: opensslServer, client: opensslClient },
  // gnutls-serv needs the loopback-bind shim that only its image carries (harness/images/gnutls).
  { name: "gnutls", runtimes: ["container"], server: gnutlsServer, client: gnutlsClient },
  // nginx and haproxy are servers only; the client side is the harness's reference prober.
  { name: "nginx", runtimes: ["container"], server: nginxServer },
  { name: "haproxy", runtimes: ["container"], server: haproxyServer },
];

/** The reference peer on the side that is not under test. */
export const referenceServer: TlsServerAdapter = nodeServer;
export const referenceClient: TlsClientAdapter = nodeClient;

/** Implementations that can play `subject` on `runtime`. */
export function implementationsFor(subject: "server" | "client", runtime: Runtime): Implementation[] {
  return catalogue
    .filter((entry) => entry.runtimes.includes(runtime.name) && entry[subject] !== undefined)
    .map((entry) => ({ name: entry.name, server: entry.server?.(runtime), client: entry.client?.(runtime) }));
}

/** Names of the implementations that run on `runtime` (the container runtime starts one container each). */
export function implementationNames(runtime: RuntimeName): string[] {
  return catalogue.filter((entry) => entry.runtimes.includes(runtime)).map((entry) => entry.name);
}
