// Peer images, built without a registry: a Debian base image from debootstrap (`docker import`),
// and one image per implementation from the Dockerfile in harness/images/<implementation>/. Every
// tag is a hash of what the image is made from, so a build is skipped when its tag exists and a
// changed Dockerfile gets a new tag. Where a registry is reachable, MTLS_IMAGE_BASE (e.g.
// debian:bookworm-slim) replaces the debootstrap base and the same Dockerfiles build on it.
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile, chmod, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

export class ImageBuildError extends Error {}

const imagesDir = fileURLToPath(new URL(".", import.meta.url));
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

/** Implementations with an image: each has harness/images/<name>/Dockerfile. */
export const imageImplementations = ["openssl", "gnutls", "nginx", "haproxy", "go", "java", "caddy", "stunnel", "curl"] as const;
export type ImageImplementation = (typeof imageImplementations)[number];

const repositoryRoot = join(imagesDir, "..", "..");

/**
 * Files from elsewhere in the repository (paths from its root) that an image builds from: they are
 * copied next to the Dockerfile into a staged build context and hashed into the tag, so the image
 * always carries the program built from this checkout's source.
 */
const imageInputs: Partial<Record<ImageImplementation, string[]>> = {
  go: ["harness/peers/go/tlspeer.go"],
  java: ["harness/peers/java/TlsPeer.java"],
};

const hash = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** Versions a team pins (e.g. MTLS_NGINX_VERSION=1.22.1-9): passed to the Dockerfile's <NAME>_VERSION argument. */
function versionArgs(implementation: ImageImplementation): Record<string, string> {
  const name = `${implementation.toUpperCase()}_VERSION`;
  const pinned = process.env[`MTLS_${name}`];
  return pinned ? { [name]: pinned } : {};
}

export function baseImageTag(): string {
  return process.env.MTLS_IMAGE_BASE ?? `${repository}/base:${hash(JSON.stringify(baseRecipe))}`;
}

/** Hash of every file in the implementation's image directory, the base image and the build arguments. */
export async function peerImageTag(implementation: ImageImplementation): Promise<string> {
  const dir = join(imagesDir, implementation);
  const digest = createHash("sha256");
  for (const name of (await readdir(dir)).sort()) {
    digest.update(`${name}\0`).update(await readFile(join(dir, name))).update("\0");
  }
  for (const input of imageInputs[implementation] ?? []) {
    digest.update(`${input}\0`).update(await readFile(join(repositoryRoot, input))).update("\0");
  }
  digest.update(JSON.stringify({ base: baseImageTag(), args: versionArgs(implementation) }));
  return `${repository}/${implementation}:${digest.digest("hex").slice(0, 16)}`;
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

/** The image's directory, or a temp copy of it with its imageInputs beside the Dockerfile. */
async function buildContext(implementation: ImageImplementation): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = join(imagesDir, implementation);
  const inputs = imageInputs[implementation] ?? [];
  if (!inputs.length) return { path: dir, remove: async () => {} };
  const staged = await mkdtemp(join(tmpdir(), `mtls-image-context-${implementation}-`));
  try {
    await cp(dir, staged, { recursive: true });
    for (const input of inputs) await cp(join(repositoryRoot, input), join(staged, basename(input)));
  } catch (error) {
    await rm(staged, { recursive: true, force: true });
    throw new ImageBuildError(`failed to stage the build context of ${implementation}: ${(error as Error).message}`);
  }
  return { path: staged, remove: () => rm(staged, { recursive: true, force: true }) };
}

async function buildPeerImage(implementation: ImageImplementation, tag: string, log: Log): Promise<void> {
  const args = { BASE: baseImageTag(), ...versionArgs(implementation) };
  const context = await buildContext(implementation);
  try {
    await run(
      `build ${tag}`,
      "docker",
      // --network host: apt-get inside the build needs the network, and the engine has no bridge.
      ["build", "--network", "host", ...Object.entries(args).flatMap(([name, value]) => ["--build-arg", `${name}=${value}`]), "--tag", tag, context.path],
      { timeoutMs: 20 * 60_000, log },
    );
  } finally {
    await context.remove();
  }
}

/** Builds whatever is missing (base first) and returns implementation -> image tag. */
export async function ensureImages(implementations: readonly ImageImplementation[], log: Log): Promise<Record<string, string>> {
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
  for (const implementation of implementations) {
    const tag = await peerImageTag(implementation);
    tags[implementation] = tag;
    if (await imageExists(tag)) {
      log(`${tag}: exists, build skipped`);
      continue;
    }
    log(`${tag}: building`);
    const started = Date.now();
    await buildPeerImage(implementation, tag, log);
    log(`${tag}: built in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  return tags;
}

/** The tags of images that should exist, and which of them do not. */
export async function missingImages(implementations: readonly ImageImplementation[]): Promise<string[]> {
  const tags = await Promise.all(implementations.map((implementation) => peerImageTag(implementation)));
  const exists = await Promise.all(tags.map((tag) => imageExists(tag)));
  return tags.filter((_, index) => !exists[index]);
}
