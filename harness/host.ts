// What this machine has: programs on PATH, Chromium or Chrome, a container engine. Detected once
// per run (vitest.config.ts) and handed to the tests, so a missing stack or tool becomes a skip
// with the reason and the fix instead of a failure. Also the packages of every tool the tests use
// besides the implementations (those declare theirs on their entries in implementations.ts), which
// `npm run setup` installs.
import { execFileSync } from "node:child_process";
import { accessSync, constants, openSync, readSync, closeSync, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/** What a stack or tool needs: Debian packages, the programs they put on PATH, other files. */
export interface Requirement {
  /** Debian package names (apt-get install ...). */
  packages: string[];
  /** Programs looked up on PATH (or absolute paths). */
  programs: string[];
  /** Files that must exist, e.g. a header a build needs. */
  files?: string[];
}

/** Tools the unit and gallery tests call besides the implementations, by the name tests ask for. */
export const testTools = {
  openssl: { packages: ["openssl"], programs: ["openssl"] },
  python3: { packages: ["python3"], programs: ["python3"] },
  // The gnutls-serv loopback-bind shim (gcc does not pull libc6-dev without recommends).
  "c-compiler": { packages: ["gcc", "libc6-dev"], programs: ["cc"], files: ["/usr/include/stdio.h"] },
  // Lints examples/github-actions.yml.
  yamllint: { packages: ["yamllint"], programs: ["yamllint"] },
  // Makes an issuer as a developer gets it (harness/external/minted-issuer.test.ts).
  mkcert: { packages: ["mkcert"], programs: ["mkcert"] },
  // Real clients the client gallery is proven on (harness/client/clients.test.ts) besides openssl
  // and python3; curl and gnutls-cli are also implementations, installed here whatever is selected.
  curl: { packages: ["curl"], programs: ["curl"] },
  wget: { packages: ["wget"], programs: ["wget"] },
  "gnutls-cli": { packages: ["gnutls-bin"], programs: ["gnutls-cli"] },
} satisfies Record<string, Requirement>;
export type TestTool = keyof typeof testTools | "chromium";

/**
 * Packages of real third-party endpoints the external gallery tests start (harness/external/
 * gallery/servers.ts, docs/gallery.md) beside nginx, haproxy and caddy, which are implementations:
 * an MQTT broker, an HTTP/2 proxy, PostgreSQL 15 (psql comes with it) and Apache 2.4. `npm run setup` installs
 * them with everything else; add a server here when the gallery gains one.
 */
export const galleryPackages: string[] = ["mosquitto", "nghttp2-proxy", "postgresql", "apache2"];

/** Debian's Chromium: installed by `npm run setup` only when no Chromium or Chrome is found. */
export const chromiumPackage = "chromium";

/** Where a program is, by PATH lookup (or the path itself when absolute), if it is executable. */
export function findProgram(name: string, path = process.env.PATH ?? ""): string | undefined {
  const candidates = isAbsolute(name) ? [name] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function fileExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** What of `requirement` is missing on this machine (searching `path`): program names and file paths. */
export function missingParts(requirement: Requirement, path = process.env.PATH ?? ""): string[] {
  return [...requirement.programs.filter((program) => !findProgram(program, path)), ...(requirement.files ?? []).filter((file) => !fileExists(file))];
}

/** The one-line reason and fix for a missing requirement. */
export function notInstalledReason(requirement: Requirement, missing: string[]): string {
  return `not installed (${missing.join(", ")} missing): apt-get install ${requirement.packages.join(" ")}, or npm run setup`;
}

/** Ubuntu's chromium and chromium-browser packages install a script that runs a snap. */
function isSnapWrapper(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const head = Buffer.alloc(4096);
    const text = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString("latin1");
    return text.startsWith("#!") && /\bsnap\b/.test(text);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Names and paths where Debian, Ubuntu, Google and GitHub's runner images put Chromium or Chrome. */
export const chromiumCandidates = [
  "chromium",
  "chromium-browser",
  "google-chrome",
  "google-chrome-stable",
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/opt/google/chrome/chrome",
  "/snap/bin/chromium",
];

export class HostSettingsError extends Error {}

/**
 * Chromium or Chrome for the matrix.html test: MTLS_CHROMIUM when set (it must be executable),
 * else the first of chromiumCandidates that is a browser and not a wrapper for a snap that is not
 * installed. Returns the path, or the reason none was found.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path: string } | { reason: string } {
  const override = env.MTLS_CHROMIUM;
  if (override) {
    const path = findProgram(override, env.PATH);
    if (!path) throw new HostSettingsError(`failed to find Chromium: MTLS_CHROMIUM=${override} is not an executable file`);
    return { path };
  }
  for (const candidate of chromiumCandidates) {
    const path = findProgram(candidate, env.PATH);
    if (path && !isSnapWrapper(path)) return { path };
  }
  return {
    reason: `no Chromium or Chrome found (looked for ${chromiumCandidates.join(", ")}): apt-get install ${chromiumPackage}, or set MTLS_CHROMIUM to a Chromium or Chrome executable`,
  };
}

/** Whether a container engine answers, as the container runtime needs; its version or why not. */
export function detectEngine(): { version: string } | { reason: string } {
  if (!findProgram("docker")) return { reason: "no docker client: npm run setup -- --containers" };
  try {
    const version = execFileSync("docker", ["version", "--format", "{{.Server.Version}}"], { timeout: 5_000, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    return { version: `docker ${version}` };
  } catch {
    return { reason: "the docker client finds no engine: npm run engine:up" };
  }
}

/** Each test tool's path, or the reason and fix when it is missing. */
export type ToolReport = Record<TestTool, { path: string } | { reason: string }>;

export function detectTools(env: NodeJS.ProcessEnv = process.env): ToolReport {
  const tools = Object.fromEntries(
    Object.entries(testTools).map(([name, requirement]: [string, Requirement]) => {
      const missing = missingParts(requirement);
      return [name, missing.length ? { reason: notInstalledReason(requirement, missing) } : { path: findProgram(requirement.programs[0]!)! }];
    }),
  ) as Omit<ToolReport, "chromium">;
  return { ...tools, chromium: findChromium(env) };
}
