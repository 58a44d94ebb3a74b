// The TLS implementations a scenario can run against, by the role they can play.
import { nodeClient, nodeServer } from "./peers/node.js";
import { opensslClient, opensslServer } from "./peers/openssl.js";
import type { TlsClientAdapter, TlsServerAdapter } from "./peers/types.js";

export interface Implementation {
  name: string;
  server?: TlsServerAdapter;
  client?: TlsClientAdapter;
}

export const implementations: Implementation[] = [
  { name: "node", server: nodeServer, client: nodeClient },
  { name: "openssl", server: opensslServer, client: opensslClient },
];

/** The reference peer on the side that is not under test. */
export const referenceServer: TlsServerAdapter = nodeServer;

export function implementationsFor(subject: "server" | "client"): Implementation[] {
  return implementations.filter((implementation) => implementation[subject] !== undefined);
}
