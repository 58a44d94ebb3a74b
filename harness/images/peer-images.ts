// Peer images, built without a registry: a Debian base image from debootstrap (`docker import`),
// and one image per stack from the Dockerfile in its folder (harness/stacks/<name>/, as its
// StackDefinition.image names it). Every tag is a hash of what the image is made from, so a build
// is skipped when its tag exists and a changed Dockerfile gets a new tag. Where a registry is reachable, MTLS_IMAGE_BASE (e.g.
// debian:bookworm-slim) replaces the debootstrap base and the same Dockerfiles build on it.
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile, chmod, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { stacks } from "../stacks/registry.js";
import type { StackDefinition } from "../stacks/types.js";

export class ImageBuildError extends Error {}

const repository = "mtls-conformance";

/** The debootstrap recipe of the base image; every field is part of its tag. */
const baseRecipe = {
  suite: process.env.MTLS_DEBIAN_SUITE ?? "bookworm",
  variant: "minbase",
  mirror: process.env.MTLS_DEBIAN_MIRROR ?? "http://deb.debian.org/debian",
  securityMirror: process.env.MTLS_DEBIAN_SECURITY_MIRROR ?? "http://deb.debian.org/debian-security",
  // Bump when the steps in buildBaseImage change what ends up in the image.
  recipeVersion: 1,
};

/** The stacks that have an image (every stack that runs on the container runtime must). */
export const imageStacks: readonly StackDefinition[] = stacks.filter((stack) => stack.image !== undefined);

/** A stack's image needs a Dockerfile; the error names the stack when it has none. */
function imageOf(stack: StackDefinition): NonNullable<StackDefinition["image"]> {
  if (!stack.image) throw new ImageBuildError(`failed to build an image for ${stack.name}: its definition names no Dockerfile`);
  return stack.image;
}

/**
 * What the build context holds, as absolute paths: the Dockerfile, the image's other inputs and
 * the sources of the stack's own program (the image builds it from this checkout's source).
 */
function contextFiles(stack: StackDefinition): string[] {
  const image = imageOf(stack);
  const names = [image.dockerfile, ...image.inputs, ...(stack.build?.sources ?? [])];
  return [...new Set(names)].map((name) => fileURLToPath(new URL(name, stack.folder)));
}

const hash = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** Versions a team pins (e.g. MTLS_NGINX_VERSION=1.22.1-9): passed to the Dockerfile's <NAME>_VERSION argument. */
function versionArgs(stack: StackDefinition): Record<string, string> {
  const name = `${stack.name.toUpperCase()}_VERSION`;
  const pinned = process.env[`MTLS_${name}`];
  return pinned ? { [name]: pinned } : {};
}

export function baseImageTag(): string {
  return process.env.MTLS_IMAGE_BASE ?? `${repository}/base:${hash(JSON.stringify(baseRecipe))}`;
}

/** Hash of every file of the build context (by name), the base image and the build arguments. */
export async function peerImageTag(stack: StackDefinition): Promise<string> {
  const digest = createHash("sha256");
  const files = contextFiles(stack).sort((left, right) => basename(left).localeCompare(basename(right)));
  for (const file of files) digest.update(`${basename(file)}\0`).update(await readFile(file)).update("\0");
  digest.update(JSON.stringify({ base: baseImageTag(), args: versionArgs(stack) }));
  return `${repository}/${stack.name}:${digest.digest("hex").slice(0, 16)}`;
}

export async function imageExists(tag: string): Promise<boolean> {
  const result = await execa("docker", ["image", "inspect", "--format", "{{.Id}}", tag], { reject: false, timeout: 30_000 });
  return result.exitCode === 0;
}

type Log = (line: string) => void;

async function run(what: string, command: string, args: string[], options: { timeoutMs: number; log: Log; input?: string; shell?: boolean }): Promise<void> {
  const child = execa(command, args, { all: true, reject: false, timeout: options.timeoutMs, buffer: { all: true }, shell: options.shell ?? false });
  child.all?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) options.log(`  ${line}`);
  });
  const result = await child;
  if (result.timedOut) throw new ImageBuildError(`failed to ${what}: no result within ${options.timeoutMs / 1000} s`);
  if (result.exitCode !== 0) {
    const tail = String(result.all ?? "").trim().split("\n").slice(-5).join(" | ");
    throw new ImageBuildError(`failed to ${what}: exit code ${result.exitCode}${tail ? `: ${tail}` : ""}`);
  }
}

