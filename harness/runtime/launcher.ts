// The harness side of the process launcher (launcher.c: why, and the frames both ways). One
// launcher per harness process, started on first use; process.ts starts every peer through it and
// falls back to node's own spawn where it cannot be built (no C compiler, or the compiled package,
// which ships no C source) or MTLS_LAUNCHER=off.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildOnce, sourceHash } from "./build-cache.js";

/** A program that did not start; the message reads as node's ("spawn sh ENOENT"). */
export class LaunchError extends Error {}

export interface LaunchHandlers {
  output(stream: "stdout" | "stderr", chunk: Buffer): void;
  /** Once: it exited and its output pipes are closed; the exit code is undefined when a signal ended it. */
  closed(exitCode: number | undefined, error?: Error): void;
}

export interface LaunchedProgram {
  pid: number;
  /** Writes to its stdin (started with input "pipe"). */
  write(data: string | Buffer): void;
  /** Closes its stdin once what was written before is. */
  endInput(): void;
}

const Request = { Spawn: 1, Input: 2, EndInput: 3 } as const;
const Event = { Started: 1, Failed: 2, Output: 3, Closed: 4 } as const;

interface Pending {
  command: string;
  handlers: LaunchHandlers;
  started?: (pid: number) => void;
  failed?: (error: LaunchError) => void;
  pid?: number;
}

const source = fileURLToPath(new URL("./launcher.c", import.meta.url));
const recipe = ["-O2", "-Wall"];

/** The launcher built from launcher.c, cached by its source's hash (runtime/build-cache.ts). */
export async function buildLauncher(): Promise<string> {
  const dir = join(tmpdir(), `mtls-conformance-launcher-${await sourceHash([source], recipe)}`);
  await buildOnce(dir, (staging) =>
    new Promise<void>((resolve, reject) =>
      execFile("cc", [...recipe, "-o", join(staging, "launcher"), source], { timeout: 120_000 }, (error, _stdout, stderr) =>
        error ? reject(new LaunchError(`failed to build the process launcher: ${stderr.trim() || error.message}`)) : resolve(),
      ),
    ),
  );
  return join(dir, "launcher");
}

function frame(type: number, id: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUInt32LE(5 + payload.length, 0);
  header.writeUInt8(type, 4);
  header.writeUInt32LE(id, 5);
  return Buffer.concat([header, payload]);
}

function strings(values: string[]): Buffer[] {
  const count = Buffer.alloc(4);
  count.writeUInt32LE(values.length);
  return [count, ...values.map((value) => Buffer.from(`${value}\0`))];
}

