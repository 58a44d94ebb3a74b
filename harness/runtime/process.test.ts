// The process runtime's guarantees on node's own spawn: a program that cannot start is an error
// with its cause, input a program does not read is no error of ours, and a timeout kills the
// whole process group, not only the direct child.
import { statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isRunning } from "./exit-cleanup.js";
import { processRuntime, processScratchRoot, runToCompletion, startProcess } from "./process.js";

// Each start goes through the process launcher where it is built, else node's spawn: both are held
// to the same guarantees.
describe.each(["the launcher", "node's spawn"])("process runtime, started by %s", (starter) => {
  beforeEach(() => {
    if (starter === "node's spawn") vi.stubEnv("MTLS_LAUNCHER", "off");
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("reports a program that cannot start: no exit code from a run, the cause from a start", async () => {
    const run = await runToCompletion("mtls-no-such-program", [], { timeoutMs: 5_000 });
    expect(run).toMatchObject({ exitCode: undefined, output: "", timedOut: false });
    await expect(startProcess("mtls-no-such-program", [], { ready: /ready/, readyTimeoutMs: 5_000, description: "a missing program" })).rejects.toThrow(
      "failed to start a missing program: spawn mtls-no-such-program ENOENT",
    );
  });

  it("passes input on stdin, and a program that exits without reading it keeps its exit code", async () => {
    expect(await runToCompletion("cat", [], { input: "hello\n", timeoutMs: 5_000 })).toMatchObject({ exitCode: 0, stdout: "hello\n" });
    // 1 MiB fills the pipe, so the write fails with EPIPE once sh has exited.
    expect(await runToCompletion("sh", ["-c", "exit 3"], { input: "x".repeat(1 << 20), timeoutMs: 5_000 })).toMatchObject({ exitCode: 3, timedOut: false });
  });

  it("with holdInput, leaves stdin open after the input until the program exits", async () => {
    // `timeout` ends cat after 2 s when stdin stays open (exit 124), and cat ends at once on EOF.
    const script = 'read line; echo "got $line"; if timeout 2 cat >/dev/null; then echo eof; else echo open; fi';
    expect(await runToCompletion("sh", ["-c", script], { input: "it\n", holdInput: true, timeoutMs: 5_000 })).toMatchObject({ exitCode: 0, stdout: "got it\nopen\n" });
    expect(await runToCompletion("sh", ["-c", script], { input: "it\n", timeoutMs: 5_000 })).toMatchObject({ exitCode: 0, stdout: "got it\neof\n" });
  });

  it("kills the whole group at the timeout: a background child does not outlive it", async () => {
    const run = await runToCompletion("sh", ["-c", "sleep 30 & echo $!; wait"], { timeoutMs: 500 });
    expect(run.timedOut).toBe(true);
    expect(run.exitCode).toBeUndefined();
    const background = Number(run.stdout.trim());
    expect(background).toBeGreaterThan(0);
    expect(isRunning(background)).toBe(false);
  });

  it("stops a started peer with its group once it printed its ready line", async () => {
    const peer = await startProcess("sh", ["-c", "read line; echo got $line; sleep 30 & echo ready; wait"], { input: "it\n", ready: /^ready$/m, readyTimeoutMs: 5_000, description: "a reader" });
    expect(peer.output()).toBe("got it\nready\n");
    await peer.stop();
    expect(isRunning(peer.pid)).toBe(false);
  });
});

describe("process runtime scratch root", () => {
  const tmpfs = 0x01021994;
  const shmIsTmpfs = (() => {
    try {
      return statfsSync("/dev/shm").type === tmpfs;
    } catch {
      return false;
    }
  })();

  it.skipIf(!shmIsTmpfs)("is /dev/shm when it is a writable tmpfs and TMPDIR is unset", () => {
    expect(processScratchRoot({}, "/dev/shm")).toBe("/dev/shm");
    expect(processRuntime.scratchRoot).toBe(process.env.TMPDIR ? tmpdir() : "/dev/shm");
  });

  it("is the temp dir when TMPDIR names one, the place is not tmpfs, or it is missing", () => {
    expect(processScratchRoot({ TMPDIR: tmpdir() }, "/dev/shm")).toBe(tmpdir());
    // The project's own folder is on the machine's disk, not a tmpfs.
    expect(statfsSync(import.meta.dirname).type).not.toBe(tmpfs);
    expect(processScratchRoot({}, import.meta.dirname)).toBe(tmpdir());
    expect(processScratchRoot({}, "/nonexistent/mtls-scratch")).toBe(tmpdir());
  });
});
