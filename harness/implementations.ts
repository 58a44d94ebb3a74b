// The TLS implementations a scenario can run against, by the role they can play and the runtimes
// they can run on: the stacks of harness/stacks/registry.ts, with their adapters made for a runtime.
import type { Incapacities } from "./capabilities.js";
import { stacks } from "./stacks/registry.js";
import { nodeClient, nodeServer } from "./stacks/node/adapter.js";
import type { StackDefinition, TlsClientAdapter, TlsServerAdapter } from "./stacks/types.js";
import type { Runtime, RuntimeName } from "./runtime/types.js";

export interface Implementation {
  name: string;
  server?: TlsServerAdapter;
  client?: TlsClientAdapter;
  /** What it cannot do, with the reason (a row that needs one of these is skipped). */
  cannot: Incapacities;
  /** The stack's own version line, as the runtime runs it (memoized). */
  version(): Promise<string>;
}

/** The reference peer on the side that is not under test. */
export const referenceServer: TlsServerAdapter = nodeServer;
export const referenceClient: TlsClientAdapter = nodeClient;

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

/** Implementations that can play `subject` on `runtime`. */
export function implementationsFor(subject: "server" | "client", runtime: Runtime): Implementation[] {
  return stacks
    .filter((stack) => stack.runtimes.includes(runtime.name) && stack.roles[subject] !== undefined)
    .map((stack) => ({
      name: stack.name,
      server: stack.roles.server?.(runtime),
      client: stack.roles.client?.(runtime),
      cannot: stack.cannot ?? {},
      version: () => versionOf(stack, runtime),
    }));
}

/** Names of the implementations that run on `runtime` (the container runtime starts one container each). */
export function implementationNames(runtime: RuntimeName): string[] {
  return stacks.filter((stack) => stack.runtimes.includes(runtime)).map((stack) => stack.name);
}
