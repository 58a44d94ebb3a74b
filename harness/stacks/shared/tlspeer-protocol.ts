// The command line and output shared by our own peer programs, the Go crypto/tls peer
// (stacks/go/tlspeer.go) and the Java JSSE peer (stacks/java/TlsPeer.java): both take the same
// --flags and print the same lines, so one module configures them and reads their results.
//
//   server: "ready: listening on ADDR", then per connection "served: VERSION CIPHER" or "rejected: ERROR"
//   client: "version: V", "cipher: C", then "response: FIRST LINE" or "error: STAGE: ERROR"
//
// A program may also have a long-lived client form (Java's "clients" mode: a JVM start is most of
// a one-shot client's time): it listens on a loopback control socket, and per control connection
// reads the client's flags on one line (tab-separated, without the mode) and the request in base64
// on the next, makes the connection, writes the same lines as the one-shot client, then
// "exit: CODE", and closes.
import { connect } from "node:net";
import type { Classification } from "../../outcome.js";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../../network.js";
import { sharedPeer } from "../../runtime/shared-peers.js";
import type { CompletedRun, ManagedProcess, Runtime } from "../../runtime/types.js";
import { applicationRequest, clientFailure, type KeyPairFiles, type Observation, type TlsClientConfig, type TlsServerConfig } from "../../observation.js";
import type { RunningServer } from "../types.js";

/** How one program is started and how its stack's error text is read. */
export interface TlsPeerProgram {
  /** The implementation name the runtime knows ("go", "java"). */
  implementation: string;
  description: string;
  command: string;
  /** Arguments before the mode ("server" / "client"), e.g. the JVM's. */
  leadingArgs: string[];
  classify(text: string): Classification;
  /** Milliseconds to wait for the ready line. */
  readyTimeoutMs: number;
  /** Added to the client's own deadline before the runtime kills it (a JVM needs time to start). */
  startAllowanceMs: number;
}

const sniArg = (name: string, files: KeyPairFiles): string => [name, files.cert, files.chain ?? "", files.key].join(",");

export function serverArgs(config: TlsServerConfig, options: { crls: boolean }): string[] {
  return [
    "server",
    "--listen",
    formatEndpoint(config.endpoint),
    "--cert",
    config.identity.cert,
    ...(config.identity.chain ? ["--chain", config.identity.chain] : []),
    "--key",
    config.identity.key,
    "--client-auth",
    config.clientAuth,
    ...(config.clientTrust ? ["--client-ca", config.clientTrust] : []),
    ...(options.crls ? config.crls.flatMap((crl) => ["--crl", crl]) : []),
    ...Object.entries(config.sniIdentities).flatMap(([name, files]) => ["--sni", sniArg(name, files)]),
  ];
}

export function clientArgs(target: Endpoint, config: TlsClientConfig, timeoutMs: number): string[] {
  return [
    "client",
    "--connect",
    formatEndpoint(target),
    ...(config.serverName ? ["--servername", config.serverName] : []),
    ...(config.trust ? ["--ca", config.trust] : []),
    ...(config.verifyName ? ["--verify-name", config.verifyName] : []),
    ...(config.verifyIp ? ["--verify-ip", config.verifyIp] : []),
    ...(config.expectIdentity ? ["--expect-uri", config.expectIdentity] : []),
    ...(config.identity ? ["--cert", config.identity.cert, ...(config.identity.chain ? ["--chain", config.identity.chain] : []), "--key", config.identity.key] : []),
    "--timeout-ms",
    String(timeoutMs),
  ];
}

const rejectedLine = /^rejected: .*$/gm;

