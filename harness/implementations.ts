// The TLS implementations a scenario can run against, by the role they can play and the runtimes
// they can run on.
import { gnutlsClient, gnutlsServer } from "./peers/gnutls.js";
import { goClient, goServer, goVersion } from "./peers/go.js";
import { javaClient, javaServer } from "./peers/java.js";
import { haproxyServer } from "./peers/haproxy.js";
import { nginxServer } from "./peers/nginx.js";
import { nodeClient, nodeServer } from "./peers/node.js";
import { opensslClient, opensslServer } from "./peers/openssl.js";
import { caddyServer } from "./peers/caddy.js";
import { curlClient } from "./peers/curl.js";
import { stunnelServer, stunnelVersion } from "./peers/stunnel.js";
import type { TlsClientAdapter, TlsServerAdapter } from "./peers/types.js";
import { missingParts, notInstalledReason, type Requirement } from "./host.js";
import type { Runtime, RuntimeName } from "./runtime/types.js";

export interface Implementation {
  name: string;
  server?: TlsServerAdapter;
  client?: TlsClientAdapter;
  /** The stack's own version line, as the runtime runs it (memoized). */
  version(): Promise<string>;
}

interface ImplementationEntry extends Requirement {
  name: string;
  runtimes: RuntimeName[];
  server?: (runtime: Runtime) => TlsServerAdapter;
  client?: (runtime: Runtime) => TlsClientAdapter;
  /** The command that prints the version (its first line is kept), or a function that finds it on a runtime. */
  version: [command: string, args: string[]] | ((runtime: Runtime) => string | Promise<string>);
  // From Requirement: `packages`, the Debian packages that install it on the host for the process
  // runtime (`npm run setup` installs them; its image installs its own), and `programs` and
  // `files`, what the harness looks for to decide that it is installed.
}

const catalogue: ImplementationEntry[] = [
  // node:tls runs inside the harness's own process, so it has no container form.
  { name: "node", runtimes: ["process"], server: () => nodeServer, client: () => nodeClient, version: () => `node ${process.version} (OpenSSL ${process.versions.openssl})`, packages: [], programs: [] },
  { name: "openssl", runtimes: ["process", "container"], server: opensslServer, client: opensslClient, version: ["openssl", ["version"]], packages: ["openssl"], programs: ["openssl"] },
  // Built from harness/peers/go and harness/peers/java: on the host on first use (peers/build-peers.ts),
  // inside their images for the container runtime. The Go version is the one compiled into the peer.
  { name: "go", runtimes: ["process", "container"], server: goServer, client: goClient, version: goVersion, packages: ["golang-go"], programs: ["go"] },
  { name: "java", runtimes: ["process", "container"], server: javaServer, client: javaClient, version: ["java", ["-version"]], packages: ["openjdk-17-jdk-headless"], programs: ["java", "javac"] },
  // gnutls-serv runs under the loopback-bind shim on both runtimes (harness/images/gnutls/loopback-bind.c).
  { name: "gnutls", runtimes: ["process", "container"], server: gnutlsServer, client: gnutlsClient, version: ["gnutls-cli", ["--version"]], packages: ["gnutls-bin", "gcc", "libc6-dev"], programs: ["gnutls-serv", "gnutls-cli", "cc"], files: ["/usr/include/stdio.h"] },
  // nginx and haproxy are servers only; the client side is the harness's reference prober.
  { name: "nginx", runtimes: ["process", "container"], server: nginxServer, version: ["nginx", ["-v"]], packages: ["nginx"], programs: ["nginx"] },
  { name: "haproxy", runtimes: ["process", "container"], server: haproxyServer, version: ["haproxy", ["-v"]], packages: ["haproxy"], programs: ["haproxy"] },
  // caddy is a server (Go crypto/tls); stunnel terminates TLS in front of a plaintext app, as a
  // sidecar does; curl is a client only.
  { name: "caddy", runtimes: ["process", "container"], server: caddyServer, version: ["caddy", ["version"]], packages: ["caddy"], programs: ["caddy"] },
  { name: "stunnel", runtimes: ["process", "container"], server: stunnelServer, version: stunnelVersion, packages: ["stunnel4"], programs: ["stunnel"] },
  { name: "curl", runtimes: ["process", "container"], client: curlClient, version: ["curl", ["--version"]], packages: ["curl"], programs: ["curl"] },
];

/** The reference peer on the side that is not under test. */
export const referenceServer: TlsServerAdapter = nodeServer;
export const referenceClient: TlsClientAdapter = nodeClient;

const versions = new Map<string, Promise<string>>();
function versionOf(entry: ImplementationEntry, runtime: Runtime): Promise<string> {
  const key = `${entry.name}@${runtime.name}`;
  if (!versions.has(key)) {
    const version = typeof entry.version === "function"
      ? Promise.resolve(runtime).then(entry.version).catch(() => "unknown")
      : runtime
          .runToCompletion(entry.name, entry.version[0], entry.version[1], { timeoutMs: 10_000 })
          .then((run) => run.output.trim().split("\n")[0]?.trim() || "unknown")
          .catch(() => "unknown");
    versions.set(key, version);
  }
  return versions.get(key)!;
}

