// Builds the peer programs of our own for the process runtime: the Go crypto/tls peer
// (peers/go/tlspeer.go), the Java JSSE peer (peers/java/TlsPeer.java) and the loopback-bind shim
// that gnutls-serv runs under (images/gnutls/loopback-bind.c). Each is built once into a cache
// directory named after the hash of its source and build recipe,
// os.tmpdir()/mtls-conformance-peers-<program>-<hash>/, and reused while that is unchanged: a
// cached build costs two stats. On the container runtime nothing is built here: each image builds
// the same source and installs the result at a fixed path (inContainer below).
//
// The Go build uses the standard library only and never reaches a module proxy (GO111MODULE=off,
// GOPROXY=off); CGO_ENABLED=0 gives a static binary that needs no C toolchain. Its build cache is
// shared across source versions, so a rebuild after an edit takes about a second, not the ten of
// a cold standard-library compile (measured, Go 1.19 on 2 cores).
//
// vitest runs test files in parallel workers that may build at the same time: each builds into a
// directory of its own and renames it into place; the first rename wins and the others discard theirs.
import { createHash, randomBytes } from "node:crypto";
import { lstat, mkdir, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import type { RuntimeName } from "../runtime/types.js";

export class PeerBuildError extends Error {}

const peersDir = dirname(fileURLToPath(import.meta.url));
const goSource = join(peersDir, "go", "tlspeer.go");
const javaSource = join(peersDir, "java", "TlsPeer.java");
const loopbackBindSource = join(peersDir, "..", "images", "gnutls", "loopback-bind.c");
const buildTimeoutMs = 300_000;

export interface PeerBinaries {
  /** The Go peer executable. */
  goPeer: string;
  /** A class path holding the Java peer's main class, TlsPeer. */
  javaClassPath: string;
  /** The LD_PRELOAD shim that keeps gnutls-serv on its loopback address. */
  loopbackBindShim: string;
}

/**
 * Where the images install the same programs (harness/images/{go,java,gnutls}/Dockerfile): fixed
 * paths, built into the image from this repository's source, so a container needs no build step.
 */
export const inContainer: PeerBinaries = {
  goPeer: "/usr/local/bin/mtls-tlspeer",
  javaClassPath: "/usr/local/lib/mtls-conformance/java",
  loopbackBindShim: "/usr/local/lib/loopback-bind.so",
};

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

async function sourceHash(path: string, recipe: string[] = []): Promise<string> {
  return createHash("sha256").update(await readFile(path)).update(JSON.stringify(recipe)).digest("hex").slice(0, 16);
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

async function buildGoPeer(): Promise<string> {
  const dir = join(tmpdir(), `mtls-conformance-peers-go-${await sourceHash(goSource)}`);
  await buildOnce(dir, async (staging) => {
    const shared = join(tmpdir(), "mtls-conformance-go");
    await run("the Go peer (apt-get install golang-go)", "go", ["build", "-trimpath", "-o", join(staging, "tlspeer"), goSource], {
      GO111MODULE: "off",
      GOPROXY: "off",
      GOFLAGS: "",
      GOENV: "off",
      GOTOOLCHAIN: "local",
      GOTELEMETRY: "off",
      CGO_ENABLED: "0",
      GOCACHE: join(shared, "cache"),
      GOPATH: join(shared, "path"),
    });
  });
  return join(dir, "tlspeer");
}

async function buildJavaPeer(): Promise<string> {
  const dir = join(tmpdir(), `mtls-conformance-peers-java-${await sourceHash(javaSource)}`);
  await buildOnce(dir, async (staging) => {
    await run("the Java peer (apt-get install openjdk-17-jdk-headless)", "javac", ["--release", "17", "-Xlint:all", "-Werror", "-d", staging, javaSource]);
  });
  return dir;
}

// The same flags as the gnutls image's shim stage (harness/images/gnutls/Dockerfile).
const loopbackBindFlags = ["-shared", "-fPIC", "-O2", "-Wall", "-Werror"];

async function buildLoopbackBindShim(): Promise<string> {
  const dir = join(tmpdir(), `mtls-conformance-peers-loopback-bind-${await sourceHash(loopbackBindSource, loopbackBindFlags)}`);
  await buildOnce(dir, async (staging) => {
    await run("the loopback-bind shim (apt-get install gcc libc6-dev)", "cc", [...loopbackBindFlags, "-o", join(staging, "loopback-bind.so"), loopbackBindSource, "-ldl"]);
  });
  return join(dir, "loopback-bind.so");
}

// One build per process: concurrent callers share the promise; a failed build is retried on the next call.
let goBuild: Promise<string> | undefined;
let javaBuild: Promise<string> | undefined;
let shimBuild: Promise<string> | undefined;

/** The Go peer executable, built on first use. */
export function ensureGoPeer(): Promise<string> {
  goBuild ??= buildGoPeer().catch((error: unknown) => {
    goBuild = undefined;
    throw error;
  });
  return goBuild;
}

/** The Java peer's class path, compiled on first use. */
export function ensureJavaPeer(): Promise<string> {
  javaBuild ??= buildJavaPeer().catch((error: unknown) => {
    javaBuild = undefined;
    throw error;
  });
  return javaBuild;
}

/** The loopback-bind shim for gnutls-serv, compiled with the host's cc on first use. */
export function ensureLoopbackBindShim(): Promise<string> {
  shimBuild ??= buildLoopbackBindShim().catch((error: unknown) => {
    shimBuild = undefined;
    throw error;
  });
  return shimBuild;
}

/** Every host build (a globalSetup can call this to build before any test starts). */
export async function ensurePeerBinaries(): Promise<PeerBinaries> {
  const [goPeer, javaClassPath, loopbackBindShim] = await Promise.all([ensureGoPeer(), ensureJavaPeer(), ensureLoopbackBindShim()]);
  return { goPeer, javaClassPath, loopbackBindShim };
}

/** The Go peer executable as `runtime` sees it: the image's copy, or the host build. */
export function goPeerOn(runtime: RuntimeName): Promise<string> {
  return runtime === "container" ? Promise.resolve(inContainer.goPeer) : ensureGoPeer();
}

/** The Java peer's class path as `runtime` sees it. */
export function javaPeerOn(runtime: RuntimeName): Promise<string> {
  return runtime === "container" ? Promise.resolve(inContainer.javaClassPath) : ensureJavaPeer();
}

/** The loopback-bind shim as `runtime` sees it. */
export function loopbackBindShimOn(runtime: RuntimeName): Promise<string> {
  return runtime === "container" ? Promise.resolve(inContainer.loopbackBindShim) : ensureLoopbackBindShim();
}
