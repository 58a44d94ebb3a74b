// The TLS implementations a scenario can run against, by the role they can play and the runtimes
// they can run on: the stacks of harness/stacks/registry.ts, with their adapters made for a runtime.
import type { Capability, Incapacities } from "../core/capabilities.js";
import type { Deviation } from "../core/scenario.js";
import { stacks } from "../stacks/registry.js";
import { nodeClient, nodeServer } from "../stacks/node/adapter.js";
import type { StackDefinition, TlsClientAdapter, TlsServerAdapter } from "../stacks/types.js";
import type { Runtime, RuntimeName } from "../runtime/types.js";
import { missingParts, notInstalledReason, type Requirement } from "./detection.js";

export interface Implementation {
  name: string;
  server?: TlsServerAdapter;
  client?: TlsClientAdapter;
  /** The capabilities it declares it can do (a row that needs another is skipped). */
  can: readonly Capability[];
  /** What it cannot do, with the reason (a row that needs one of these is skipped with it). */
  cannot: Incapacities;
  /** What our peer program does not drive yet, with the reason (skipped likewise, reported as our gap). */
  notYet: Incapacities;
  /** Its recorded deviations, by scenario id. */
  deviations: Record<string, Deviation>;
  /** The stack's own version line, as the runtime runs it (memoized). */
  version(): Promise<string>;
}

/** The reference peer on the side that is not under test. */
export const referenceServer: TlsServerAdapter = nodeServer;
export const referenceClient: TlsClientAdapter = nodeClient;

/**
 * The harness's own protocol detector (stacks/common/sidecar.ts: the first byte 0x16 is TLS) in
 * front of the reference server: it plays the modes rows that only a detector decides, under its
 * own name, beside the stacks that detect the protocol themselves.
 */
export const referenceSidecar: Implementation = {
  name: "sidecar",
  server: referenceServer,
  can: [],
  cannot: {},
  notYet: {},
  deviations: {},
  version: async () => `mtls-conformance reference sidecar (first byte 0x16 is TLS) before node ${process.version}`,
};

const versions = new Map<string, Promise<string>>();
function versionOf(stack: StackDefinition, runtime: Runtime): Promise<string> {
  const key = `${stack.name}@${runtime.name}`;
  if (!versions.has(key)) {
    const { version } = stack;
    const found = typeof version === "function"
      ? Promise.resolve(runtime).then(version).catch(() => "unknown")
      : runtime
          .runToCompletion(stack.name, version[0], version[1], { timeoutMs: 10_000 })
          .then((run) => run.output.trim().split("\n")[0]?.trim() || "unknown")
          .catch(() => "unknown");
    versions.set(key, found);
  }
  return versions.get(key)!;
}

/**
 * The version line of each stack of `names` on `runtime`, each run once. The conformance run's
 * global setup finds them for its workers (adoptVersions), so a worker does not run a dozen version
 * commands, a JVM among them, before its first cases.
 */
export async function stackVersions(runtime: Runtime, names: string[]): Promise<Record<string, string>> {
  const playing = stacks.filter((stack) => names.includes(stack.name) && stack.runtimes.includes(runtime.name));
  return Object.fromEntries(await Promise.all(playing.map(async (stack) => [stack.name, await versionOf(stack, runtime)] as const)));
}

/** Versions another process found on `runtime` (stackVersions), taken as if found here. */
export function adoptVersions(runtime: RuntimeName, found: Record<string, string>): void {
  for (const [name, line] of Object.entries(found)) versions.set(`${name}@${runtime}`, Promise.resolve(line));
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
  const entries = stacks.filter((entry) => entry.runtimes.includes(runtime));
  const value = requested?.trim() ?? "";
  const chosen = selectedImplementations(runtime, requested);
  const statuses = entries.map((entry): ImplementationStatus => {
    const missing = runtime === "process" ? missingParts(requirementOf(entry), path) : [];
    const status: ImplementationStatus = { name: entry.name, packages: entry.debianPackages, missing: missing.length > 0 };
    if (chosen && !chosen.has(entry.name)) status.unavailable = `not selected (MTLS_IMPLEMENTATIONS=${value})`;
    else if (missing.length) status.unavailable = notInstalledReason(requirementOf(entry), missing);
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
  const entries = stacks.filter((entry) => entry.runtimes.includes(runtime));
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
  return stacks.map((stack) => ({ name: stack.name, ...requirementOf(stack) }));
}

/** What the host needs for a stack on the process runtime: its packages, programs and files. */
function requirementOf(stack: StackDefinition): Requirement {
  return { packages: stack.debianPackages, programs: stack.programs, ...(stack.files ? { files: stack.files } : {}) };
}

/**
 * Implementations that can play `subject` on `runtime`, each with the reason it is skipped when
 * `statuses` (planImplementations) says it does not play in this run.
 */
export function implementationsFor(subject: "server" | "client", runtime: Runtime, statuses: ImplementationStatus[] = []): Array<Implementation & { unavailable?: string }> {
  const unavailable = new Map(statuses.filter((status) => status.unavailable).map((status) => [status.name, status.unavailable!]));
  return stacks
    .filter((stack) => stack.runtimes.includes(runtime.name) && stack.roles[subject] !== undefined)
    .map((stack) => ({
      name: stack.name,
      server: stack.roles.server?.(runtime),
      client: stack.roles.client?.(runtime),
      can: stack.can,
      cannot: stack.cannot ?? {},
      notYet: stack.notYet ?? {},
      deviations: stack.deviations ?? {},
      version: () => versionOf(stack, runtime),
      ...(unavailable.has(stack.name) ? { unavailable: unavailable.get(stack.name) } : {}),
    }));
}

/** Names of the implementations that run on `runtime` (the container runtime starts one container each). */
export function implementationNames(runtime: RuntimeName): string[] {
  return stacks.filter((stack) => stack.runtimes.includes(runtime)).map((stack) => stack.name);
}
