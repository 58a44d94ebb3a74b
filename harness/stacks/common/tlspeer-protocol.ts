// The command line and output shared by our own peer programs, the Go crypto/tls peer
// (stacks/go/tlspeer.go), the Java JSSE peer (stacks/java/TlsPeer.java) and the Python ssl peer
// (stacks/python/tlspeer.py): the peer protocol, docs/peer-protocol.md. One module configures
// them and reads their results, one-shot or through the service form (peer-service.ts), with the
// same code.
//
// A server's default key pair is one PEM file in the server's scratch dir (--key-pair: the
// certificate, its chain, then the key), which each program re-reads at the first handshake after
// the file changed (a new inode, size or time). `rotate` writes the next pair beside it and renames
// it over the file: one atomic step for certificate, chain and key, and the switch point, since
// every handshake from then on finds the new file (docs/architecture.md, "Live rotation").
import { X509Certificate, createPrivateKey } from "node:crypto";
import { readFile, rename } from "node:fs/promises";
import { silentAccount, type Classification } from "../../core/outcome.js";
import { formatEndpoint, type Endpoint } from "../../core/network.js";
import { PeerStartError } from "../../runtime/process.js";
import type { CompletedRun, ManagedProcess, Runtime } from "../../runtime/types.js";
import { unreadOutput } from "./logged-server.js";
import { requestService } from "./peer-service.js";
import { createScratchDir, type ScratchDir } from "./scratch-dir.js";
import { applicationRequest, clientFailure, type KeyPairFiles, type Observation, type TlsClientConfig, type TlsServerConfig } from "../../core/observation.js";
import type { RunningServer, TlsClientAdapter, TlsServerAdapter } from "../types.js";
import { controlCeilingMs } from "../../runtime/deadlines.js";

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