/** debootstrap --variant=minbase into a temp dir, then `docker import` (about 30 s measured). */
async function buildBaseImage(tag: string, log: Log): Promise<void> {
  const which = await execa("debootstrap", ["--version"], { reject: false, timeout: 10_000 });
  if (which.exitCode !== 0) {
    throw new ImageBuildError(`failed to build ${tag}: debootstrap is not installed (run harness/images/engine.sh as root, or apt-get install debootstrap)`);
  }
  // /var/tmp, not /tmp: a root file system does not belong on a tmpfs.
  const rootfs = await mkdtemp("/var/tmp/mtls-rootfs-");
  try {
    const { suite, variant, mirror, securityMirror } = baseRecipe;
    await run(`debootstrap ${suite}`, "debootstrap", [`--variant=${variant}`, suite, rootfs, mirror], { timeoutMs: 15 * 60_000, log });
    // Security and point-release updates, as on a maintained Debian host.
    await writeFile(
      join(rootfs, "etc/apt/sources.list"),
      `deb ${mirror} ${suite} main\ndeb ${mirror} ${suite}-updates main\ndeb ${securityMirror} ${suite}-security main\n`,
    );
    await writeFile(join(rootfs, "usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 101\n");
    await chmod(join(rootfs, "usr/sbin/policy-rc.d"), 0o755);
    await rm(join(rootfs, "var/cache/apt/archives"), { recursive: true, force: true });
    await run(`import ${tag}`, `tar -C '${rootfs}' -c . | docker import --change 'CMD ["/bin/bash"]' - '${tag}'`, [], { timeoutMs: 10 * 60_000, log, shell: true });
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}

/** A temp directory holding the context files side by side, the Dockerfile among them. */
async function buildContext(stack: StackDefinition): Promise<{ path: string; dockerfile: string; remove(): Promise<void> }> {
  const staged = await mkdtemp(join(tmpdir(), `mtls-image-context-${stack.name}-`));
  try {
    for (const file of contextFiles(stack)) await cp(file, join(staged, basename(file)));
  } catch (error) {
    await rm(staged, { recursive: true, force: true });
    throw new ImageBuildError(`failed to stage the build context of ${stack.name}: ${(error as Error).message}`);
  }
  return { path: staged, dockerfile: join(staged, basename(imageOf(stack).dockerfile)), remove: () => rm(staged, { recursive: true, force: true }) };
}

async function buildPeerImage(stack: StackDefinition, tag: string, log: Log): Promise<void> {
  const args = { BASE: baseImageTag(), ...versionArgs(stack) };
  const context = await buildContext(stack);
  try {
    await run(
      `build ${tag}`,
      "docker",
      // --network host: apt-get inside the build needs the network, and the engine has no bridge.
      ["build", "--network", "host", ...Object.entries(args).flatMap(([name, value]) => ["--build-arg", `${name}=${value}`]), "--file", context.dockerfile, "--tag", tag, context.path],
      { timeoutMs: 20 * 60_000, log },
    );
  } finally {
    await context.remove();
  }
}

/** MTLS_IMAGE_BUILDS: peer images built at once (default 2). */
export function imageBuildsAtOnce(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.MTLS_IMAGE_BUILDS;
  if (value === undefined || value.trim() === "") return 2;
  const builds = Number(value);
  if (!Number.isInteger(builds) || builds < 1 || builds > 16) throw new ImageBuildError(`failed to build images: MTLS_IMAGE_BUILDS=${value} is not a whole number from 1 to 16`);
  return builds;
}

/** Builds whatever is missing (base first) and returns stack name -> image tag. */
export async function ensureImages(imageStacks: readonly StackDefinition[], log: Log): Promise<Record<string, string>> {
  const base = baseImageTag();
  if (!process.env.MTLS_IMAGE_BASE) {
    if (await imageExists(base)) log(`${base}: exists, build skipped`);
    else {
      log(`${base}: building with debootstrap`);
      const started = Date.now();
      await buildBaseImage(base, log);
      log(`${base}: built in ${Math.round((Date.now() - started) / 1000)} s`);
    }
  }
  const tags: Record<string, string> = {};
  const missing: Array<[StackDefinition, string]> = [];
  for (const stack of imageStacks) {
    const tag = await peerImageTag(stack);
    tags[stack.name] = tag;
    if (await imageExists(tag)) log(`${tag}: exists, build skipped`);
    else missing.push([stack, tag]);
  }
  // A few builds at once: most of a build is apt downloading and unpacking, so two overlap well
  // on two cores. Each build's lines carry its stack's name, since they interleave.
  const queue = [...missing];
  const builder = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [stack, tag] = next;
      log(`${tag}: building`);
      const started = Date.now();
      await buildPeerImage(stack, tag, (line) => log(`${stack.name}:${line}`));
      log(`${tag}: built in ${Math.round((Date.now() - started) / 1000)} s`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(imageBuildsAtOnce(), missing.length) }, builder));
  return tags;
}

/** The tags of images that should exist, and which of them do not. */
export async function missingImages(imageStacks: readonly StackDefinition[]): Promise<string[]> {
  const tags = await Promise.all(imageStacks.map((stack) => peerImageTag(stack)));
  const exists = await Promise.all(tags.map((tag) => imageExists(tag)));
  return tags.filter((_, index) => !exists[index]);
}
