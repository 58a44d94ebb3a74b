// What a process must undo however it ends: the process groups of the peers it started (each is
// detached, so the terminal's Ctrl-C does not reach it) and the scratch dirs its peers write
// (configs, and for some peers a key). A normal stop removes each itself; these handlers cover a
// process that exits or is interrupted in between. Synchronous, as exit and signal handlers must be.
import { rmSync } from "node:fs";

const groups = new Set<number>();
const dirs = new Set<string>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function cleanUp(): void {
  for (const pid of groups) killGroup(pid);
  groups.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  process.once("exit", cleanUp);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      cleanUp();
      // Then die of the signal, as without a listener. Not process.exit: vitest replaces it while a
      // test runs in a worker, so the worker went on running tests, and starting peers, after
      // Ctrl-C (measured with harness/runtime/interrupt-check.sh). Another listener decides for itself.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** A peer's process group, killed with SIGKILL on exit or SIGINT/SIGTERM until it is released. */
export function holdGroup(pid: number): void {
  install();
  groups.add(pid);
}

export function releaseGroup(pid: number): void {
  groups.delete(pid);
}

/** A scratch dir, removed on exit or SIGINT/SIGTERM until it is released. */
export function holdDir(path: string): void {
  install();
  dirs.add(path);
}

export function releaseDir(path: string): void {
  dirs.delete(path);
}
