// What a TLS stack is to the harness: its adapters (the seams between the scenario runner and the
// stack's programs) and its definition, the data every other part reads (the implementation list,
// image builds, host builds, CI's package list, version reporting, derived skips).
import type { Deviation } from "../core/scenario.js";
import type { Capability, Incapacities } from "../core/capabilities.js";
import type { Classification } from "../core/outcome.js";
import type { Endpoint } from "../core/network.js";
import type { ClientTrust, KeyPairFiles, Observation, TlsClientConfig, TlsServerConfig } from "../core/observation.js";
import type { Runtime, RuntimeName } from "../runtime/types.js";
import type { PeerServiceProgram } from "./common/peer-service.js";

/** What the client saw of a connection, for the server to know whether its account is still to come. */
export interface AccountWait {
  /**
   * What the client saw: a refusal not its own (an alert, a reset, or it could not tell), its own
   * verify refusing the server, an accepted exchange, or anything else (a timeout).
   */
  seen: "refusal" | "own-refusal" | "accepted" | "other";
  /**
   * The most to wait for the line that settles it: a bound for a loaded machine, not a delay (the
   * wait ends when the line arrives). Reaching it is said in the account, never silently.
   */
  withinMs: number;
}

export interface RunningServer extends AsyncDisposable {
  endpoint: Endpoint;
  /**
   * What the server's own stack said about connections since the last call, if it rejected one.
   * With `wait`, first waits for the stack's account of what the client saw (see AccountWait);
   * without it, takes what is there.
   */
  takeRejection(wait?: AccountWait): Promise<Classification | undefined>;
  /**
   * Serves `identity` without a restart: resolves once every connection accepted from then on gets
   * it (connections in flight keep the old one). Present when the stack can (capability reload-identity).
   */
  rotate?(identity: KeyPairFiles): Promise<void>;
  /**
   * Checks client certificates against `trust` from now on, keeping the session state (cache and
   * ticket keys) so a session issued before may be offered after; resolves once every connection
   * accepted from then on gets the new trust. Present when the stack can (capability reload-trust).
   */
  retrust?(trust: ClientTrust): Promise<void>;
  /**
   * Present when the server can serve cases one after another, so the runner may keep it for the
   * next case with the same configuration (runner/server-pool.ts): whether it still runs, and when
   * it last said anything (Date.now(); its log's last line), for the runner to offer it only once
   * it has gone quiet. `inProcess`: it runs in the harness's process and records a connection's end
   * as it happens, so nothing of a finished case can reach it after it has gone quiet; with
   * `openConnections` it is offered as soon as it has none open and a few ms have passed since
   * the last one closed (server-pool.ts inProcessQuietMs).
   */
  reuse?: { running(): boolean; saidAt(): number; inProcess?: boolean; openConnections?(): number };
  stop(): Promise<void>;
}

export interface TlsServerAdapter {
  readonly name: string;
  /** The stack is its own sidecar (haproxy): scenarios with a sidecar mode pass `sidecar` instead of putting the reference sidecar in front. */
  readonly detectsProtocol?: boolean;
  startServer(config: TlsServerConfig): Promise<RunningServer>;
}

export interface TlsClientAdapter {
  readonly name: string;
  /** Handshakes, sends an HTTP request, reads the answer: a rejection on the first read counts. */
  connect(target: Endpoint, config: TlsClientConfig, timeoutMs: number): Promise<Observation>;
}

/** A command line: the executable and its arguments. */
export type Command = [command: string, args: string[]];

/**
 * A program of our own that a stack runs (a peer program, a shim): built on the host for the
 * process runtime (stacks/common/program-build.ts, cached by a hash of sources and recipe), built
 * by the stack's Dockerfile for the container runtime and installed at `inContainer`.
 */
export interface ProgramBuild {
  /** Names the cache directory: mtls-conformance-peers-<name>-<hash>. */
  name: string;
  /** For errors: what it is and the package that provides its compiler. */
  description: string;
  /** Source files, relative to the stack's folder; they are also inputs of its image. */
  sources: string[];
  /** The host build into `out` (an empty directory); `sources` are absolute paths here. */
  command(out: string, sources: string[]): { command: string; args: string[]; env?: Record<string, string> };
  /** Everything else that changes the output (flags), hashed into the cache key with the sources. */
  recipe?: string[];
  /** The result inside `out`: a file name, or "" for the directory itself (a class path). */
  artifact: string;
  /** Where the stack's image installs the same program. */
  inContainer: string;
}

export interface StackDefinition {
  name: string;
  /** The folder the definition lives in (new URL(".", import.meta.url)); paths below are relative to it. */
  folder: URL;
  /** The roles it can play, as adapter factories for a runtime. */
  roles: { server?: (runtime: Runtime) => TlsServerAdapter; client?: (runtime: Runtime) => TlsClientAdapter };
  runtimes: RuntimeName[];
  /** Debian packages the process runtime needs on the host (CI installs them; images install their own). */
  debianPackages: string[];
  /** Executables the process runtime needs on the host (looked up on PATH). */
  programs: string[];
  /** Files the process runtime needs on the host beside the programs (a header a build step includes). */
  files?: string[];
  /** The command that prints the version (its first line is kept), or a function that finds it on a runtime. */
  version: Command | ((runtime: Runtime) => string | Promise<string>);
  /** Its container image: the Dockerfile in the folder, built with `inputs` (files of the folder) beside it. */
  image?: { dockerfile: string; inputs: string[] };
  /** A program of our own it runs, when it has one. */
  build?: ProgramBuild;
  /**
   * Its long-lived peer process, when its adapters run through one (stacks/common/peer-service.ts):
   * the conformance suites' global setup starts it once per run and runtime.
   */
  service?: (runtime: Runtime) => Promise<PeerServiceProgram>;
  /**
   * The capabilities it can do (harness/core/capabilities.ts), for the roles it plays: a row that
   * needs one it does not list is skipped ("<stack> does not declare <capability>").
   */
  can: readonly Capability[];
  /** Of the rest, what it cannot do, each with the reason: rows that need one of these are skipped with that reason. */
  cannot?: Incapacities;
  /**
   * What the stack can do but our peer program or adapter does not drive yet, each with the reason:
   * skipped like `cannot`, but reported as our gap (skip-kind peer-not-yet), not the stack's limit.
   */
  notYet?: Incapacities;
  /** Where it legitimately differs from a row's policy, keyed by scenario id (like a row's `deviations`, kept with the stack). */
  deviations?: Record<string, Deviation>;
}
