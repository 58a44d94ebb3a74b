// Builds the programs of our own that stacks run, for the process runtime (a stack's
// StackDefinition.build: the Go crypto/tls peer, the Java JSSE peer, the loopback-bind shim that
// gnutls-serv runs under). Each is built once into a cache directory named after the hash of its
// sources and recipe, os.tmpdir()/mtls-conformance-peers-<name>-<hash>/, and reused while that is
// unchanged: a cached build costs two stats. On the container runtime nothing is built here: each
// stack's image builds the same source and installs the result at a fixed path (inContainer).
//
// Parallel builds of one program are safe (runtime/build-cache.ts).
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { buildOnce, sourceHash } from "../../runtime/build-cache.js";
import type { RuntimeName } from "../../runtime/types.js";
import type { ProgramBuild } from "../types.js";

export class PeerBuildError extends Error {}

const buildTimeoutMs = 300_000;

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
