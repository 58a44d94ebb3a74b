// The container runtime: every implementation runs in one long-lived container per run (started
// and removed by the conformance globalSetup, see peer-containers.ts), and each peer is a process
// entered into it: with nsenter from the host where it can (root), else a `docker exec`
// (harness/host/container-entry.ts decides). Containers use network mode host, so a peer binds the 127.x.y.z endpoint
// the runner allocated exactly as a local process would; fixtures and the scratch root are bind
// mounted at their own paths, so adapters pass the same file paths on either runtime.
import { PeerStartError, runToCompletion, startProcess } from "./process.js";
import type { CompletedRun, ManagedProcess, PeerStartOptions, RunOptions, Runtime } from "./types.js";

/** implementation name -> id of its running container */
export type PeerContainers = Record<string, string>;

/** What nsenter needs to enter a container: its first process on this host, and the image's environment. */
export interface NsenterTarget {
  pid: number;
  env: Record<string, string>;
}

/** implementation -> its container's nsenter target; an implementation without one is entered with docker exec. */
export type NsenterTargets = Record<string, NsenterTarget>;

/** nsenter's arguments that run `command` in the container of `target`, as docker exec would. */
function nsenterArgs(target: NsenterTarget, command: string, args: string[]): string[] {
  // --root and --wd: the container's root and working directory, as its own process sees them.
  return ["--target", String(target.pid), "--mount", "--uts", "--ipc", "--pid", "--root", "--wd", "--", command, ...args];
}

// Killing the docker exec client does not stop the process inside the container (measured), so a
// peer runs under a lifeline: the wrapper below reads the exec's stdin, which the harness holds
// open, and when it ends (the docker client stopped, or the harness gone) stops the peer's process
// group there, TERM then KILL after 2 s, an nginx master's workers with it. A stop costs no second
// `docker exec` (each is a runc exec: most of a container case's CPU). The peer runs in a session of
// its own (setsid), so its group is not the wrapper's; the wrapper exits with the peer's status, and
// stops what is left of the group when the peer ends by itself. An asynchronous list reads
// /dev/null unless redirected, hence fd 3. procps' kill (in every peer image): dash's builtin
// cannot signal a process group.
const stopOnStdinEnd = [
  "exec 3<&0",
  'setsid "$@" </dev/null & p=$!',
  '( cat <&3; /bin/kill -TERM -- "-$p" || exit 0; i=0; while /bin/kill -0 -- "-$p"; do i=$((i+1)); if [ $i -ge 20 ]; then /bin/kill -KILL -- "-$p"; break; fi; sleep 0.1; done ) >/dev/null 2>&1 & w=$!',
  "exec 3<&-",
  'wait "$p"; s=$?',
  'kill "$w" 2>/dev/null; /bin/kill -TERM -- "-$p" 2>/dev/null',
  'exit "$s"',
].join("\n");

const dockerTimeoutMs = 15_000;

function containerOf(containers: PeerContainers, implementation: string, what: string): string {
  const container = containers[implementation];
  if (!container) throw new PeerStartError(`failed to start ${what}: no container runs ${implementation} in this run`);
  return container;
}

async function startInContainer(containers: PeerContainers, targets: NsenterTargets, implementation: string, command: string, args: string[], options: PeerStartOptions): Promise<ManagedProcess> {
  const container = containerOf(containers, implementation, options.description);
  const target = targets[implementation];
  // Entered with nsenter, the peer is a process of this host in a group of its own, stopped like
  // any local peer: no lifeline needed.
  if (target) return startProcess("nsenter", nsenterArgs(target, command, args), { ...options, env: target.env, description: `${options.description} in container ${container.slice(0, 12)}` });
  const execArgs = ["exec", "-i", container, "sh", "-c", stopOnStdinEnd, "mtls-peer", command, ...args];
  // Stopping the docker client ends the exec's stdin, and the lifeline stops the peer in there.
  return startProcess("docker", execArgs, { ...options, holdStdin: true, description: `${options.description} in container ${container.slice(0, 12)}` });
}

// coreutils timeout(1) exits 124 when it stopped the command (137 if it had to SIGKILL it).
const timedOutExitCodes = new Set([124, 137]);

async function runInContainer(
  containers: PeerContainers,
  targets: NsenterTargets,
  implementation: string,
  command: string,
  args: string[],
  options: RunOptions,
): Promise<CompletedRun> {
  const container = containerOf(containers, implementation, `${command} in the ${implementation} container`);
  const target = targets[implementation];
  // Entered with nsenter, the deadline is the local one: the host kills the peer's group.
  if (target) return runToCompletion("nsenter", nsenterArgs(target, command, args), { ...options, env: target.env });
  // The deadline is enforced inside the container (timeout kills the command there); the outer
  // one only covers a docker client that hangs.
  const execArgs = [
    "exec",
    ...(options.input === undefined ? [] : ["-i"]),
    container,
    "timeout",
    "--kill-after=1",
    `${options.timeoutMs / 1000}s`,
    command,
    ...args,
  ];
  const run = await runToCompletion("docker", execArgs, { input: options.input, holdInput: options.holdInput, timeoutMs: options.timeoutMs + dockerTimeoutMs });
  return { ...run, timedOut: run.timedOut || (run.exitCode !== undefined && timedOutExitCodes.has(run.exitCode)) };
}

/** `targets`: the containers entered with nsenter (harness/host/container-entry.ts); the others with docker exec. */
export function containerRuntime(containers: PeerContainers, scratchRoot: string, targets: NsenterTargets = {}): Runtime {
  return {
    name: "container",
    scratchRoot,
    startProcess: (implementation, command, args, options) => startInContainer(containers, targets, implementation, command, args, options),
    runToCompletion: (implementation, command, args, options) => runInContainer(containers, targets, implementation, command, args, options),
  };
}
