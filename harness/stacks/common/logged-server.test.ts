// loggedServer's wait for the server's account, against a fake process whose log lines arrive
// late (as on a loaded machine): the settling line is awaited up to the run's bound after a refusal
// the client did not make, not after the client's own, and a bound reached is said in the account.
import { describe, expect, it } from "vitest";
import type { Classification } from "../../core/outcome.js";
import { serverAccountWithinMs } from "../../runner/run-scenario.js";
import type { ManagedProcess } from "../../runtime/types.js";
import { loggedServer, type LogReading } from "./logged-server.js";

/** A process whose log gets `line` after `delayMs`; waitForOutput wakes when a pattern appears, as the runtimes' does. */
function lateLogProcess(line: string, delayMs: number): ManagedProcess {
  let output = "starting\n";
  const waiters = new Set<() => void>();
  setTimeout(() => {
    output += `${line}\n`;
    for (const wake of waiters) wake();
  }, delayMs);
  const process: ManagedProcess = {
    pid: 0,
    output: () => output,
    running: () => true,
    lastOutputAt: () => Date.now(),
    waitForOutput: (pattern, timeoutMs, from = 0) =>
      new Promise<boolean>((resolve) => {
        const check = () => {
          if (!pattern.test(output.slice(from))) return false;
          finish(true);
          return true;
        };
        const finish = (found: boolean) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        if (!check()) waiters.add(check);
      }),
    stop: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  };
  return process;
}

const log: LogReading = {
  name: "the test log",
  settled: /handshake error: /,
  classify: (text): Classification | undefined =>
    /handshake error: unknown authority/.test(text) ? { outcome: "rejected:unknown-ca", raw: text.trim(), source: "local-verify" } : undefined,
};
const endpoint = { host: "127.0.0.1", port: 1 };
const server = (reading: LogReading, line: string, delayMs: number) => loggedServer(endpoint, lateLogProcess(line, delayMs), reading, async () => undefined);

describe("loggedServer takeRejection", () => {
  it("takes a settling line that arrives 600 ms after the client saw the refusal", async () => {
    const account = await server(log, "handshake error: unknown authority", 600).takeRejection({ seen: "refusal", withinMs: serverAccountWithinMs });
    expect(account?.outcome).toBe("rejected:unknown-ca");
  });

  it("says so when the log settles nothing within the bound", async () => {
    const account = await server(log, "handshake error: unknown authority", 2_000).takeRejection({ seen: "refusal", withinMs: 200 });
    expect(account).toEqual({ outcome: "unclassified", raw: "the test log said nothing within 200 ms", source: "unknown" });
  });

  it("does not wait after the client's own refusal or an acceptance, and takes what is there", async () => {
    for (const seen of ["own-refusal", "accepted", "other"] as const) {
      const started = performance.now();
      expect(await server(log, "handshake error: unknown authority", 600).takeRejection({ seen, withinMs: serverAccountWithinMs })).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(100);
    }
    const early = server(log, "handshake error: unknown authority", 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await early.takeRejection({ seen: "own-refusal", withinMs: serverAccountWithinMs }))?.outcome).toBe("rejected:unknown-ca");
  });

  it("waits after an acceptance for a log that settles every connection (nginx's 400 is an answer the client takes)", async () => {
    const account = await server({ ...log, settlesEveryConnection: true }, "handshake error: unknown authority", 600).takeRejection({ seen: "accepted", withinMs: serverAccountWithinMs });
    expect(account?.outcome).toBe("rejected:unknown-ca");
  });

  it("reads each connection's lines once: the next call starts after them", async () => {
    const running = server(log, "handshake error: unknown authority", 0);
    expect((await running.takeRejection({ seen: "refusal", withinMs: 1_000 }))?.outcome).toBe("rejected:unknown-ca");
    expect(await running.takeRejection({ seen: "refusal", withinMs: 100 })).toEqual({ outcome: "unclassified", raw: "the test log said nothing within 100 ms", source: "unknown" });
  });
});
