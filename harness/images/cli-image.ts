// The command's own image (harness/images/cli/Dockerfile), built without a registry like the peer
// images: on the project's Debian base, with this machine's Node.js binary and the command compiled
// from this checkout. The tag hashes everything copied in, so an unchanged command builds nothing.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { execa } from "execa";
import { baseImageTag, imageExists, ImageBuildError } from "./peer-images.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
}

/** Stages the build context: the Dockerfile, the node binary, app/ (package.json, dist/, the entry point, the runtime dependencies). */
async function stageContext(dir: string): Promise<void> {
  const app = join(dir, "app");
  await mkdir(join(app, "harness/bin"), { recursive: true });
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  try {
    await run(process.execPath, [tsc, "-p", join(root, "harness/tsconfig.build.json"), "--outDir", join(app, "dist")], { cwd: root, timeout: 300_000 });
  } catch (error) {
    throw new ImageBuildError(`failed to compile the command for its image: ${String((error as { stdout?: string }).stdout ?? (error as Error).message).trim()}`);
  }
  const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { name: string; version: string; type: string; dependencies?: Record<string, string> };
  await Promise.all([
    copyFile(join(root, "harness/bin/mtls-conformance.mjs"), join(app, "harness/bin/mtls-conformance.mjs")),
    copyFile(join(root, "package.json"), join(app, "package.json")),
    copyFile(join(root, "harness/images/cli/Dockerfile"), join(dir, "Dockerfile")),
    copyFile(process.execPath, join(dir, "node")),
    // The runtime dependencies as this checkout resolved them (npm ci): none has dependencies of its own.
    ...Object.keys(manifest.dependencies ?? {}).map((name) => cp(join(root, "node_modules", name), join(app, "node_modules", name), { recursive: true })),
  ]);
}

/** Hash of every staged file but the node binary, which is named by its version and platform. */
async function contextTag(dir: string): Promise<string> {
  const digest = createHash("sha256").update(JSON.stringify({ base: baseImageTag(), node: `${process.version} ${process.platform} ${process.arch}` }));
  for (const file of await filesUnder(dir)) {
    if (file === join(dir, "node")) continue;
    digest.update(`${relative(dir, file)}\0`).update(await readFile(file)).update("\0");
  }
  return `mtls-conformance/cli:${digest.digest("hex").slice(0, 16)}`;
}

/** Builds the command's image unless its tag exists; returns the tag. */
export async function ensureCliImage(log: (line: string) => void = () => {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "mtls-cli-image-"));
  try {
    await stageContext(dir);
    const tag = await contextTag(dir);
    if (await imageExists(tag)) {
      log(`${tag}: exists, build skipped`);
      return tag;
    }
    log(`${tag}: building`);
    // --network host: the engine has no bridge; the build itself fetches nothing.
    const build = await execa("docker", ["build", "--network", "host", "--build-arg", `BASE=${baseImageTag()}`, "--tag", tag, dir], { all: true, reject: false, timeout: 600_000 });
    if (build.exitCode !== 0) throw new ImageBuildError(`failed to build ${tag}: exit code ${build.exitCode}: ${String(build.all).trim().split("\n").slice(-5).join(" | ")}`);
    log(`${tag}: built`);
    return tag;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
