// The CPU of a measured command's whole process tree, read from a cgroup made for it. GNU time
// counts a process's CPU only once its parent waits for it: the process launcher
// (runtime/launcher.c) outlives by a moment the test worker that started it, so nobody waits for
// it but init, and its peers' CPU fell out of GNU time's figure (16.5 s for a catalogue run whose
// tree used 30.5 s, read from a cgroup). A cgroup counts every process that ran in it, waited for
// or not. Where none can be made (not root, no cgroup file system), GNU time's figure is used.
import { existsSync, mkdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";

export interface CpuGroup {
  /** The command wrapped so that it runs in the group (a shell moves itself in, then execs it). */
  wrap(command: string, args: string[]): [string, string[]];
  /** CPU seconds of everything that ran in the group, once every process of it has exited (at most `waitMs`). */
  cpuSeconds(waitMs?: number): Promise<number>;
  remove(): void;
}

interface Hierarchy {
  root: string;
  usage(dir: string): number;
}

/** cgroup v1's cpuacct controller (nanoseconds), or a v2 unified hierarchy (cpu.stat usage_usec). */
function hierarchy(): Hierarchy | undefined {
  if (existsSync("/sys/fs/cgroup/cpuacct/cpuacct.usage")) return { root: "/sys/fs/cgroup/cpuacct", usage: (dir) => Number(readFileSync(join(dir, "cpuacct.usage"), "utf8")) / 1e9 };
  if (existsSync("/sys/fs/cgroup/cgroup.controllers")) {
    return { root: "/sys/fs/cgroup", usage: (dir) => Number(/^usage_usec (\d+)$/m.exec(readFileSync(join(dir, "cpu.stat"), "utf8"))?.[1] ?? Number.NaN) / 1e6 };
  }
  return undefined;
}

let made = 0;

/** A new group for one measured command, or undefined where this process cannot make one. */
export function cpuGroup(): CpuGroup | undefined {
  const found = hierarchy();
  if (!found) return undefined;
  const dir = join(found.root, `mtls-bench-${process.pid}-${made++}`);
  try {
    mkdirSync(dir);
  } catch {
    return undefined;
  }
  const procs = join(dir, "cgroup.procs");
  const members = () => readFileSync(procs, "utf8").trim();
  return {
    wrap: (command, args) => ["sh", ["-c", 'echo $$ > "$0" && exec "$@"', procs, command, ...args]],
    async cpuSeconds(waitMs = 5_000) {
      const deadline = Date.now() + waitMs;
      while (members() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return found.usage(dir);
    },
    remove() {
      try {
        rmdirSync(dir);
      } catch {
        // A process still in it (past the wait): the kernel keeps the group until it exits.
      }
    },
  };
}
