// The long-lived form of a peer program (Java's `TlsPeer service`, Python's `tlspeer.py service`):
// one process per run and runtime that makes every client connection and runs every server of a
// run on request, so a case does not pay a process start (most of a JVM or Python case, measured). It listens on a
// loopback control endpoint the runner allocated; each request is one control connection that
// sends the mode and its flags (tab-separated) on one line and a client's request in base64 on the
// next (empty for a server), then reads the same lines the one-shot program prints. A client
// request ends with "exit: CODE" and the close; a server runs until the harness closes the
// connection. The conformance suites' global setup starts one per run (startPeerService) and each
// test file adopts it; elsewhere it is started on first use and stopped with the file
// (runtime/shared-peers.ts). Its process group is held by runtime/exit-cleanup.ts like any peer's.
import { connect, type Socket } from "node:net";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../../core/network.js";
import { OutputWatch } from "../../runtime/output-watch.js";
import { sharedPeer } from "../../runtime/shared-peers.js";
import type { Runtime } from "../../runtime/types.js";

export class PeerServiceError extends Error {}

/** How the service is started on a runtime: its implementation, command and arguments before "service". */
export interface PeerServiceProgram {
  implementation: string;
  description: string;
  command: string;
  leadingArgs: string[];
  readyTimeoutMs: number;
}

export interface PeerService {
  control: Endpoint;
  stop(): Promise<void>;
}

/** The key a service is shared under: one per implementation and runtime. */
export const peerServiceKey = (implementation: string, runtime: string): string => `${implementation} service (${runtime})`;

/**
 * Starts the program's service on `runtime`; the caller stops it. `idleExitMs`: how long it waits
 * for a request before it exits on its own (the program's default, 10 min, unless given).
 */
export async function startPeerService(runtime: Runtime, program: PeerServiceProgram, idleExitMs?: number): Promise<PeerService> {
  const control = await allocateEndpoint();
  const idle = idleExitMs === undefined ? [] : ["--idle-exit-ms", String(idleExitMs)];
  const peer = await runtime.startProcess(program.implementation, program.command, [...program.leadingArgs, "service", "--listen", formatEndpoint(control), ...idle], {
    ready: /^ready: listening on /m,
    readyTimeoutMs: program.readyTimeoutMs,
    description: `${program.description} service on ${formatEndpoint(control)}`,
  });
  return { control, stop: () => peer.stop() };
}

function peerService(runtime: Runtime, program: PeerServiceProgram): Promise<PeerService> {
  return sharedPeer(peerServiceKey(program.implementation, runtime.name), () => startPeerService(runtime, program));
}

/** One request: the lines the service wrote so far, and how to wait for more or end it. */
export interface ServiceRequest {
  output(): string;
  /** Resolves true when `pattern` appears after offset `from`, false after timeoutMs or when the service closed the request. */
  waitForOutput(pattern: RegExp, timeoutMs: number, from?: number): Promise<boolean>;
  /** Whether the service closed the request. */
  ended(): boolean;
  /** When the service last wrote to the request (Date.now()); when it was sent if never. */
  lastOutputAt(): number;
  /** Ends the request (stops a server) and waits for the close, at most 2 s. */
  close(): Promise<void>;
}

/**
 * Sends one request to the program's service (started on first use). `endInput` half-closes the
 * control connection after the request, as a client request does; a server request leaves it open.
 */
export async function requestService(runtime: Runtime, program: PeerServiceProgram, args: string[], input: string, endInput: boolean): Promise<ServiceRequest> {
  const what = `the ${program.description} service`;
  if (args.some((arg) => /[\t\n]/.test(arg))) throw new PeerServiceError(`failed to ask ${what}: an argument holds a tab or a newline`);
  const { control } = await peerService(runtime, program);
  const socket: Socket = connect({ host: control.host, port: control.port });
  let text = "";
  let ended = false;
  const watch = new OutputWatch(() => text, () => ended);
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    text += chunk;
    watch.notify();
  });
  const closed = new Promise<void>((resolve) => socket.on("close", () => {
    ended = true;
    watch.notify();
    resolve();
  }));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", (error) => reject(new PeerServiceError(`failed to ask ${what} on ${formatEndpoint(control)}: ${error.message}`)));
  });
  // After the connect, an error (a reset when the service stops) only ends the request.
  socket.on("error", () => undefined);
  const request = `${args.join("\t")}\n${Buffer.from(input).toString("base64")}\n`;
  if (endInput) socket.end(request);
  else socket.write(request);
  return {
    output: () => text,
    waitForOutput: (pattern, timeoutMs, from) => watch.waitFor(pattern, timeoutMs, from),
    ended: () => ended,
    lastOutputAt: () => watch.changedAt(),
    async close() {
      socket.end();
      const timer = setTimeout(() => socket.destroy(), 2_000);
      await closed;
      clearTimeout(timer);
    },
  };
}
