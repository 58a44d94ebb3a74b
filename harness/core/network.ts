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

// Each process draws its peers' hosts from a block of its own, 127.b.y.z (b from 1 to 250): a port
// the kernel handed out, and freed again for the peer to bind, can be handed to another process on
// the same host in between, and that peer then fails to bind. Parallel vitest workers, and two runs
// on one machine, must not share a block. The block is leased: the process holds a socket bound to
// 127.b.0.1 on a fixed port (y and z start at 1, so no peer uses it), which another process cannot
// bind, so the next one takes the next block. It starts from the process id, so workers rarely
// have to look further. 127.0.x.x is left for pinned addresses such as the IP-SAN profile.
const blockLeasePort = 47_991;
const blocks = 250;
let leasing: Promise<number> | undefined;

function holdLease(block: number): Promise<boolean> {
  return new Promise((resolve) => {
    const marker = createServer();
    marker.once("error", () => resolve(false));
    marker.listen({ host: `127.${block}.0.1`, port: blockLeasePort, exclusive: true }, () => {
      // Held for the life of the process, without keeping it alive.
      marker.unref();
      resolve(true);
    });
  });
}

/** This process's block, leased on first use. */
function leaseBlock(): Promise<number> {
  leasing ??= (async () => {
    const first = process.pid % blocks;
    for (let offset = 0; offset < blocks; offset++) {
      const block = 1 + ((first + offset) % blocks);
      if (await holdLease(block)) return block;
    }
    throw new NetworkError(`failed to lease a block of loopback hosts: all ${blocks} are held by other processes`);
  })();
  return leasing;
}

let nextHost = 0;
/** A fresh loopback host for one peer, from this process's block (leaseBlock). */
export async function allocateLoopbackHost(): Promise<string> {
  const block = await leaseBlock();
  nextHost = (nextHost + 1) % (250 * 250);
  return `127.${block}.${1 + Math.floor(nextHost / 250)}.${1 + (nextHost % 250)}`;
}

/** Asks the kernel for a free port on `host`. A peer started right after binds it; the gap is a few ms. */
export async function allocateEndpoint(chosenHost?: string): Promise<Endpoint> {
  const host = chosenHost ?? (await allocateLoopbackHost());
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
