// The process launcher starts programs as node's detached spawn does (a session and process group
// of their own, default signals, the environment given, PATH looked up in it), relays their output
// and input, and takes its programs with it when the harness process is gone. Read from the
// kernel's own account of each process (/proc), not from the launcher's.
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRunning } from "./exit-cleanup.js";
import { buildLauncher, Launcher, LaunchError, type LaunchedProgram } from "./launcher.js";
import { missingTools } from "../host/context.js";

interface Run {
  program: LaunchedProgram;
  stdout: () => string;
  stderr: () => string;
  closed: Promise<{ exitCode: number | undefined; error?: Error }>;
}

async function launch(launcher: Launcher, command: string, args: string[], options: { input?: "pipe"; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const text = { stdout: "", stderr: "" };
  let settle!: (closed: { exitCode: number | undefined; error?: Error }) => void;
  const closed = new Promise<{ exitCode: number | undefined; error?: Error }>((resolve) => (settle = resolve));
  const program = await launcher.spawn(command, args, { input: options.input ?? "ignore", env: options.env ?? process.env }, {
    output: (stream, chunk) => (text[stream] += chunk.toString()),
    closed: (exitCode, error) => settle({ exitCode, error }),
  });
  return { program, stdout: () => text.stdout, stderr: () => text.stderr, closed };
}

/** From /proc/PID/stat (after the command name: state, ppid, pgrp, session). */
async function processIds(pid: number): Promise<{ parent: number; pgrp: number; session: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { parent: Number(fields[1]), pgrp: Number(fields[2]), session: Number(fields[3]) };
}

async function waitUntilGone(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return !isRunning(pid);
}

const noCompiler = missingTools("c-compiler");

describe.skipIf(noCompiler)("process launcher", () => {
  let program: string;
  let launcher: Launcher;
  let dir: string;

  beforeAll(async () => {
    program = await buildLauncher();
    launcher = Launcher.start(program);
    dir = await mkdtemp(join(tmpdir(), "mtls-launcher-test-"));
  });
  afterAll(async () => {
    await launcher?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("starts a program in a session and process group of its own, every signal at its default and none blocked", async () => {
    const run = await launch(launcher, "sh", ["-c", "grep -E '^Sig(Blk|Ign):' /proc/self/status; echo ready; read line"], { input: "pipe" });
    while (!run.stdout().includes("ready")) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await processIds(run.program.pid)).toMatchObject({ pgrp: run.program.pid, session: run.program.pid });
    // grep ran as a child of that sh, so its mask and ignored set are what the launcher gave sh:
    // nothing blocked, and of the signals a program handles (1 to 31, SIGPIPE and SIGINT among
    // them, which the launcher itself ignores) none ignored. glibc's posix_spawn leaves its two
    // internal real-time signals (32, 33) ignored in every program it starts.
    const [blocked, ignored] = run.stdout().split("\n").map((line) => BigInt(`0x${line.split("\t")[1] ?? "0"}`));
    expect(blocked).toBe(0n);
    expect(ignored! & 0xffffffffn & ~(1n << 31n)).toBe(0n);
    expect(ignored! & ~0x180000000n).toBe(0n);
    run.program.endInput();
    expect(await run.closed).toEqual({ exitCode: 1, error: undefined });
  });

  it("relays both streams in the order they were written, and the exit code", async () => {
    const run = await launch(launcher, "sh", ["-c", "echo one >&2; sleep 0.1; echo two; sleep 0.1; echo three >&2; exit 7"]);
    expect(await run.closed).toEqual({ exitCode: 7, error: undefined });
    expect(run.stdout()).toBe("two\n");
    expect(run.stderr()).toBe("one\nthree\n");
  });

  it("writes input larger than a pipe holds, and a program that exits without reading it keeps its exit code", async () => {
    const input = "x".repeat(1 << 20);
    const counted = await launch(launcher, "wc", ["-c"], { input: "pipe" });
    counted.program.write(input);
    counted.program.endInput();
    expect(await counted.closed).toEqual({ exitCode: 0, error: undefined });
    expect(counted.stdout().trim()).toBe(String(1 << 20));
    const unread = await launch(launcher, "sh", ["-c", "exit 3"], { input: "pipe" });
    unread.program.write(input);
    unread.program.endInput();
    expect(await unread.closed).toEqual({ exitCode: 3, error: undefined });
  });

  it("gives the program only the environment it is given, and looks the command up on that PATH", async () => {
    await writeFile(join(dir, "mtls-launcher-probe"), "#!/bin/sh\necho \"probe $GREETING\"\n");
    await chmod(join(dir, "mtls-launcher-probe"), 0o755);
    const run = await launch(launcher, "mtls-launcher-probe", [], { env: { PATH: `${dir}:/usr/bin:/bin`, GREETING: "hello" } });
    expect(await run.closed).toEqual({ exitCode: 0, error: undefined });
    expect(run.stdout()).toBe("probe hello\n");
    const env = await launch(launcher, "env", [], { env: { PATH: "/usr/bin:/bin", ONLY: "this" } });
    await env.closed;
    expect(env.stdout().trim().split("\n").sort()).toEqual(["ONLY=this", "PATH=/usr/bin:/bin"]);
  });

  it("refuses a program it cannot start with node's message: not found, not executable", async () => {
    await expect(launch(launcher, "mtls-no-such-program", [])).rejects.toThrow(new LaunchError("spawn mtls-no-such-program ENOENT"));
    await writeFile(join(dir, "not-executable"), "#!/bin/sh\n");
    await expect(launch(launcher, join(dir, "not-executable"), [])).rejects.toThrow(`spawn ${join(dir, "not-executable")} EACCES`);
    // It still starts the next one.
    const run = await launch(launcher, "true", []);
    expect(await run.closed).toEqual({ exitCode: 0, error: undefined });
  });

  it("reports a program a signal ended without an exit code, and waits for a grandchild that holds its output", async () => {
    const killed = await launch(launcher, "sleep", ["30"]);
    process.kill(-killed.program.pid, "SIGKILL");
    expect(await killed.closed).toEqual({ exitCode: undefined, error: undefined });
    const started = Date.now();
    const held = await launch(launcher, "sh", ["-c", "(sleep 0.3; echo late) & exit 0"]);
    await held.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(held.stdout()).toBe("late\n");
  });

  it("kills what it still runs, with each program's group, when the harness process is gone", async () => {
    const own = Launcher.start(program);
    const run = await launch(own, "sh", ["-c", "sleep 60 & echo $!; wait"]);
    while (!run.stdout().includes("\n")) await new Promise((resolve) => setTimeout(resolve, 10));
    const background = Number(run.stdout().trim());
    expect(isRunning(background)).toBe(true);
    // stop() ends its input, as the harness process's exit does.
    await own.stop();
    expect(await waitUntilGone(run.program.pid)).toBe(true);
    expect(await waitUntilGone(background)).toBe(true);
    await expect(launch(own, "true", [])).rejects.toThrow("spawn true: the process launcher has exited");
  });

  it("ends its programs' cases with an error when the launcher itself is killed", async () => {
    const own = Launcher.start(program);
    const run = await launch(own, "sh", ["-c", "echo started; sleep 60"]);
    const { pid } = run.program;
    process.kill((await processIds(pid)).parent, "SIGKILL");
    const closed = await run.closed;
    expect(closed.exitCode).toBeUndefined();
    expect(closed.error?.message).toBe("spawn sh: the process launcher exited");
    expect(own.running).toBe(false);
    expect(await waitUntilGone(pid)).toBe(true);
  });
});