export async function startProgramServer(runtime: Runtime, program: TlsPeerProgram, args: string[], endpoint: Endpoint): Promise<RunningServer> {
  const child: ManagedProcess = await runtime.startProcess(program.implementation, program.command, [...program.leadingArgs, ...args], {
    ready: /^ready: listening on /m,
    readyTimeoutMs: program.readyTimeoutMs,
    description: `${program.description} server on ${formatEndpoint(endpoint)}`,
  });
  let consumed = child.output().length;
  const stop = () => child.stop();
  return {
    endpoint,
    async takeRejection(waitMs) {
      // The server prints its verdict as soon as its handshake fails, but the pipe may deliver the
      // line a moment after the client has seen the alert.
      if (waitMs > 0) await child.waitForOutput(/^rejected: /m, waitMs, consumed);
      const text = child.output().slice(consumed);
      consumed += text.length;
      const lines = text.match(rejectedLine);
      if (!lines) return undefined;
      return program.classify(lines.map((line) => line.slice("rejected: ".length)).join("\n"));
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function field(output: string, label: string): string | undefined {
  return new RegExp(`^${label}: (.+)$`, "m").exec(output)?.[1]?.trim();
}

export async function connectProgramClient(runtime: Runtime, program: TlsPeerProgram, target: Endpoint, config: TlsClientConfig, timeoutMs: number): Promise<Observation> {
  const run = await runtime.runToCompletion(program.implementation, program.command, [...program.leadingArgs, ...clientArgs(target, config, timeoutMs)], {
    input: applicationRequest(config.serverName ?? target.host),
    timeoutMs: timeoutMs + program.startAllowanceMs,
  });
  return clientObservation(program, run, timeoutMs + program.startAllowanceMs);
}

/** The client's verdict from its lines, the same whether a one-shot client or the service printed them. */
function clientObservation(program: TlsPeerProgram, run: Pick<CompletedRun, "output" | "exitCode" | "timedOut">, deadlineMs: number): Observation {
  const tlsVersion = field(run.output, "version");
  const cipher = field(run.output, "cipher");
  const response = field(run.output, "response");
  if (response !== undefined) return { outcome: "accepted", tlsVersion, cipher, response, evidence: { client: response } };
  if (run.timedOut) return { outcome: "timeout", tlsVersion, cipher, evidence: { client: `${program.description} client gave no result within ${deadlineMs} ms` } };
  const error = field(run.output, "error");
  if (error === undefined) {
    return { outcome: "unclassified", tlsVersion, cipher, evidence: { client: run.output.trim() || `${program.description} client exited with ${run.exitCode} and no output` } };
  }
  const seen = program.classify(error);
  return clientFailure(seen, { tlsVersion, cipher });
}

export class ClientServiceError extends Error {}

interface ClientService {
  control: Endpoint;
  stop(): Promise<void>;
}

/** Starts (once per runtime, see runtime/shared-peers.ts) the program's long-lived client form. */
function clientService(runtime: Runtime, program: TlsPeerProgram): Promise<ClientService> {
  return sharedPeer(`${program.implementation} clients (${runtime.name})`, async () => {
    const control = await allocateEndpoint();
    const peer = await runtime.startProcess(program.implementation, program.command, [...program.leadingArgs, "clients", "--listen", formatEndpoint(control)], {
      ready: /^ready: listening on /m,
      readyTimeoutMs: program.readyTimeoutMs,
      description: `${program.description} client service on ${formatEndpoint(control)}`,
    });
    return { control, stop: () => peer.stop() };
  });
}

/** One request to a client service: its lines, or timedOut when no answer came within deadlineMs. */
function askClientService(control: Endpoint, args: string[], input: string, deadlineMs: number, what: string): Promise<Pick<CompletedRun, "output" | "exitCode" | "timedOut">> {
  if (args.some((arg) => /[\t\n]/.test(arg))) throw new ClientServiceError(`failed to ask ${what}: an argument holds a tab or a newline`);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: control.host, port: control.port });
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, deadlineMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => {
      clearTimeout(timer);
      if (!timedOut) reject(new ClientServiceError(`failed to ask ${what}: ${error.message}`));
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const exit = /^exit: (\d+)\n?$/m.exec(text);
      resolve({ output: exit ? text.slice(0, exit.index) : text, exitCode: exit ? Number(exit[1]) : undefined, timedOut: timedOut && !exit });
    });
    socket.end(`${args.join("\t")}\n${Buffer.from(input).toString("base64")}\n`);
  });
}

/**
 * Like connectProgramClient, through the program's long-lived client form: the same flags and
 * lines, hence the same observation, without a process start per connection.
 */
export async function connectThroughClientService(runtime: Runtime, program: TlsPeerProgram, target: Endpoint, config: TlsClientConfig, timeoutMs: number): Promise<Observation> {
  const service = await clientService(runtime, program);
  const [, ...args] = clientArgs(target, config, timeoutMs);
  const deadlineMs = timeoutMs + program.startAllowanceMs;
  const run = await askClientService(service.control, args, applicationRequest(config.serverName ?? target.host), deadlineMs, `the ${program.description} client service`);
  return clientObservation(program, run, deadlineMs);
}
