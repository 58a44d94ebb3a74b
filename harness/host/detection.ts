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
  // The strict OpenMetrics parser the --metrics output is checked with (Debian's python3, where the
  // package installs; a pyenv python3 first on PATH would not see it).
  "openmetrics-parser": { packages: ["python3-prometheus-client"], programs: ["/usr/bin/python3"], files: ["/usr/lib/python3/dist-packages/prometheus_client/openmetrics/parser.py"] },
} satisfies Record<string, Requirement>;
export type TestTool = keyof typeof testTools | "chromium";

/**
 * Packages of real third-party endpoints the external gallery tests start (harness/external/
 * gallery/truth.ts, docs/gallery.md) beside nginx, haproxy and caddy, which are implementations:
 * an MQTT broker, an HTTP/2 proxy, PostgreSQL 15 (psql comes with it), Apache 2.4 and nginx's stream
 * module (the ssl_preread detectors). `npm run setup` installs
 * them with everything else; add a server here when the gallery gains one.
 */
export const galleryPackages: string[] = ["mosquitto", "nghttp2-proxy", "postgresql", "apache2", "libnginx-mod-stream"];

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

/** Whether dpkg has the Debian package `name` installed (false where there is no dpkg). */
export function installedPackage(name: string): boolean {
  try {
    return execFileSync("dpkg-query", ["-W", "-f=${Status}", name], { stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).toString().includes("install ok installed");
  } catch {
    return false;
  }
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

/** A server the external gallery tests start: the program they look for and the package with it. */
export interface GalleryServerProgram {
  program: string;
  debianPackage?: string;
}

/** Each gallery server package's program path, or the reason and fix when it is missing. */
export type GalleryReport = Record<string, { path: string } | { reason: string }>;

/**
 * Which of the gallery's real servers are here, keyed by Debian package: the programs the gallery
 * tests look for (`servers`, from harness/gallery/truth.ts; the harness's own node
 * endpoints carry no package and are left out), plus any package in `packages` that no server
 * names, looked up as installed (npm run setup's own check) so a new list entry is never ignored.
 */
export function detectGalleryServers(servers: GalleryServerProgram[], packages: string[], isInstalled: (name: string) => boolean, path = process.env.PATH ?? ""): GalleryReport {
  const report: GalleryReport = {};
  for (const { program, debianPackage } of servers) {
    if (!debianPackage || debianPackage in report) continue;
    const found = findProgram(program, path);
    report[debianPackage] = found ? { path: found } : { reason: notInstalledReason({ packages: [debianPackage], programs: [program] }, [program]) };
  }
  for (const name of packages) {
    if (name in report) continue;
    report[name] = isInstalled(name) ? { path: `package ${name}` } : { reason: `not installed (package ${name} missing): apt-get install ${name}, or npm run setup` };
  }
  return report;
}

/**
 * The names MTLS_REQUIRE_TOOLS (`requested`) makes required: `all`, or a comma list of test tools
 * and gallery server packages; undefined when unset (a missing one only skips its tests). Throws a
 * one-line error for an unknown name.
 */
export function requiredTools(requested: string | undefined, known: string[]): Set<string> | undefined {
  const value = requested?.trim() ?? "";
  if (value === "") return undefined;
  if (value === "all") return new Set(known);
  const names = value.split(",").map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length || !names.length) {
    throw new HostSettingsError(`failed to read MTLS_REQUIRE_TOOLS=${value}: ${unknown.length ? `names ${unknown.join(", ")}` : "names nothing"}; valid: ${known.join(", ")}, or all`);
  }
  return new Set(names);
}

/** The Debian packages that provide a test tool or gallery server, by its name in the reports. */
function packagesOf(name: string): string[] {
  if (name === "chromium") return [chromiumPackage];
  if (name in testTools) return testTools[name as keyof typeof testTools].packages;
  return [name];
}

/**
 * Stops a run that MTLS_REQUIRE_TOOLS says must have every tool it names (CI, which installs them
 * all): one line naming each missing test tool and gallery server, with the fix. A skip for a
 * missing tool is for a user's machine; in CI it would hide that a test never ran.
 */
export function checkRequiredTools(requested: string | undefined, tools: ToolReport, gallery: GalleryReport): void {
  const required = requiredTools(requested, [...Object.keys(tools), ...Object.keys(gallery)]);
  if (!required) return;
  const missingTools = Object.entries(tools).filter(([name, found]) => required.has(name) && "reason" in found).map(([name]) => name);
  const missingServers = Object.entries(gallery).filter(([name, found]) => required.has(name) && "reason" in found).map(([name]) => name);
  if (!missingTools.length && !missingServers.length) return;
  const parts = [...(missingTools.length ? [`test tools ${missingTools.join(", ")}`] : []), ...(missingServers.length ? [`gallery servers ${missingServers.join(", ")}`] : [])];
  const packages = [...new Set([...missingTools, ...missingServers].flatMap(packagesOf))];
  throw new HostSettingsError(`failed to find required tools: MTLS_REQUIRE_TOOLS=${requested!.trim()} asks for ${parts.join(" and ")}, not installed: apt-get install ${packages.join(" ")} (or npm run setup)`);
}
