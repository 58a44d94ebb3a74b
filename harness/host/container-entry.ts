// How a peer gets into its implementation's container. `docker exec` asks the engine for each peer:
// the docker client, dockerd, containerd and a runc exec, about 100 ms of wall a peer on the 2-core
// development machine against 5 ms for nsenter (docs/performance.md, "Entering the containers").
// nsenter enters the container's mount, pid, uts and ipc namespaces straight from the host, so the
// peer sees the image's files and the container's processes as under docker exec, and shares the host
// network the container already uses. It needs root on the engine's own host; where it cannot be
// used (another user, a remote engine, an image that runs as another user), peers go through
// docker exec, and MTLS_CONTAINER_ENTRY=nsenter makes that an error instead.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import type { PeerStart } from "../runtime/budget.js";
import type { NsenterTargets } from "../runtime/container.js";
import { containerEntryFrom, RuntimeSelectionError, type ContainerEntryChoice, type RuntimeName } from "../runtime/types.js";
import { findProgram } from "./detection.js";

export class ContainerEntryError extends Error {}

const dockerTimeoutMs = 30_000;

interface Inspected {
  pid: number;
  env: string[];
  user: string;
}

async function inspect(id: string): Promise<Inspected> {
  const { stdout } = await promisify(execFile)("docker", ["inspect", "--format", "{{json .State.Pid}} {{json .Config.Env}} {{json .Config.User}}", id], { timeout: dockerTimeoutMs });
  const [pid, env, user] = stdout.trim().split(" ").map((part) => JSON.parse(part) as unknown);
  return { pid: Number(pid), env: Array.isArray(env) ? env.map(String) : [], user: typeof user === "string" ? user : "" };
}

/** Why this container cannot be entered with nsenter from here, or undefined when it can. */
function cannotEnter(id: string, inspected: Inspected): string | undefined {
  if (!(inspected.pid > 0)) return "the engine reports no running process for it";
  if (inspected.user && inspected.user !== "root" && inspected.user !== "0") return `its image runs as ${inspected.user}, not root`;
  // The engine's pid is this host's only if this host's /proc shows that process in the container's cgroup.
  let cgroup: string;
  try {
    cgroup = readFileSync(`/proc/${inspected.pid}/cgroup`, "utf8");
  } catch {
    return `its process ${inspected.pid} is not on this host (a remote engine?)`;
  }
  if (!cgroup.includes(id)) return `process ${inspected.pid} on this host is not the container's (a remote engine?)`;
  return undefined;
}

/** Why nsenter cannot be used from this process at all, or undefined when it can. */
function nsenterUnusable(env: NodeJS.ProcessEnv): string | undefined {
  if (process.getuid?.() !== 0) return "it needs root";
  if (!findProgram("nsenter", env.PATH)) return "nsenter is not installed (util-linux)";
  return undefined;
}

/**
 * How this run's peers will start, known before any starts (what a case costs, for the concurrency
 * budget). Throws one line for a bad MTLS_CONTAINER_ENTRY, on any runtime, and for
 * MTLS_CONTAINER_ENTRY=nsenter on the container runtime where nsenter cannot be used.
 */
export function plannedPeerStart(runtime: RuntimeName, env: NodeJS.ProcessEnv = process.env): PeerStart {
  const choice = containerEntryFrom(env.MTLS_CONTAINER_ENTRY);
  if (runtime === "process") return "process";
  if (choice === "docker-exec") return "docker-exec";
  const unusable = nsenterUnusable(env);
  if (unusable && choice === "nsenter") throw new RuntimeSelectionError(`failed to select how peers enter their containers: MTLS_CONTAINER_ENTRY=nsenter, but ${unusable}`);
  return unusable ? "docker-exec" : "nsenter";
}

/**
 * The nsenter targets of the run's containers, and a line saying how peers enter them. Without a
 * choice, nsenter where it can be used and docker exec elsewhere; "nsenter" throws where it cannot.
 */
export async function nsenterTargets(containers: Record<string, string>, choice: ContainerEntryChoice | undefined): Promise<{ targets: NsenterTargets; account: string }> {
  const names = Object.keys(containers);
  if (choice === "docker-exec") return { targets: {}, account: "peers enter their containers with docker exec (MTLS_CONTAINER_ENTRY=docker-exec)" };
  const refuse = (why: string) => {
    if (choice === "nsenter") throw new ContainerEntryError(`failed to enter the containers with nsenter (MTLS_CONTAINER_ENTRY=nsenter): ${why}`);
    return { targets: {}, account: `peers enter their containers with docker exec: nsenter cannot be used here, ${why}` };
  };
  const unusable = nsenterUnusable(process.env);
  if (unusable) return refuse(unusable);
  const targets: NsenterTargets = {};
  const refused: string[] = [];
  await Promise.all(
    names.map(async (name) => {
      const id = containers[name]!;
      let inspected: Inspected;
      try {
        inspected = await inspect(id);
      } catch (error) {
        refused.push(`${name}: docker inspect failed: ${(error as Error).message.split("\n")[0]}`);
        return;
      }
      const why = cannotEnter(id, inspected);
      if (why) {
        refused.push(`${name}: ${why}`);
        return;
      }
      // docker exec gives a root process the image's environment and HOME=/root.
      const env = Object.fromEntries(inspected.env.filter((entry) => entry.indexOf("=") > 0).map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
      targets[name] = { pid: inspected.pid, env: { HOME: "/root", ...env } };
    }),
  );
  if (refused.length && choice === "nsenter") throw new ContainerEntryError(`failed to enter the containers with nsenter (MTLS_CONTAINER_ENTRY=nsenter): ${refused.sort().join("; ")}`);
  const entered = Object.keys(targets).length;
  const account = refused.length
    ? `peers enter ${entered} of ${names.length} containers with nsenter, the others with docker exec (${refused.sort().join("; ")})`
    : `peers enter their containers with nsenter (${entered} container${entered === 1 ? "" : "s"})`;
  return { targets, account };
}
