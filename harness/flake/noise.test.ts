import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NoiseError, noiseFrom, startCpuNoise } from "./noise.js";

/** CPU ticks (user + system) of a process, from /proc. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Running, not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** This process's burner children (an exited one that is not yet reaped still counts as alive). */
function burnerPids(): number[] {
  const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("for (;;)");
    } catch {
      return false;
    }
  });
}

describe("--noise: CPU burners of the flake command", () => {
  it("reads a whole number of cores, and refuses anything else in one line", () => {
    expect(noiseFrom(undefined)).toBe(0);
    expect(noiseFrom("2")).toBe(2);
    for (const value of ["-1", "1.5", "all", "65"]) expect(() => noiseFrom(value)).toThrow(NoiseError);
    expect(() => noiseFrom("x")).toThrow("--noise must be a whole number of cores from 0 to 64 (got x)");
  });

  it("keeps a core busy until stopped, and leaves no process behind", async () => {
    const pids: number[] = [];
    const noise = startCpuNoise(1, 60_000);
    try {
      // The burner is the newest node child of this process: find it through /proc.
      await new Promise((resolve) => setTimeout(resolve, 300));
      pids.push(...burnerPids());
      expect(pids).toHaveLength(1);
      // It spins: every sample finds it runnable (never asleep), and it keeps taking CPU time. How
      // much depends on the machine's load (a busy machine shares the core), so no rate is asserted.
      const before = cpuTicks(pids[0]!);
      const states: string[] = [];
      for (let sample = 0; sample < 10; sample++) {
        states.push(readFileSync(`/proc/${pids[0]}/stat`, "utf8").split(") ")[1]!.split(" ")[0]!);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(new Set(states)).toEqual(new Set(["R"]));
      expect(cpuTicks(pids[0]!)).toBeGreaterThan(before);
    } finally {
      await noise.stop();
    }
    expect(pids.every((pid) => !alive(pid))).toBe(true);
  });

  it("ends by itself at its deadline, without stop()", async () => {
    const noise = startCpuNoise(1, 300);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const pids = burnerPids();
    expect(pids).toHaveLength(1);
    const until = Date.now() + 10_000;
    while (alive(pids[0]!) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(pids[0]!)).toBe(false);
    await noise.stop();
  });
});
