// Peers entered with nsenter see what peers entered with docker exec see: the same mount, pid and
// uts namespaces, the same environment and files; and they are stopped, or killed at their
// deadline, with nothing left in the container. Checked against docker exec, the engine's own way in.
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { curl } from "../stacks/curl/stack.js";
import { peerImageTag } from "./peer-images.js";
import { containerRuntime, type NsenterTargets } from "../runtime/container.js";
import { ContainerEntryError, nsenterTargets } from "../host/container-entry.js";
import { startContainerSet, type ContainerSet } from "../runtime/container-set.js";
import type { Runtime } from "../runtime/types.js";

const onContainers = process.env.MTLS_RUNTIME === "container";
const asRoot = process.getuid?.() === 0;

let set: ContainerSet;
let targets: NsenterTargets;
let account: string;
let entered: Runtime;
let executed: Runtime;

beforeAll(async () => {
  if (!onContainers) return;
  set = await startContainerSet({ images: { curl: await peerImageTag(curl) }, mounts: [], runId: `mtls-entry-test-${process.pid}` });
  ({ targets, account } = await nsenterTargets(set.containers, undefined));
  entered = containerRuntime(set.containers, "/tmp", targets);
  executed = containerRuntime(set.containers, "/tmp", {});
});

afterAll(async () => {
  await set?.stop();
});

/** The process names running in the container, as docker exec's ps sees them. */
async function containerProcesses(): Promise<string[]> {
  const { stdout } = await execa("docker", ["exec", set.containers.curl!, "ps", "-e", "-o", "args="], { timeout: 15_000 });
  return stdout.split("\n").map((line) => line.trim()).filter(Boolean);
}

const view = 'readlink /proc/self/ns/mnt /proc/self/ns/pid /proc/self/ns/uts; echo "PATH=$PATH HOME=$HOME"; hostname; cat /etc/debian_version; command -v curl';

describe.skipIf(!onContainers)("entering the containers", () => {
  it.skipIf(!asRoot)("as root, every container is entered with nsenter", () => {
    expect(Object.keys(targets)).toEqual(["curl"]);
    expect(account).toBe("peers enter their containers with nsenter (1 container)");
  });

  it.skipIf(asRoot)("as another user, docker exec, saying why", () => {
    expect(targets).toEqual({});
    expect(account).toContain("nsenter cannot be used here, it needs root");
  });

  it.skipIf(!asRoot)("a peer entered with nsenter sees what one entered with docker exec sees", async () => {
    const [byNsenter, byExec, host] = await Promise.all([
      entered.runToCompletion("curl", "sh", ["-c", view], { timeoutMs: 10_000 }),
      executed.runToCompletion("curl", "sh", ["-c", view], { timeoutMs: 10_000 }),
      execa("sh", ["-c", "readlink /proc/self/ns/mnt /proc/self/ns/pid"]),
    ]);
    expect(byNsenter.exitCode).toBe(0);
    expect(byExec.exitCode).toBe(0);
    expect(byNsenter.stdout).toBe(byExec.stdout);
    // Not the host's namespaces: the container's.
    const [mnt, pid] = byNsenter.stdout.split("\n");
    expect(host.stdout.split("\n")).not.toContain(mnt);
    expect(host.stdout.split("\n")).not.toContain(pid);
    expect(byNsenter.stdout).toContain("/usr/bin/curl");
  });

  it.skipIf(!asRoot)("a long-running peer entered with nsenter is stopped with its children, nothing left in the container", async () => {
    const peer = await entered.startProcess("curl", "sh", ["-c", "sleep 301 & echo ready; sleep 302"], { ready: /^ready$/m, readyTimeoutMs: 10_000, description: "a sleeping peer" });
    expect((await containerProcesses()).filter((args) => /^sleep 30[12]$/.test(args)).sort()).toEqual(["sleep 301", "sleep 302"]);
    await peer.stop();
    expect((await containerProcesses()).filter((args) => args.startsWith("sleep 30"))).toEqual([]);
  });

  it.skipIf(!asRoot)("a run past its deadline is killed in the container and reported as timed out", async () => {
    const run = await entered.runToCompletion("curl", "sh", ["-c", "echo started; exec sleep 303"], { timeoutMs: 1_000 });
    expect(run.timedOut).toBe(true);
    expect(run.stdout).toContain("started");
    expect((await containerProcesses()).filter((args) => args === "sleep 303")).toEqual([]);
  });

  it("MTLS_CONTAINER_ENTRY=docker-exec enters none with nsenter; =nsenter refuses in one line where it cannot", async () => {
    const chosen = await nsenterTargets(set.containers, "docker-exec");
    expect(chosen).toEqual({ targets: {}, account: "peers enter their containers with docker exec (MTLS_CONTAINER_ENTRY=docker-exec)" });
    const refusal = nsenterTargets({ curl: "0".repeat(64) }, "nsenter");
    await expect(refusal).rejects.toThrow(ContainerEntryError);
    await expect(refusal).rejects.toThrow(/^failed to enter the containers with nsenter \(MTLS_CONTAINER_ENTRY=nsenter\): [^\n]+$/);
  });
});
