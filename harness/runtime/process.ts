// The process runtime: peers as local child processes. Each starts detached in its own process
// group so a stop kills the whole group (killing only the direct child would leave a grandchild
// that holds the pipes open, and the peer's end pending, measured). Started through the process
// launcher (launcher.ts), else with node's own child_process.spawn: execa cost the test worker
// measurably more CPU per start (docs/performance.md, "Figures behind code choices").
import { spawn } from "node:child_process";
import { accessSync, constants, statfsSync } from "node:fs";
import { tmpdir } from "node:os";

import { holdGroup, releaseGroup } from "./exit-cleanup.js";
import { LaunchError, processLauncher } from "./launcher.js";
import { StreamOutput } from "./output.js";
import { OutputWatch } from "./output-watch.js";
import type { CompletedRun, ManagedProcess, RunOptions, Runtime, StartOptions } from "./types.js";

export class PeerStartError extends Error {}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

interface Spawned {
  /** Undefined when the program did not start (the cause is in `closed`). */
  pid: number | undefined;
  /** Settles once the process has exited and both pipes are closed (grandchildren may hold them). */
  closed: Promise<{ exitCode: number | undefined; error?: Error }>;
}

type Closed = Awaited<Spawned["closed"]>;

/** node's own spawn: the fallback where the process launcher is not available (runtime/launcher.ts). */
function spawnWithNode(command: string, args: string[], output: StreamOutput, onOutput: () => void, input: string | undefined, holdStdin: boolean, env?: NodeJS.ProcessEnv): Spawned {
  const child = spawn(command, args, { detached: true, stdio: [input === undefined && !holdStdin ? "ignore" : "pipe", "pipe", "pipe"], ...(env ? { env } : {}) });
  for (const stream of ["stdout", "stderr"] as const) {
    child[stream]?.on("data", (chunk: Buffer) => {
      output.append(stream, chunk);
      onOutput();
    });
  }
  let error: Error | undefined;
  const closed = new Promise<Closed>((resolve) => {
    child.once("error", (cause) => {
      error = cause;
      // A failed spawn closes its pipes too, but do not depend on it.
      if (child.pid === undefined) resolve({ exitCode: undefined, error });
    });
    // A signalled process has no exit code (null here), as before.
    child.once("close", (code) => resolve({ exitCode: code ?? undefined, error }));
  });
  // A program that exits without reading its input makes the write fail with EPIPE: not an error of ours.
  child.stdin?.on("error", () => undefined);
  if (input !== undefined && holdStdin) child.stdin!.write(input);
  else if (input !== undefined) child.stdin!.end(input);
  return { pid: child.pid, closed };
}

/**
 * Spawns in a process group of its own with stdout and stderr piped into `output`; `input`, when
 * given, is written to stdin and stdin closed; with `holdStdin` stdin is a pipe left open (after the
 * input, if any) until the process ends; else stdin is /dev/null. Through the process launcher
 * where there is one (node's spawn forks this process: about 4% of a catalogue run's CPU,
 * docs/performance.md), else with node's spawn. Never rejects for the program: one that cannot
 * start (not found) comes back without a pid and with the error in `closed`.
 */
async function spawnGroup(command: string, args: string[], output: StreamOutput, onOutput: () => void, input: string | undefined, holdStdin = false, env?: NodeJS.ProcessEnv): Promise<Spawned> {
  const launcher = await processLauncher();
  if (!launcher) return spawnWithNode(command, args, output, onOutput, input, holdStdin, env);
  let settle!: (closed: Closed) => void;
  const closed = new Promise<Closed>((resolve) => (settle = resolve));
  try {
    const program = await launcher.spawn(command, args, { input: input === undefined && !holdStdin ? "ignore" : "pipe", env: env ?? process.env }, {
      output(stream, chunk) {
        output.append(stream, chunk);
        onOutput();
      },
      closed: (exitCode, error) => settle({ exitCode, ...(error ? { error } : {}) }),
    });
    if (input !== undefined) program.write(input);
    if (input !== undefined && !holdStdin) program.endInput();
    return { pid: program.pid, closed };
  } catch (error) {
    if (error instanceof LaunchError) return { pid: undefined, closed: Promise.resolve({ exitCode: undefined, error }) };
    throw error;
  }
}

/** Starts a long-running peer and waits until it says it is ready. */
export async function startProcess(command: string, args: string[], options: StartOptions): Promise<ManagedProcess> {
  const output = new StreamOutput();
  let exited = false;
  let stopping = false;
  const watch = new OutputWatch(() => output.merged(), () => exited);
  let spawned: Spawned;
  try {
    spawned = await spawnGroup(command, args, output, () => watch.notify(), options.input, options.holdStdin, options.env);
  } catch (error) {
    throw new PeerStartError(`failed to start ${options.description}: ${(error as Error).message}`);
  }
  const { pid: started, closed } = spawned;
  if (started === undefined) {
    const { error } = await closed;
    throw new PeerStartError(`failed to start ${options.description}: ${error?.message ?? "no pid"}`);
  }
  const pid = started;
  const done = closed.then(() => {
    output.end();
    exited = true;
    watch.notify();
  });

  const managed: ManagedProcess = {
    pid,
    output: () => output.merged(),
    waitForOutput: (pattern, timeoutMs, from) => watch.waitFor(pattern, timeoutMs, from),
    running: () => !exited && !stopping,
    lastOutputAt: () => watch.changedAt(),
    async stop() {
      stopping = true;
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
export async function runToCompletion(command: string, args: string[], options: RunOptions & { env?: NodeJS.ProcessEnv }): Promise<CompletedRun> {
  const output = new StreamOutput();
  const { pid, closed } = await spawnGroup(command, args, output, () => undefined, options.input, options.holdInput, options.env);
  if (pid !== undefined) holdGroup(pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) killGroup(pid, "SIGKILL");
  }, options.timeoutMs);
  try {
    const { exitCode } = await closed;
    output.end();
    return { exitCode, output: output.merged(), stdout: output.stream("stdout"), stderr: output.stream("stderr"), timedOut };
  } finally {
    clearTimeout(timer);
    if (pid !== undefined) releaseGroup(pid);
  }
}

const tmpfsMagic = 0x01021994; // TMPFS_MAGIC in include/uapi/linux/magic.h

/**
 * Where the process runtime's peers get their scratch dirs: a writable tmpfs at `shm` unless TMPDIR
 * names a place, else the temp dir. A run creates and removes a dir of a few files for most of its
 * cases (configs, combined PEMs); on the ext4 /tmp of the 2-core machine the inode allocations
 * alone were 2.3% of the run's CPU samples (perf), and on tmpfs the run took about 0.5 s less
 * (docs/performance.md, "Process starts through a launcher").
 */
export function processScratchRoot(env: NodeJS.ProcessEnv = process.env, shm = "/dev/shm"): string {
  if (env.TMPDIR) return tmpdir();
  try {
    accessSync(shm, constants.W_OK | constants.X_OK);
    if (statfsSync(shm).type === tmpfsMagic) return shm;
  } catch {
    // No such dir, or not ours to write: the temp dir.
  }
  return tmpdir();
}

/** Peers as local processes: the embedded default. */
export const processRuntime: Runtime = {
  name: "process",
  scratchRoot: processScratchRoot(),
  startProcess: (_implementation, command, args, options) => startProcess(command, args, options),
  runToCompletion: (_implementation, command, args, options) => runToCompletion(command, args, options),
};
