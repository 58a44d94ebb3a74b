// A server peer whose only account of a rejection is its log: a RunningServer that reads the log
// written since the last takeRejection, waiting for the line that settles a failed handshake.
import { silentAccount, type Classification } from "../../core/outcome.js";
import type { Endpoint } from "../../core/network.js";
import type { ManagedProcess, Runtime } from "../../runtime/types.js";
import type { RunningServer } from "../types.js";
import { createScratchDir, type ScratchDir } from "./scratch-dir.js";

export interface LogReading {
  /** The line that settles a failed handshake: waited for after a refusal the client saw, up to the caller's bound. */
  settled: RegExp;
  /** The server's own account of the rejections in the new log text, if any. */
  classify(text: string): Classification | undefined;
  /**
   * An accepted exchange ends with a `settled` line too (nginx's access line): wait for it after
   * one, because the server's refusal may be in the response the client took (nginx's 400).
   */
  settlesEveryConnection?: boolean;
  /** Who the log is, for the account when it said nothing in time ("the caddy log"). */
  name: string;
}

/**
 * A server's output read once each: every call returns what was written since the previous one,
 * after waiting up to `withinMs` for `settled` when given (`settled` false when it did not come).
 */
export function unreadOutput(lines: Pick<ManagedProcess, "output" | "waitForOutput">): (settled: RegExp, withinMs: number | undefined) => Promise<{ text: string; settled: boolean }> {
  let consumed = lines.output().length;
  return async (settled, withinMs) => {
    const arrived = withinMs === undefined || (await lines.waitForOutput(settled, withinMs, consumed));
    const text = lines.output().slice(consumed);
    consumed += text.length;
    return { text, settled: arrived };
  };
}

export function loggedServer(
  endpoint: Endpoint,
  process: ManagedProcess,
  log: LogReading,
  cleanup: () => Promise<void>,
  rotate?: RunningServer["rotate"],
  retrust?: RunningServer["retrust"],
): RunningServer {
  const unread = unreadOutput(process);
  const stop = async () => {
    await process.stop();
    await cleanup();
  };
  return {
    endpoint,
    async takeRejection(wait) {
      const awaited = wait?.seen === "refusal" || (wait?.seen === "accepted" && log.settlesEveryConnection);
      const { text, settled } = await unread(log.settled, awaited ? wait.withinMs : undefined);
      return log.classify(text) ?? (settled ? undefined : silentAccount(log.name, wait!.withinMs));
    },
    reuse: { running: () => process.running(), saidAt: () => process.lastOutputAt() },
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
