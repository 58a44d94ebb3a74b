// The process runtime: peers as local child processes. Each starts detached in its own process
// group so a stop kills the whole group (execa kills only the direct child; a grandchild would
// survive and keep the promise pending, measured).
import { tmpdir } from "node:os";
import { execa, type ResultPromise } from "execa";

import { holdGroup, releaseGroup } from "./exit-cleanup.js";
import { StreamOutput } from "./output.js";
import { OutputWatch } from "./output-watch.js";
import type { CompletedRun, ManagedProcess, Runtime, StartOptions } from "./types.js";

export class PeerStartError extends Error {}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Starts a long-running peer and waits until it says it is ready. */
export async function startProcess(command: string, args: string[], options: StartOptions): Promise<ManagedProcess> {
  let child: ResultPromise;
  try {
    child = execa(command, args, { detached: true, reject: false, buffer: false, stdin: options.input === undefined ? "ignore" : "pipe" });
  } catch (error) {
    throw new PeerStartError(`failed to start ${options.description}: ${(error as Error).message}`);
  }
  if (child.pid === undefined) {
    const result = await child;
    throw new PeerStartError(`failed to start ${options.description}: ${(result as { message?: string }).message ?? "no pid"}`);
  }
  const pid = child.pid;
  const output = new StreamOutput();
  let exited = false;
  const watch = new OutputWatch(() => output.merged(), () => exited);
  for (const stream of ["stdout", "stderr"] as const) {
    child[stream]?.on("data", (chunk: Buffer) => {
      output.append(stream, chunk);
      watch.notify();
    });
  }
  const done = child.then(() => {
    output.end();
    exited = true;
    watch.notify();
  });
  if (options.input !== undefined) child.stdin?.end(options.input);

  const managed: ManagedProcess = {
    pid,
    output: () => output.merged(),
    waitForOutput: (pattern, timeoutMs, from) => watch.waitFor(pattern, timeoutMs, from),
    async stop() {
      if (!exited) {
        killGroup(pid, "SIGTERM");
        // The grace timer is cleared once the group exits: left pending, it held the event loop
        // of the process that stopped the peer for 2 s (the end of every run, measured).
        let grace: NodeJS.Timeout | undefined;
        const stopped = await Promise.race([done.then(() => true), new Promise<boolean>((r) => (grace = setTimeout(() => r(false), 2_000)))]);
        clearTimeout(grace);
        if (!stopped) killGroup(pid, "SIGKILL");
      }
      await done;
      releaseGroup(pid);
    },
    [Symbol.asyncDispose]() {
      return managed.stop();
    },
  };
  holdGroup(pid);

  if (!(await managed.waitForOutput(options.ready, options.readyTimeoutMs))) {
    await managed.stop();
    const tail = output.merged().trim().split("\n").slice(-3).join(" | ");
    throw new PeerStartError(
      `failed to start ${options.description}: did not print ${options.ready} within ${options.readyTimeoutMs} ms${exited ? " (it exited)" : ""}${tail ? `: ${tail}` : ""}`,
    );
  }
  return managed;
}

/** Runs a short-lived command to completion with a timeout; the process group is killed on timeout. */
export async function runToCompletion(
  command: string,
  args: string[],
  options: { input?: string; timeoutMs: number },
): Promise<CompletedRun> {
  const child = execa(command, args, { detached: true, reject: false, buffer: false, input: options.input, stdin: options.input === undefined ? "ignore" : undefined });
  const output = new StreamOutput();
  for (const stream of ["stdout", "stderr"] as const) child[stream]?.on("data", (chunk: Buffer) => output.append(stream, chunk));
  if (child.pid !== undefined) holdGroup(child.pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
  }, options.timeoutMs);
  try {
    const result = await child;
    output.end();
    return { exitCode: result.exitCode, output: output.merged(), stdout: output.stream("stdout"), stderr: output.stream("stderr"), timedOut };
  } finally {
    clearTimeout(timer);
    if (child.pid !== undefined) releaseGroup(child.pid);
  }
}

/** Peers as local processes: the embedded default. */
export const processRuntime: Runtime = {
  name: "process",
  scratchRoot: tmpdir(),
  startProcess: (_implementation, command, args, options) => startProcess(command, args, options),
  runToCompletion: (_implementation, command, args, options) => runToCompletion(command, args, options),
};