export class Launcher {
  private nextId = 1;
  private readonly programs = new Map<number, Pending>();
  private received: Buffer = Buffer.alloc(0);
  private gone = false;
  /** Programs asked for and not closed: while there are any, the launcher's output keeps this process alive. */
  private live = 0;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on("data", (chunk: Buffer) => this.receive(chunk));
    child.stdin!.on("error", () => undefined);
    child.on("close", () => this.lost());
    child.on("error", () => this.lost());
    // Only a running program keeps the harness process alive, as node's own child would.
    child.unref();
    (child.stdout as unknown as { unref(): void }).unref();
    (child.stdin as unknown as { unref(): void }).unref();
  }

  static start(program: string): Launcher {
    return new Launcher(spawn(program, [], { stdio: ["pipe", "pipe", "inherit"] }));
  }

  /** Whether it still answers (it exited or could not start when not). */
  get running(): boolean {
    return !this.gone;
  }

  /** Starts `command` in a process group of its own; rejects with a LaunchError when it cannot start. */
  spawn(command: string, args: string[], options: { input: "ignore" | "pipe"; env: NodeJS.ProcessEnv }, handlers: LaunchHandlers): Promise<LaunchedProgram> {
    if ([command, ...args].some((value) => value.includes("\0"))) return Promise.reject(new LaunchError(`spawn ${command}: an argument holds a NUL byte`));
    if (this.gone) return Promise.reject(new LaunchError(`spawn ${command}: the process launcher has exited`));
    const id = this.nextId++;
    const environment = Object.entries(options.env).flatMap(([name, value]) => (value === undefined ? [] : [`${name}=${value}`]));
    const payload = Buffer.concat([Buffer.from([options.input === "pipe" ? 1 : 0]), ...strings([command, ...args]), ...strings(environment)]);
    return new Promise<LaunchedProgram>((resolve, reject) => {
      const pending: Pending = {
        command,
        handlers,
        started: (pid) =>
          resolve({ pid, write: (data) => this.send(Request.Input, id, Buffer.from(data)), endInput: () => this.send(Request.EndInput, id, Buffer.alloc(0)) }),
        failed: reject,
      };
      this.programs.set(id, pending);
      this.hold(1);
      this.send(Request.Spawn, id, payload);
    });
  }

  private hold(change: 1 | -1): void {
    const stdout = this.child.stdout as unknown as { ref(): void; unref(): void };
    if (change > 0 && this.live++ === 0) stdout.ref();
    if (change < 0 && --this.live === 0) stdout.unref();
  }

  private send(type: number, id: number, payload: Buffer): void {
    if (!this.gone) this.child.stdin!.write(frame(type, id, payload));
  }

  private receive(chunk: Buffer): void {
    this.received = this.received.length ? Buffer.concat([this.received, chunk]) : chunk;
    let used = 0;
    while (this.received.length - used >= 4) {
      const length = this.received.readUInt32LE(used);
      if (this.received.length - used - 4 < length) break;
      const type = this.received.readUInt8(used + 4);
      const id = this.received.readUInt32LE(used + 5);
      const payload = this.received.subarray(used + 9, used + 4 + length);
      used += 4 + length;
      const program = this.programs.get(id);
      if (!program) continue;
      if (type === Event.Started) {
        program.pid = payload.readInt32LE(0);
        program.started?.(program.pid);
      } else if (type === Event.Failed) {
        this.programs.delete(id);
        this.hold(-1);
        program.failed?.(new LaunchError(`spawn ${program.command} ${payload.toString()}`));
      } else if (type === Event.Output) {
        // A copy: a view would keep the whole received chunk alive in the peer's output.
        program.handlers.output(payload[0] === 2 ? "stderr" : "stdout", Buffer.from(payload.subarray(1)));
      } else if (type === Event.Closed) {
        this.programs.delete(id);
        this.hold(-1);
        const code = payload.readInt32LE(0);
        program.handlers.closed(code < 0 ? undefined : code);
      }
    }
    this.received = used === this.received.length ? Buffer.alloc(0) : this.received.subarray(used);
  }

  /** The launcher exited: nothing more will come about its programs, which it killed on its way out. */
  private lost(): void {
    if (this.gone) return;
    this.gone = true;
    for (const [id, program] of this.programs) {
      this.programs.delete(id);
      const error = new LaunchError(`spawn ${program.command}: the process launcher exited`);
      if (program.pid === undefined) program.failed?.(error);
      else {
        try {
          process.kill(-program.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
        program.handlers.closed(undefined, error);
      }
    }
  }

  /** Ends the launcher (it kills what it still runs) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.gone) return;
    const exited = new Promise<void>((resolve) => this.child.once("close", () => resolve()));
    this.child.stdin!.end();
    await exited;
  }
}

let launcher: Promise<Launcher | undefined> | undefined;

/**
 * This process's launcher, started on first use; undefined where it cannot be built, where one
 * exited on its own (it is not trusted again in this process), or with MTLS_LAUNCHER=off, and
 * process.ts then spawns with node.
 */
export async function processLauncher(): Promise<Launcher | undefined> {
  // Read at every start, so a test can set it around the starts it makes.
  if (process.env.MTLS_LAUNCHER === "off") return undefined;
  const current = await launcher;
  if (current && !current.running) return undefined;
  launcher ??= (async () => {
    if (!existsSync(source)) return undefined;
    try {
      return Launcher.start(await buildLauncher());
    } catch {
      return undefined;
    }
  })();
  return launcher;
}
