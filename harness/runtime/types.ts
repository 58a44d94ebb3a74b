// Where peers run. A peer adapter asks its runtime to start a program; it never knows whether that
// is a local process or a process inside the implementation's container.
export interface ManagedProcess extends AsyncDisposable {
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves true when `pattern` appears in the output after offset `from`, or false after timeoutMs. */
  waitForOutput(pattern: RegExp, timeoutMs: number, from?: number): Promise<boolean>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Text on stdout or stderr that means the peer is ready. */
  ready: RegExp;
  readyTimeoutMs: number;
  input?: string;
  description: string;
}

export interface CompletedRun {
  exitCode: number | undefined;
  output: string;
  timedOut: boolean;
}

export type RuntimeName = "process" | "container";

export interface Runtime {
  readonly name: RuntimeName;
  /** Starts a long-running program of `implementation` (e.g. "openssl") and waits until it is ready. */
  startProcess(implementation: string, command: string, args: string[], options: StartOptions): Promise<ManagedProcess>;
  /** Runs a short-lived program of `implementation` to completion, killed after timeoutMs. */
  runToCompletion(implementation: string, command: string, args: string[], options: { input?: string; timeoutMs: number }): Promise<CompletedRun>;
}
