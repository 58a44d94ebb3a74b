// Loopback addresses and ports. Every peer gets its own 127.x.y.z host; nothing binds or
// connects outside 127.0.0.0/8 (docs/architecture.md "Network rule").
import { createServer } from "node:net";

export interface Endpoint {
  host: string;
  port: number;
}

export class NetworkError extends Error {}

/** 127.0.0.0/8 only: the harness refuses to serve or probe anywhere else. */
export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "::1" || host === "localhost";
}

let nextHost = 0;
/**
 * A fresh loopback host for one peer. The second octet comes from the process id so that parallel
 * vitest workers do not share hosts; 127.0.x.x is left for pinned addresses such as the IP-SAN profile.
 */
export function allocateLoopbackHost(): string {
  nextHost = (nextHost + 1) % (250 * 250);
  const second = 1 + (process.pid % 250);
  return `127.${second}.${1 + Math.floor(nextHost / 250)}.${1 + (nextHost % 250)}`;
}

/** Asks the kernel for a free port on `host`. A peer started right after binds it; the gap is a few ms. */
export async function allocateEndpoint(host = allocateLoopbackHost()): Promise<Endpoint> {
  if (!isLoopback(host)) throw new NetworkError(`failed to allocate endpoint: ${host} is not a loopback address`);
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error) => reject(new NetworkError(`failed to allocate a port on ${host}: ${error.message}`)));
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve({ host, port }));
    });
  });
}

export const formatEndpoint = ({ host, port }: Endpoint): string => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);
