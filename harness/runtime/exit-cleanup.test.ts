import { execa } from "execa";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isRunning } from "./exit-cleanup.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

// A process that started a peer (a detached process group) and holds a scratch dir, then waits.
const holder = `
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcess } from "${root}/harness/runtime/process.ts";
import { holdDir } from "${root}/harness/runtime/exit-cleanup.ts";
const peer = await startProcess("sh", ["-c", "echo ready; exec sleep 60"], { ready: /^ready$/m, readyTimeoutMs: 10_000, description: "a sleeping peer" });
const dir = await mkdtemp(join(tmpdir(), "mtls-exit-cleanup-test-"));
holdDir(dir);
console.log(JSON.stringify({ peer: peer.pid, dir }));
setInterval(() => {}, 1_000);
`;

// A process whose test goes on after the signal (as a vitest worker's does for a moment): a listener
// after the cleanup's starts a peer and creates a scratch dir, then reports whether they survive.
const lateStarter = `
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcess } from "${root}/harness/runtime/process.ts";
import { holdDir, isRunning } from "${root}/harness/runtime/exit-cleanup.ts";
const first = await startProcess("sh", ["-c", "echo ready; exec sleep 60"], { ready: /^ready$/m, readyTimeoutMs: 10_000, description: "a sleeping peer" });
process.once("SIGINT", () => {
  const dir = mkdtempSync(join(tmpdir(), "mtls-exit-cleanup-late-"));
  holdDir(dir);
  const late = startProcess("sh", ["-c", "echo ready; exec sleep 60"], { ready: /^ready$/m, readyTimeoutMs: 2_000, description: "a late peer" });
  late.catch(() => undefined);
  setTimeout(() => console.log(JSON.stringify({ dir, dirLeft: existsSync(dir) })), 10);
});
console.log(JSON.stringify({ peer: first.pid }));
setInterval(() => {}, 1_000);
`;

describe("exit cleanup", () => {
  it.each(["SIGINT", "SIGTERM"] as const)("on %s kills the peers' groups, removes the scratch dirs and dies of the signal", async (signal) => {
    // node itself, not the tsx command: that is a parent that relays the signal and exits with a code.
    const child = execa(process.execPath, ["--import", "tsx", "--input-type=module", "-e", holder], { cwd: root, reject: false, timeout: 30_000 });
    const line = await new Promise<string>((resolve, reject) => {
      let text = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes("\n")) resolve(text.split("\n")[0]!);
      });
      child.once("exit", () => reject(new Error(`the holder exited early: ${text}`)));
    });
    const { peer, dir } = JSON.parse(line) as { peer: number; dir: string };
    expect(isRunning(peer)).toBe(true);
    expect(existsSync(dir)).toBe(true);
    child.kill(signal);
    const result = await child;
    expect(result.signal).toBe(signal);
    expect(isRunning(peer)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it("undoes at once what the process holds after the signal: a scratch dir is removed, a peer's group killed", async () => {
    // A sleep of its own length, so the late peer is found by its command line wherever it ends up.
    const lateSleep = `${60 + Math.floor(Math.random() * 1e6) / 1e6}`;
    const script = lateStarter.replace('"echo ready; exec sleep 60"], { ready: /^ready$/m, readyTimeoutMs: 2_000', `"echo ready; exec sleep ${lateSleep}"], { ready: /^ready$/m, readyTimeoutMs: 2_000`);
    expect(script).toContain(lateSleep);
    const child = execa(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, reject: false, timeout: 30_000 });
    // Its stdout line by line; a line that never comes ends the wait when execa's timeout kills it.
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const line = async () => String((await lines.next()).value);
    const { peer } = JSON.parse(await line()) as { peer: number };
    expect(isRunning(peer)).toBe(true);
    child.kill("SIGINT");
    const result = await child;
    const { dir, dirLeft } = JSON.parse(await line()) as { dir: string; dirLeft: boolean };
    expect(dirLeft).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(isRunning(peer)).toBe(false);
    expect(result.signal).toBe("SIGINT");
    const { stdout } = await execa("pgrep", ["-f", `sleep ${lateSleep}`], { reject: false });
    expect(stdout.trim()).toBe("");
  });
});
