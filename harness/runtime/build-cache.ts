// A cache of programs built from our own sources (the stacks' peers, the process launcher): each
// is built once into a directory named after the hash of its sources and recipe under os.tmpdir(),
// and reused while that is unchanged (a cached build costs two stats).
//
// vitest runs test files in parallel workers that may build at the same time: each builds into a
// directory of its own and renames it into place; the first rename wins and the others discard theirs.
import { createHash, randomBytes } from "node:crypto";
import { lstat, mkdir, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

// A cached build that is not ours alone to trust.
export class BuildCacheError extends Error {}

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
    throw new BuildCacheError(`failed to reuse the cached build ${dir}: it is not a directory owned by uid ${uid} and writable only by it (remove it)`);
  }
}

/** A short hash of the sources and the recipe, the cache directory's name. */
export async function sourceHash(paths: string[], recipe: string[] = []): Promise<string> {
  const digest = createHash("sha256");
  for (const path of paths) digest.update(await readFile(path));
  return digest.update(JSON.stringify(recipe)).digest("hex").slice(0, 16);
}

/**
 * Builds into a fresh directory with `build(dir)` and moves it to `target`, unless `target`
 * exists already (built earlier, or by a parallel worker just now).
 */
export async function buildOnce(target: string, build: (dir: string) => Promise<void>): Promise<void> {
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

