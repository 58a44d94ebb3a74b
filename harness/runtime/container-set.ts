// The run's peer containers: one per implementation, started once by the conformance globalSetup
// with testcontainers and reused by every scenario (each peer is a `docker exec`, container.ts).
//
// Ryuk (testcontainers' reaper) needs an image from a registry, so it is off, and this module is
// the owner instead: every container carries the labels below, and is removed in global teardown,
// on SIGINT/SIGTERM and on exit of the process that started it (vitest exits 1 ms after Ctrl-C
// without running global teardown, so the removal there is synchronous). A run that was killed
// outright (SIGKILL) leaves containers whose owner pid is gone: the next run removes them.
import { execFileSync } from "node:child_process";
import { hostname } from "node:os";
import { GenericContainer, Wait, type StartedTestContainer } from "testcontainers";
import type { PeerContainers } from "./container.js";

export const ownerLabel = "mtls-conformance";
export const runLabel = "mtls-conformance.run";
const ownerPidLabel = "mtls-conformance.pid";
const ownerHostLabel = "mtls-conformance.host";

export class ContainerSetError extends Error {}

// Without the override testcontainers looks for the bridge network's gateway and fails with
// "no such network - network bridge not found" (the engine runs with --bridge=none, measured).
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";

// PID 1 of every container: bash reaps orphans (an nginx worker whose master was killed would
// otherwise stay a zombie) and exits on SIGTERM.
const keepAlive = ["bash", "-c", 'trap "exit 0" TERM; while :; do sleep 3600 & wait $!; done'];

export interface Mount {
  path: string;
  readOnly: boolean;
}

export interface ContainerSetOptions {
  /** implementation -> image tag */
  images: Record<string, string>;
  /** Host directories mounted at the same path in every container. */
  mounts: Mount[];
  runId: string;
  startTimeoutMs?: number;
}

export interface ContainerSet extends AsyncDisposable {
  runId: string;
  containers: PeerContainers;
  stop(): Promise<void>;
}

const dockerTimeoutMs = 30_000;

/** Synchronous on purpose: it runs in signal and exit handlers. Never throws. */
function removeContainersSync(ids: string[]): void {
  if (!ids.length) return;
  try {
    execFileSync("docker", ["rm", "--force", "--volumes", ...ids], { stdio: "ignore", timeout: dockerTimeoutMs });
  } catch {
    // Already gone, or the engine is down: nothing more this process can do.
  }
}

function listContainers(filter: string): Array<{ id: string; labels: Record<string, string> }> {
  let text: string;
  try {
    text = execFileSync("docker", ["ps", "--all", "--filter", `label=${filter}`, "--format", "{{.ID}}\t{{.Labels}}"], {
      encoding: "utf8",
      timeout: dockerTimeoutMs,
    });
  } catch (error) {
    throw new ContainerSetError(`failed to list containers labelled ${filter}: ${(error as Error).message.split("\n")[0]}`);
  }
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const [id = "", labels = ""] = line.split("\t");
      return { id, labels: Object.fromEntries(labels.split(",").map((pair) => pair.split("=", 2) as [string, string])) };
    });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes containers of earlier runs on this host whose owning process no longer exists. */
export function removeOrphanedContainers(): string[] {
  const orphans = listContainers(ownerLabel).filter(
    ({ labels }) => labels[ownerHostLabel] === hostname() && !isAlive(Number(labels[ownerPidLabel])),
  );
  removeContainersSync(orphans.map(({ id }) => id));
  return orphans.map(({ id }) => id);
}

/** Removes every container of one run (or of all runs, when runId is undefined). */
export function removeRunContainers(runId?: string): string[] {
  const found = listContainers(runId === undefined ? ownerLabel : `${runLabel}=${runId}`);
  removeContainersSync(found.map(({ id }) => id));
  return found.map(({ id }) => id);
}

export async function startContainerSet(options: ContainerSetOptions): Promise<ContainerSet> {
  const started = new Map<string, StartedTestContainer>();
  const ids = (): string[] => [...started.values()].map((container) => container.getId());
  const onSignal = (signal: NodeJS.Signals) => {
    removeContainersSync(ids());
    // A listener disables Node's default exit on the signal. vitest exits 1 ms after its own
    // listener ran; without vitest, exit as the signal would have, once the loop had a chance to.
    setTimeout(() => process.exit(signal === "SIGINT" ? 130 : 143), 500).unref();
  };
  const onExit = () => removeContainersSync(ids());
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", onExit);

  const labels = {
    [ownerLabel]: "1",
    [runLabel]: options.runId,
    [ownerPidLabel]: String(process.pid),
    [ownerHostLabel]: hostname(),
  };
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // timeout 0: the keep-alive holds no state worth a graceful stop.
      await Promise.allSettled([...started.values()].map((container) => container.stop({ timeout: 0, remove: true })));
      // Belt and braces: anything with the run's label that the stops above missed.
      removeRunContainers(options.runId);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      process.off("exit", onExit);
    })();
    return stopping;
  };

  try {
    await Promise.all(
      Object.entries(options.images).map(async ([implementation, image]) => {
        const container = await new GenericContainer(image)
          .withNetworkMode("host")
          .withLabels({ ...labels, "mtls-conformance.implementation": implementation })
          .withBindMounts(options.mounts.map(({ path, readOnly }) => ({ source: path, target: path, mode: readOnly ? ("ro" as const) : ("rw" as const) })))
          .withCommand(keepAlive)
          // Host network: no exposed ports to wait for (testcontainers would wait for bindings
          // that never come); a successful exec means the container is ready for peers.
          .withWaitStrategy(Wait.forSuccessfulCommand("true"))
          .withStartupTimeout(options.startTimeoutMs ?? 60_000)
          .start()
          .catch((error: Error) => {
            throw new ContainerSetError(`failed to start the ${implementation} container from ${image}: ${error.message}`);
          });
        started.set(implementation, container);
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    runId: options.runId,
    containers: Object.fromEntries([...started].map(([implementation, container]) => [implementation, container.getId()])),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
