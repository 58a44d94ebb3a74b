// Builds the peers that are programs of our own: the Go crypto/tls peer (peers/go/tlspeer.go) and
// the Java JSSE peer (peers/java/TlsPeer.java). Each is built once into a cache directory named
// after the hash of its source, os.tmpdir()/mtls-conformance-peers-<hash>/, and reused while the
// source is unchanged: a cached build costs one stat.
//
// The Go build uses the standard library only and never reaches a module proxy (GO111MODULE=off,
// GOPROXY=off); CGO_ENABLED=0 gives a static binary that needs no C toolchain. Its build cache is
// shared across source versions, so a rebuild after an edit takes about a second, not the ten of
// a cold standard-library compile (measured, Go 1.19 on 2 cores).
//
// vitest runs test files in parallel workers that may build at the same time: each builds into a
// directory of its own and renames it into place; the first rename wins and the others discard theirs.
import { createHash, randomBytes } from "node:crypto";
import { access, mkdir, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

export class PeerBuildError extends Error {}

const peersDir = dirname(fileURLToPath(import.meta.url));
const goSource = join(peersDir, "go", "tlspeer.go");
const javaSource = join(peersDir, "java", "TlsPeer.java");
const buildTimeoutMs = 300_000;

export interface PeerBinaries {
  /** The Go peer executable. */
  goPeer: string;
  /** A class path holding the Java peer's main class, TlsPeer. */
  javaClassPath: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function sourceHash(path: string): Promise<string> {
  return createHash("sha256").update(await readFile(path)).digest("hex").slice(0, 16);
}

/**
 * Builds into a fresh directory with `build(dir)` and moves it to `target`, unless `target`
 * exists already (built earlier, or by a parallel worker just now).
 */
async function buildOnce(target: string, build: (dir: string) => Promise<void>): Promise<void> {
  if (await exists(target)) return;
  await mkdir(dirname(target), { recursive: true });
  const staging = `${target}.building-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(staging);
  try {
    await build(staging);
    try {
      await rename(staging, target);
    } catch (error) {
      // Another worker's rename won (ENOTEMPTY/EEXIST): its build is as good as ours.
      if (!(await exists(target))) throw error;
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

// One build per process: concurrent callers share the promise; a failed build is retried on the next call.
let goBuild: Promise<string> | undefined;
let javaBuild: Promise<string> | undefined;

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

/** Both peers (a globalSetup can call this to build before any test starts). */
export async function ensurePeerBinaries(): Promise<PeerBinaries> {
  const [goPeer, javaClassPath] = await Promise.all([ensureGoPeer(), ensureJavaPeer()]);
  return { goPeer, javaClassPath };
}
