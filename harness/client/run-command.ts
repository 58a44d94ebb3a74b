// Runs the user's command once: in its own process group (so a hang is ended with everything it
// started; execa and child_process kill only the direct child), stdin closed, a hard timeout,
// and stdout and stderr kept together, capped.
import { spawn } from "node:child_process";
import { holdGroup, releaseGroup } from "../runtime/exit-cleanup.js";

export interface CommandResult {
  /** The exit status; undefined when the command did not start, timed out or died of a signal. */
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  /** Why it did not start (ENOENT, EACCES), when it did not. */
  startError?: string;
  /** stdout and stderr as they came, at most outputLimit characters (the end kept). */
  output: string;
  durationMs: number;
}

const outputLimit = 64 * 1024;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

export function runCommand(program: string, args: string[], options: { timeoutMs: number; env: NodeJS.ProcessEnv }): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let output = "";
    let timedOut = false;
    const child = spawn(program, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], env: options.env });
    const append = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-outputLimit);
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    if (child.pid !== undefined) holdGroup(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid);
    }, options.timeoutMs);
    let finished = false;
    const finish = (result: Omit<CommandResult, "output" | "durationMs" | "timedOut">) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      // Whatever the command left running in its group goes with it.
      if (child.pid !== undefined) {
        killGroup(child.pid);
        releaseGroup(child.pid);
      }
      resolve({ ...result, timedOut, output, durationMs: Math.round(performance.now() - started) });
    };
    child.once("error", (error: NodeJS.ErrnoException) => finish({ startError: `${error.code ?? "error"}: ${error.message}` }));
    // When the command exits, what it left running in its group goes too (it could hold the pipes
    // open); the result is read on close, when the output is complete.
    child.once("exit", () => {
      if (child.pid !== undefined) killGroup(child.pid);
    });
    child.once("close", (code, signal) => finish(timedOut ? {} : { exitCode: code ?? undefined, signal: signal ?? undefined }));
  });
}
