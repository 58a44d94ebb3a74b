// A server peer whose only account of a rejection is its log: a RunningServer that reads the log
// written since the last takeRejection, waiting for the line that settles a failed handshake.
import type { Classification } from "../../outcome.js";
import type { Endpoint } from "../../network.js";
import type { ManagedProcess, Runtime } from "../../runtime/types.js";
import type { RunningServer } from "../types.js";
import { createScratchDir, type ScratchDir } from "./scratch-dir.js";

export interface LogReading {
  /** The line that settles a failed handshake: wait for it, up to the caller's wait. */
  settled: RegExp;
  /** The server's own account of the rejections in the new log text, if any. */
  classify(text: string): Classification | undefined;
  /** Wait at least this long even when the caller does not (a log line written after the answer). */
  minimumWaitMs?: number;
}

export function loggedServer(
  endpoint: Endpoint,
  process: ManagedProcess,
  log: LogReading,
  cleanup: () => Promise<void>,
  rotate?: RunningServer["rotate"],
  retrust?: RunningServer["retrust"],
): RunningServer {
  let consumed = process.output().length;
  const stop = async () => {
    await process.stop();
    await cleanup();
  };
  return {
    endpoint,
    async takeRejection(waitMs) {
      const wait = Math.max(waitMs, log.minimumWaitMs ?? 0);
      if (wait > 0) await process.waitForOutput(log.settled, wait, consumed);
      const text = process.output().slice(consumed);
      consumed += text.length;
      return log.classify(text);
    },
    ...(rotate ? { rotate } : {}),
    ...(retrust ? { retrust } : {}),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Starts a logged server whose files live in a scratch dir of its own: `start` writes its config
 * there and starts the process (and checks it listens); the dir is removed when the start fails or
 * when the server stops.
 */
export async function startLoggedServer(
  runtime: Runtime,
  name: string,
  endpoint: Endpoint,
  start: (scratch: ScratchDir) => Promise<ManagedProcess>,
  log: LogReading,
  /** How the running server switches identity without a restart, when the stack can. */
  rotation?: (scratch: ScratchDir, process: ManagedProcess) => NonNullable<RunningServer["rotate"]>,
  /** How it changes its client trust without a restart, keeping its sessions, when the stack can. */
  trustReload?: (scratch: ScratchDir, process: ManagedProcess) => NonNullable<RunningServer["retrust"]>,
): Promise<RunningServer> {
  const scratch = await createScratchDir(runtime, name);
  let child: ManagedProcess;
  try {
    child = await start(scratch);
  } catch (error) {
    await scratch.remove();
    throw error;
  }
  return loggedServer(endpoint, child, log, () => scratch.remove(), rotation?.(scratch, child), trustReload?.(scratch, child));
}
