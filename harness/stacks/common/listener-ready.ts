// Waits until a TCP socket listens on an endpoint, by reading the kernel's socket table instead of
// connecting (a probe connection would show up in the peer's log as a failed handshake). Peers run
// in the harness's network namespace on either runtime (containers use network mode host), so
// /proc/net/tcp lists their sockets.
import { open, readFile } from "node:fs/promises";
import { formatEndpoint, type Endpoint } from "../../core/network.js";
import { readinessCeilingMs } from "../../runtime/deadlines.js";

const tcpListen = "0A"; // TCP_LISTEN in include/net/tcp_states.h

/** "127.1.2.3":443 as /proc/net/tcp writes it: the address as a little-endian hex word, the port as hex. */
function procNetAddress({ host, port }: Endpoint): string {
  const octets = host.split(".").map(Number);
  const address = octets
    .reverse()
    .map((octet) => octet.toString(16).padStart(2, "0"))
    .join("");
  return `${address}:${port.toString(16).padStart(4, "0")}`.toUpperCase();
}

/**
 * The kernel lists listening sockets first, then every other (established, TIME_WAIT...), so the
 * table is read a page at a time and no further than its listening part: on a machine with
 * ~2000 sockets (parallel runs' TIME_WAITs) reading it all cost the kernel a walk of its whole
 * connection hash at every poll (perf: 0.5 s of a 748-case run's CPU).
 */
export async function isListening(endpoint: Endpoint): Promise<boolean> {
  const wanted = procNetAddress(endpoint);
  const table = await open("/proc/net/tcp", "r");
  try {
    const page = Buffer.alloc(4_096);
    let pending = "";
    for (let header = true; ; ) {
      const { bytesRead } = await table.read(page, 0, page.length, null);
      if (bytesRead === 0) return false;
      const lines = (pending + page.toString("latin1", 0, bytesRead)).split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (header) {
          header = false;
          continue;
        }
        const fields = line.trim().split(/\s+/);
        if (fields[3] !== tcpListen) return false;
        if (fields[1] === wanted) return true;
      }
    }
  } finally {
    await table.close();
  }
}

async function pollUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function waitUntilListening(endpoint: Endpoint, timeoutMs: number): Promise<boolean> {
  return pollUntil(() => isListening(endpoint), timeoutMs);
}

const unixAcceptFlag = 0x10000; // __SO_ACCEPTCON: the socket is listening

export async function isListeningUnix(path: string): Promise<boolean> {
  const table = await readFile("/proc/net/unix", "utf8");
  return table.split("\n").some((line) => {
    const fields = line.trim().split(/\s+/);
    // HAProxy binds "<path>.<pid>.tmp" and renames it; the table keeps the bound name.
    return (fields[7] === path || fields[7]?.startsWith(`${path}.`)) && (parseInt(fields[3] ?? "0", 16) & unixAcceptFlag) !== 0;
  });
}

export function waitUntilListeningUnix(path: string, timeoutMs: number): Promise<boolean> {
  return pollUntil(() => isListeningUnix(path), timeoutMs);
}

export class ListenerStartError extends Error {}

const listenTimeoutMs = readinessCeilingMs;

/**
 * A server's ready line can come after bind() but before listen() (measured with haproxy: a
 * connection right after it was refused once in ~180): wait for the socket (and any other listener
 * `alsoListening` checks); a server that does not listen in time is stopped and its start fails.
 */
export async function stopUnlessListening(server: { stop(): Promise<void> }, endpoint: Endpoint, name: string, alsoListening?: () => Promise<boolean>): Promise<void> {
  if ((await waitUntilListening(endpoint, listenTimeoutMs)) && (!alsoListening || (await alsoListening()))) return;
  await server.stop();
  throw new ListenerStartError(`failed to start ${name} on ${formatEndpoint(endpoint)}: it did not listen within ${listenTimeoutMs} ms`);
}