export class ImplementationSelectionError extends Error {}

/** Whether an implementation plays in this run and, when it does not, why. */
export interface ImplementationStatus {
  name: string;
  /** The Debian packages that install it on the host (process runtime). */
  packages: string[];
  /** Its programs or files are missing on the host (process runtime only; images carry their own). */
  missing: boolean;
  /** Why its cells are skipped (not installed, with the fix; or not selected); absent when it plays. */
  unavailable?: string;
}

/**
 * Which implementations play on `runtime`. MTLS_IMPLEMENTATIONS (`requested`) is a comma list of
 * names or `all`; a requested implementation that is not installed is an error (one line naming
 * its packages), as is an unknown name. Unset, every installed implementation plays and each
 * missing one is skipped cell by cell with the reason and the fix. On the container runtime every
 * implementation comes with its image, so nothing is looked for on the host. `path` is the PATH
 * searched for the programs.
 */
export function planImplementations(runtime: RuntimeName, requested = process.env.MTLS_IMPLEMENTATIONS, path = process.env.PATH ?? ""): ImplementationStatus[] {
  const entries = catalogue.filter((entry) => entry.runtimes.includes(runtime));
  const value = requested?.trim() ?? "";
  const chosen = selectedImplementations(runtime, requested);
  const statuses = entries.map((entry): ImplementationStatus => {
    const missing = runtime === "process" ? missingParts(entry, path) : [];
    const status: ImplementationStatus = { name: entry.name, packages: entry.packages, missing: missing.length > 0 };
    if (chosen && !chosen.has(entry.name)) status.unavailable = `not selected (MTLS_IMPLEMENTATIONS=${value})`;
    else if (missing.length) status.unavailable = notInstalledReason(entry, missing);
    return status;
  });
  const requestedMissing = chosen ? statuses.filter((status) => chosen.has(status.name) && status.missing) : [];
  if (requestedMissing.length) {
    const packages = [...new Set(requestedMissing.flatMap((status) => status.packages))];
    throw new ImplementationSelectionError(
      `failed to select implementations: MTLS_IMPLEMENTATIONS=${value} asks for ${requestedMissing.map((status) => status.name).join(", ")}, not installed: apt-get install ${packages.join(" ")} (or npm run setup)`,
    );
  }
  return statuses;
}

/**
 * The names MTLS_IMPLEMENTATIONS (`requested`) picks on `runtime`, or undefined when it is unset
 * (whatever is installed). Throws a one-line error for an unknown name.
 */
export function selectedImplementations(runtime: RuntimeName, requested: string | undefined): Set<string> | undefined {
  const entries = catalogue.filter((entry) => entry.runtimes.includes(runtime));
  const value = requested?.trim() ?? "";
  if (value === "") return undefined;
  if (value === "all") return new Set(entries.map((entry) => entry.name));
  const names = value.split(",").map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !entries.some((entry) => entry.name === name));
  if (unknown.length || !names.length) {
    throw new ImplementationSelectionError(
      `failed to select implementations: MTLS_IMPLEMENTATIONS=${value} names ${unknown.length ? unknown.join(", ") : "none"}; valid on the ${runtime} runtime: ${entries.map((entry) => entry.name).join(", ")}, or all`,
    );
  }
  return new Set(names);
}

/** The requirement data of every implementation, for `npm run setup`. */
export function implementationRequirements(): Array<Requirement & { name: string }> {
  return catalogue.map(({ name, packages, programs, files }) => ({ name, packages, programs, ...(files ? { files } : {}) }));
}

/**
 * Implementations that can play `subject` on `runtime`, each with the reason it is skipped when
 * `statuses` (planImplementations) says it does not play in this run.
 */
export function implementationsFor(subject: "server" | "client", runtime: Runtime, statuses: ImplementationStatus[] = []): Array<Implementation & { unavailable?: string }> {
  const unavailable = new Map(statuses.filter((status) => status.unavailable).map((status) => [status.name, status.unavailable!]));
  return catalogue
    .filter((entry) => entry.runtimes.includes(runtime.name) && entry[subject] !== undefined)
    .map((entry) => ({
      name: entry.name,
      server: entry.server?.(runtime),
      client: entry.client?.(runtime),
      version: () => versionOf(entry, runtime),
      ...(unavailable.has(entry.name) ? { unavailable: unavailable.get(entry.name) } : {}),
    }));
}

/** Names of the implementations that run on `runtime` (the container runtime starts one container each). */
export function implementationNames(runtime: RuntimeName): string[] {
  return catalogue.filter((entry) => entry.runtimes.includes(runtime)).map((entry) => entry.name);
}
