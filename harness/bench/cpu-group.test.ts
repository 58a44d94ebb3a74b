// A cgroup counts the CPU of a process nobody waited for, which GNU time cannot: the shape of the
// process launcher, which outlives the worker that started it.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cpuGroup } from "./cpu-group.js";

// A node process that burns 0.5 s of CPU, then writes the CPU it used by its own account.
const burner = `const u = () => { const t = process.cpuUsage(); return (t.user + t.system) / 1e6; }; while (u() < 0.5); require("node:fs").writeFileSync(process.argv[1], String(u()));`;

function timed(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile("/usr/bin/time", ["-f", "__time %U %S", command, ...args], { timeout: 10_000 }, (error, _stdout, stderr) => {
      const match = /__time ([\d.]+) ([\d.]+)/.exec(stderr);
      return match ? resolve(Number(match[1]) + Number(match[2])) : reject(error ?? new Error(stderr));
    }),
  );
}

describe("cpu group", () => {
  it("counts the CPU of a process its parent did not wait for, which GNU time does not", { timeout: 60_000 }, async ({ skip }) => {
    const group = cpuGroup();
    if (!group) return skip("no cgroup can be made here (not root, or no cgroup file system)");
    const dir = await mkdtemp(join(tmpdir(), "mtls-cpu-group-test-"));
    try {
      // The shell starts the burner in the background and exits without waiting for it.
      const [command, args] = group.wrap("sh", ["-c", '"$0" -e "$1" "$2" & exit 0', process.execPath, burner, join(dir, "used")]);
      const byTime = await timed(command, args);
      const byGroup = await group.cpuSeconds(50_000);
      const byItself = Number(await readFile(join(dir, "used"), "utf8"));
      expect(byItself).toBeGreaterThanOrEqual(0.5);
      expect(byTime).toBeLessThan(0.1);
      // Every process that ran in the group: the burner's own account, and its start and the shell's.
      expect(byGroup).toBeGreaterThanOrEqual(byItself);
    } finally {
      group.remove();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
