// Where peers run. A peer adapter asks its runtime to start a program; it never knows whether that
// is a local process or a process inside the implementation's container.
export interface ManagedProcess extends AsyncDisposable {
  readonly pid: number;
  /**
   * Everything the process wrote to stdout and stderr so far, merged by whole lines (see
   * output.ts); a line still without its newline joins when it gets one or the process exits.
   */
  output(): string;
  /** Resolves true when `pattern` appears in the output after offset `from`, or false after timeoutMs. */
  waitForOutput(pattern: RegExp, timeoutMs: number, from?: number): Promise<boolean>;
  /** Whether it is still running (it has not exited and was not stopped). */
  running(): boolean;
  /** When it last wrote output (Date.now()); when it started if never. */
  lastOutputAt(): number;
  stop(): Promise<void>;
}

/** How a runtime starts a long-running peer: it reads no input. */
export interface PeerStartOptions {
  /** Text on stdout or stderr that means the peer is ready. */
  ready: RegExp;
  readyTimeoutMs: number;
  description: string;
}

/** How the process runtime starts one: also with input written to stdin, or stdin held open. */
export interface StartOptions extends PeerStartOptions {
  input?: string;
  /**
   * stdin is a pipe held open until the process is stopped (no input written): the program may take
   * its end as the order to stop (the container runtime's lifeline, container.ts).
   */
  holdStdin?: boolean;
  /** The program's whole environment (the container runtime's nsenter entry: the image's), instead of the harness's. */
  env?: NodeJS.ProcessEnv;
}

export interface CompletedRun {
  exitCode: number | undefined;
  /** stdout and stderr merged by whole lines: no order between the two streams is implied. */
  output: string;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export type RuntimeName = "process" | "container";

export const runtimeNames: readonly RuntimeName[] = ["process", "container"];

export class RuntimeSelectionError extends Error {}

/** MTLS_RUNTIME: process (the default) or container. */
export function runtimeNameFrom(value: string | undefined): RuntimeName {
  if (value === undefined || value === "") return "process";
  if ((runtimeNames as readonly string[]).includes(value)) return value as RuntimeName;
  throw new RuntimeSelectionError(`failed to select a runtime: MTLS_RUNTIME=${value} is not one of ${runtimeNames.join(", ")}`);
}

/**
 * MTLS_CONTAINER_ENTRY: how a peer gets into its implementation's container. nsenter enters the
 * container's mount, pid, uts and ipc namespaces from the host (root only); docker-exec asks the
 * engine. Unset: nsenter where it can, docker exec elsewhere (harness/host/container-entry.ts).
 */
export type ContainerEntryChoice = "nsenter" | "docker-exec";

export const containerEntryChoices: readonly ContainerEntryChoice[] = ["nsenter", "docker-exec"];

export function containerEntryFrom(value: string | undefined): ContainerEntryChoice | undefined {
  if (value === undefined || value === "") return undefined;
  if ((containerEntryChoices as readonly string[]).includes(value)) return value as ContainerEntryChoice;
  throw new RuntimeSelectionError(`failed to select how peers enter their containers: MTLS_CONTAINER_ENTRY=${value} is not one of ${containerEntryChoices.join(", ")}`);
}

export interface RunOptions {
  input?: string;
  holdInput?: boolean;
  timeoutMs: number;
}

export interface Runtime {
  readonly name: RuntimeName;
  /**
   * A directory the harness and the peers both see at the same path, where adapters write the
   * files they generate (configs, combined PEMs, logs). Under the container runtime it is bind
   * mounted into every container; the fixtures are mounted read-only at their own path.
   */
  readonly scratchRoot: string;
  /** Starts a long-running program of `implementation` (e.g. "openssl") and waits until it is ready. */
  startProcess(implementation: string, command: string, args: string[], options: PeerStartOptions): Promise<ManagedProcess>;
  /**
   * Runs a short-lived program of `implementation` to completion, killed after timeoutMs. `input`
   * is written to its stdin, which is then closed, or with `holdInput` left open until it exits
   * (for a program that ends on stdin's end before its answer has come).
   */
  runToCompletion(implementation: string, command: string, args: string[], options: RunOptions): Promise<CompletedRun>;
}
