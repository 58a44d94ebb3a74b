import { execa } from "execa";
import { existsSync } from "node:fs";
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
});
