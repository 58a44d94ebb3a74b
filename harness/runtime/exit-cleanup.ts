// What a process must undo however it ends: the process groups of the peers it started (each is
// detached, so the terminal's Ctrl-C does not reach it) and the scratch dirs its peers write
// (configs, and for some peers a key). A normal stop removes each itself; these handlers cover a
// process that exits or is interrupted in between. Synchronous, as exit and signal handlers must be.
import { readdirSync, readFileSync, rmSync } from "node:fs";

const groups = new Set<number>();
const dirs = new Set<string>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Process groups with a member that still runs (not a zombie), from /proc; none where it is missing. */
function runningGroups(candidates: Set<number>): Set<number> {
  const found = new Set<number>();
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const pid of entries) {
    try {
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state !== "Z" && candidates.has(Number(group))) found.add(Number(group));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** The process exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] !== "Z";
  } catch {
    return false;
  }
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function cleanUp(): void {
  const killed = new Set(groups);
  for (const pid of killed) killGroup(pid);
  groups.clear();
  // SIGKILL takes a moment to land, and a peer still running can write into its scratch dir after
  // it was removed (caddy recreated its storage dir, measured): wait until they are gone, briefly.
  for (let waited = 0; waited < 2_000 && runningGroups(killed).size > 0; waited += 20) sleepSync(20);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

// Set by the first SIGINT or SIGTERM. The test that was running goes on for a moment after the
// handler (until the process dies of the signal or vitest stops it), and what it starts then, a
// scratch dir or a peer, is undone as soon as it is held: a caddy scratch dir created just after the
// cleanup was left behind once (harness/runtime/interrupt-check.sh, in CI).
let stopping = false;
let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  process.once("exit", cleanUp);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    let dying = false;
    const onSignal = () => {
      stopping = true;
      cleanUp();
      if (dying) return;
      dying = true;
      // Then die of the signal, as without a listener, unless the process ends first on its own:
      // vitest's main process exits 1 ms after its listener, through the exit handlers that remove
      // the fixtures, and dying of the signal there would skip them (measured). Not process.exit:
      // vitest replaces it while a test runs in a worker, which then went on running tests, and
      // starting peers, after Ctrl-C (measured with harness/runtime/interrupt-check.sh).
      setTimeout(() => {
        cleanUp();
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }, 50).unref();
    };
    // Every delivery cleans up (a second Ctrl-C, or vitest relaying the signal to its workers), not
    // only the first: with a once-listener the second one killed the process before its cleanup.
    process.on(signal, onSignal);
  }
}

/** A peer's process group, killed with SIGKILL on exit or SIGINT/SIGTERM until it is released. */
export function holdGroup(pid: number): void {
  install();
  groups.add(pid);
  if (stopping) killGroup(pid);
}

export function releaseGroup(pid: number): void {
  groups.delete(pid);
}

/** A scratch dir, removed on exit or SIGINT/SIGTERM until it is released. */
export function holdDir(path: string): void {
  install();
  dirs.add(path);
  if (stopping) rmSync(path, { recursive: true, force: true });
}

export function releaseDir(path: string): void {
  dirs.delete(path);
}