/** `keyPair`: the default identity's file (writeKeyPair). */
export function serverArgs(config: TlsServerConfig, keyPair: string, options: { crls: boolean }): string[] {
  return [
    "server",
    "--listen",
    formatEndpoint(config.endpoint),
    "--key-pair",
    keyPair,
    "--client-auth",
    config.clientAuth,
    ...(config.clientTrust ? ["--client-ca", config.clientTrust] : []),
    ...(options.crls ? config.crls.flatMap((crl) => ["--crl", crl]) : []),
    ...Object.entries(config.sniIdentities).flatMap(([name, files]) => ["--sni", sniArg(name, files)]),
    ...(config.minVersion ? ["--min-version", config.minVersion] : []),
    ...(config.allowedIdentities ?? []).flatMap((identity) => ["--allow-identity", identity]),
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

const keyPairName = "key-pair.pem";

/**
 * Writes `identity` as one key pair file into `scratch` under `name`: certificate, chain, then the
 * key, so a file cut short lacks its key and does not load.
 */
function writeKeyPair(scratch: ScratchDir, identity: KeyPairFiles, name: string): Promise<string> {
  return scratch.concat(name, [identity.cert, ...(identity.chain ? [identity.chain] : []), identity.key], { secret: true });
}

/** Refuses a key that is not the certificate's before a rotation hands it over (the programs would keep serving the previous pair, and say so). */
async function checkKeyPair(identity: KeyPairFiles): Promise<void> {
  const [cert, key] = await Promise.all([readFile(identity.cert, "utf8"), readFile(identity.key, "utf8")]);
  if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) throw new TlsPeerConfigError(`failed to rotate to ${identity.cert}: ${identity.key} is not its private key`);
}

/** A server of one of the programs, started with its key pair file in a scratch dir of its own: rotate replaces the file. */
async function startWithKeyPair(
  runtime: Runtime,
  program: TlsPeerProgram,
  config: TlsServerConfig,
  options: { crls: boolean },
  start: (runtime: Runtime, program: TlsPeerProgram, args: string[], endpoint: Endpoint) => Promise<RunningServer>,
): Promise<RunningServer> {
  const scratch = await createScratchDir(runtime, program.implementation);
  let server: RunningServer;
  let keyPair: string;
  try {
    keyPair = await writeKeyPair(scratch, config.identity, keyPairName);
    server = await start(runtime, program, serverArgs(config, keyPair, options), config.endpoint);
  } catch (error) {
    await scratch.remove();
    throw error;
  }
  let generation = 0;
  const stop = async () => {
    await server.stop();
    await scratch.remove();
  };
  return {
    endpoint: server.endpoint,
    takeRejection: (wait) => server.takeRejection(wait),
    ...(server.reuse ? { reuse: server.reuse } : {}),
    // The rename is the switch: a handshake that starts after it finds the new file (a rename is
    // atomic and the scratch dir is the same directory in a container, bind mounted).
    async rotate(identity) {
      await checkKeyPair(identity);
      await rename(await writeKeyPair(scratch, identity, `${keyPairName}.${++generation}`), keyPair);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

export async function startProgramServer(runtime: Runtime, program: TlsPeerProgram, args: string[], endpoint: Endpoint): Promise<RunningServer> {
  const child: ManagedProcess = await runtime.startProcess(program.implementation, program.command, [...program.leadingArgs, ...args], {
    ready: /^ready: listening on /m,
    readyTimeoutMs: program.readyTimeoutMs,
    description: `${program.description} server on ${formatEndpoint(endpoint)}`,
  });
  return runningServer(program, endpoint, child, () => child.stop());
}

/** Like startProgramServer, as a request to the program's long-lived service: the same flags and lines. */
export async function startThroughService(runtime: Runtime, program: TlsPeerProgram, args: string[], endpoint: Endpoint): Promise<RunningServer> {
  const request = await requestService(runtime, program, args, "", false);
  const ready = /^ready: listening on /m;
  if (!(await request.waitForOutput(/^(ready: listening on |exit: )/m, program.readyTimeoutMs)) || !ready.test(request.output())) {
    await request.close();
    const tail = request.output().trim().split("\n").slice(-3).join(" | ");
    throw new PeerStartError(`failed to start ${program.description} server on ${formatEndpoint(endpoint)}: did not print ${ready} within ${program.readyTimeoutMs} ms${tail ? `: ${tail}` : ""}`);
  }
  return runningServer(program, endpoint, { output: request.output, waitForOutput: request.waitForOutput, lastOutputAt: request.lastOutputAt, running: () => !request.ended() }, () => request.close());
}

function runningServer(program: TlsPeerProgram, endpoint: Endpoint, lines: Pick<ManagedProcess, "output" | "waitForOutput" | "running" | "lastOutputAt">, stop: () => Promise<void>): RunningServer {
  const unread = unreadOutput(lines);
  return {
    endpoint,
    async takeRejection(wait) {
      // The server prints its verdict as soon as its handshake fails, but the pipe may deliver the
      // line a moment after the client has seen the alert (later on a loaded machine).
      const { text, settled } = await unread(/^rejected: /m, wait?.seen === "refusal" ? wait.withinMs : undefined);
      const found = text.match(rejectedLine);
      if (!found) return settled ? undefined : silentAccount(`the ${program.description} server`, wait!.withinMs);
      // The peers' own authorization check (--allow-identity) words its refusal the same in every program.
      const refusal = found.find((line) => line.startsWith("rejected: not authorized: "));
      if (refusal) return { outcome: "rejected:not-authorized", raw: refusal.slice("rejected: ".length), source: "local-verify" };
      return program.classify(found.map((line) => line.slice("rejected: ".length)).join("\n"));
    },
    reuse: { running: () => lines.running(), saidAt: () => lines.lastOutputAt() },
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

/**
 * Like connectProgramClient, as a request to the program's long-lived service: the same flags and
 * lines, hence the same observation, without a process start per connection.
 */
export async function connectThroughService(runtime: Runtime, program: TlsPeerProgram, target: Endpoint, config: TlsClientConfig, timeoutMs: number): Promise<Observation> {
  const deadlineMs = timeoutMs + program.startAllowanceMs;
  const request = await requestService(runtime, program, clientArgs(target, config, timeoutMs), applicationRequest(config.serverName ?? target.host), true);
  const answered = await request.waitForOutput(/^exit: \d+$/m, deadlineMs);
  const timedOut = !answered && !request.ended();
  await request.close();
  const text = request.output();
  const exit = /^exit: (\d+)$/m.exec(text);
  return clientObservation(program, { output: exit ? text.slice(0, exit.index) : text, exitCode: exit ? Number(exit[1]) : undefined, timedOut }, deadlineMs);
}

/** Bad configuration for one of our peer programs (a row it cannot play reached it anyway). */
export class TlsPeerConfigError extends Error {}

/**
 * The adapters of one of our peer programs (Go, Java, Python): none is a protocol-detecting sidecar
 * and the command line carries no ALPN. `form` says how it runs: "one-shot", a process per server
 * and per client connection, or "service", every server and connection as a request to its
 * long-lived process (peer-service.ts). `checkClient` throws for a client config the stack cannot
 * express.
 */
export function programAdapters(
  name: string,
  program: (runtime: Runtime) => TlsPeerProgram | Promise<TlsPeerProgram>,
  options: { form: "one-shot" | "service"; crls: boolean; checkClient?: (config: TlsClientConfig) => void },
): { server: (runtime: Runtime) => TlsServerAdapter; client: (runtime: Runtime) => TlsClientAdapter } {
  const startServer = options.form === "service" ? startThroughService : startProgramServer;
  const connectClient = options.form === "service" ? connectThroughService : connectProgramClient;
  return {
    server: (runtime) => ({
      name,
      async startServer(config) {
        const peer = await program(runtime);
        if (config.sidecar) throw new TlsPeerConfigError(`failed to configure the ${peer.description} server: it is not a protocol-detecting sidecar`);
        return startWithKeyPair(runtime, peer, config, { crls: options.crls }, startServer);
      },
    }),
    client: (runtime) => ({
      name,
      async connect(target, config, timeoutMs) {
        const peer = await program(runtime);
        if (config.alpn?.length) throw new TlsPeerConfigError(`failed to configure the ${peer.description} client: the peer program offers no ALPN`);
        options.checkClient?.(config);
        return connectClient(runtime, peer, target, config, timeoutMs);
      },
    }),
  };
}

/** A peer program's `version` line ("go crypto/tls go1.19.8 ...", "python 3.11.2 ssl OpenSSL ..."), as the runtime runs it. */
export async function programVersion(runtime: Runtime, peer: TlsPeerProgram): Promise<string> {
  const run = await runtime.runToCompletion(peer.implementation, peer.command, [...peer.leadingArgs, "version"], { timeoutMs: controlCeilingMs });
  const line = run.output.trim().split("\n")[0]?.trim();
  if (run.exitCode !== 0 || !line) throw new TlsPeerConfigError(`failed to read the ${peer.description} peer's version: ${run.output.trim() || `exit code ${run.exitCode}`}`);
  return line;
}
