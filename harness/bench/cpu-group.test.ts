// A cgroup counts the CPU of a process nobody waited for, which GNU time cannot: the shape of the
// process launcher, which outlives the worker that started it.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { cpuGroup } from "./cpu-group.js";

// The shell starts a child that burns CPU in the background and exits without waiting for it. The
// child's CPU limit (ulimit -t, seconds) ends it after 1 s of CPU however busy the machine is.
const orphanBurner = "( ulimit -t 1; while :; do :; done ) & exit 0";

function timed(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile("/usr/bin/time", ["-f", "__time %U %S", command, ...args], { timeout: 10_000 }, (error, _stdout, stderr) => {
      const match = /__time ([\d.]+) ([\d.]+)/.exec(stderr);
      return match ? resolve(Number(match[1]) + Number(match[2])) : reject(error ?? new Error(stderr));
    }),
  );
}

describe("cpu group", () => {
  it("counts the CPU of a process its parent did not wait for, which GNU time does not", { timeout: 30_000 }, async ({ skip }) => {
    const group = cpuGroup();
    if (!group) return skip("no cgroup can be made here (not root, or no cgroup file system)");
    try {
      const [command, args] = group.wrap("sh", ["-c", orphanBurner]);
      const byTime = await timed(command, args);
      const byGroup = await group.cpuSeconds(20_000);
      expect(byTime).toBeLessThan(0.1);
      expect(byGroup).toBeGreaterThan(0.9);
    } finally {
      group.remove();
    }
  });
});
