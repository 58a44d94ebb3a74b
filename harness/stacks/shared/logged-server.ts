// A server peer whose only account of a rejection is its log: a RunningServer that reads the log
// written since the last takeRejection, waiting for the line that settles a failed handshake.
import type { Classification } from "../../outcome.js";
import type { Endpoint } from "../../network.js";
import type { ManagedProcess } from "../../runtime/types.js";
import type { RunningServer } from "../types.js";

export interface LogReading {
  /** The line that settles a failed handshake: wait for it, up to the caller's wait. */
  settled: RegExp;
  /** The server's own account of the rejections in the new log text, if any. */
  classify(text: string): Classification | undefined;
  /** Wait at least this long even when the caller does not (a log line written after the answer). */
  minimumWaitMs?: number;
}

export function loggedServer(endpoint: Endpoint, process: ManagedProcess, log: LogReading, cleanup: () => Promise<void>): RunningServer {
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
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
