// Builds the programs of our own that stacks run, for the process runtime (a stack's
// StackDefinition.build: the Go crypto/tls peer, the Java JSSE peer, the loopback-bind shim that
// gnutls-serv runs under). Each is built once into a cache directory named after the hash of its
// sources and recipe, os.tmpdir()/mtls-conformance-peers-<name>-<hash>/, and reused while that is
// unchanged: a cached build costs two stats. On the container runtime nothing is built here: each
// stack's image builds the same source and installs the result at a fixed path (inContainer).
//
// vitest runs test files in parallel workers that may build at the same time: each builds into a
// directory of its own and renames it into place; the first rename wins and the others discard theirs.
import { createHash, randomBytes } from "node:crypto";
import { lstat, mkdir, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import type { RuntimeName } from "../../runtime/types.js";
import type { ProgramBuild } from "../types.js";

export class PeerBuildError extends Error {}

const buildTimeoutMs = 300_000;

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A cached build lives in a shared temp dir and is executed (or LD_PRELOADed) as the current user,
 * so it is reused only when this user owns it and nobody else can write to it.
 */
async function assertOwnCacheDir(dir: string): Promise<void> {
  const stats = await lstat(dir);
  const uid = process.getuid?.();
  if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid) || (stats.mode & 0o022) !== 0) {
    throw new PeerBuildError(`failed to reuse the cached build ${dir}: it is not a directory owned by uid ${uid} and writable only by it (remove it)`);
  }
}

async function sourceHash(paths: string[], recipe: string[] = []): Promise<string> {
  const digest = createHash("sha256");
  for (const path of paths) digest.update(await readFile(path));
  return digest.update(JSON.stringify(recipe)).digest("hex").slice(0, 16);
}

/**
 * Builds into a fresh directory with `build(dir)` and moves it to `target`, unless `target`
 * exists already (built earlier, or by a parallel worker just now).
 */
async function buildOnce(target: string, build: (dir: string) => Promise<void>): Promise<void> {
  if (await exists(target)) return assertOwnCacheDir(target);
  await mkdir(dirname(target), { recursive: true });
  const staging = `${target}.building-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(staging, { mode: 0o755 });
  try {
    await build(staging);
    try {
      await rename(staging, target);
    } catch (error) {
      // Another worker's rename won (ENOTEMPTY/EEXIST): its build is as good as ours.
      if (!(await exists(target))) throw error;
      await assertOwnCacheDir(target);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function run(description: string, command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  const result = await execa(command, args, { reject: false, all: true, timeout: buildTimeoutMs, env, stdin: "ignore" });
  if (result.exitCode === 0) return;
  const missing = (result as { code?: string }).code === "ENOENT";
  const cause = missing ? `${command} not found` : result.timedOut ? `timed out after ${buildTimeoutMs} ms` : String(result.all ?? "").trim() || `exit code ${result.exitCode}`;
  throw new PeerBuildError(`failed to build ${description}: ${cause}`);
}

/** The absolute paths of a build's sources (they live in its stack's folder). */
export function sourcePaths(build: ProgramBuild, folder: URL): string[] {
  return build.sources.map((source) => fileURLToPath(new URL(source, folder)));
}

async function buildProgram(build: ProgramBuild, folder: URL): Promise<string> {
  const sources = sourcePaths(build, folder);
  const dir = join(tmpdir(), `mtls-conformance-peers-${build.name}-${await sourceHash(sources, build.recipe)}`);
  await buildOnce(dir, async (staging) => {
    const { command, args, env } = build.command(staging, sources);
    await run(build.description, command, args, env);
  });
  return build.artifact ? join(dir, build.artifact) : dir;
}

// One build per program and process: concurrent callers share the promise; a failed build is
// retried on the next call.
const builds = new Map<string, Promise<string>>();

/** The program built on the host, on first use. */
export function ensureProgram(build: ProgramBuild, folder: URL): Promise<string> {
  let built = builds.get(build.name);
  if (!built) {
    built = buildProgram(build, folder).catch((error: unknown) => {
      builds.delete(build.name);
      throw error;
    });
    builds.set(build.name, built);
  }
  return built;
}

/** The program as `runtime` sees it: the image's copy, or the host build. */
export function programOn(build: ProgramBuild, folder: URL, runtime: RuntimeName): Promise<string> {
  return runtime === "container" ? Promise.resolve(build.inContainer) : ensureProgram(build, folder);
}
