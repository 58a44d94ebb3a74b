// vitest globalSetup for the conformance suites: one fixture PKI per run, issued relative to the
// run's start (captured once), written to a temp dir that is removed afterwards. Under
// MTLS_RUNTIME=container it also starts one container per implementation (and owns them: they are
// removed in teardown, on SIGINT/SIGTERM and on exit, see runtime/container-set.ts). It starts the
// stacks' long-lived peer services once for the run, on either runtime.
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { cachedFixtureSet } from "../../fixtures/fixture-cache.js";
import { removeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec, serverName } from "../../fixtures/profiles.js";
import { imageStacks, missingImages, peerImageTag } from "../images/peer-images.js";
import { planImplementations, stackVersions } from "./implementations.js";
import { allocateEndpoint, type Endpoint } from "../core/network.js";
import { containerRuntime, type NsenterTargets, type PeerContainers } from "../runtime/container.js";
import { buildLauncher } from "../runtime/launcher.js";
import { processRuntime } from "../runtime/process.js";
import { peerServiceKey, startPeerService, type PeerService } from "../stacks/common/peer-service.js";
import { ensureProgram } from "../stacks/common/program-build.js";
import { stacks } from "../stacks/registry.js";
import type { StackDefinition } from "../stacks/types.js";
import { removeOrphanedContainers, startContainerSet, type ContainerSet } from "../runtime/container-set.js";
import { containerEntryFrom, runtimeNameFrom, type Runtime } from "../runtime/types.js";
import { nsenterTargets } from "./container-entry.js";
import { adoptSharedPeer } from "../runtime/shared-peers.js";

export type RuntimeContext = { name: "process" } | { name: "container"; containers: PeerContainers; scratchRoot: string; nsenter: NsenterTargets };

/** A peer service the run started (stacks/common/peer-service.ts), for the test files to adopt. */
export interface ProvidedPeerService {
  key: string;
  control: Endpoint;
}

declare module "vitest" {
  export interface ProvidedContext {
    fixtures: FixtureSet;
    runtime: RuntimeContext;
    peerServices: ProvidedPeerService[];
    /** Each playing stack's version line on the run's runtime (host/implementations.ts stackVersions). */
    stackVersions: Record<string, string>;
  }
}

export class GlobalSetupError extends Error {}

let fixtures: FixtureSet | undefined;
let scratchRoot: string | undefined;
let containerSet: ContainerSet | undefined;
let peerServices: PeerService[] = [];

/**
 * The programs of our own that the playing stacks run on the process runtime (the Go and Java
 * peers, the shims), built once here, one after the other, before any case: built on first use,
 * ten workers compiled the Go peer at once at load 30 and every Go case of the run timed out
 * waiting for its build (measured on a fresh checkout). A build that fails here is left to the
 * cases, which report its cause as an error.
 */
async function buildPeerPrograms(): Promise<void> {
  const playing = new Set(planImplementations("process").filter((status) => !status.unavailable).map((status) => status.name));
  for (const stack of stacks) {
    if (!stack.build || !playing.has(stack.name) || !stack.runtimes.includes("process")) continue;
    try {
      await ensureProgram(stack.build, stack.folder);
    } catch (error) {
      console.error(`failed to build ${stack.build.description} before the run (its cases will report it): ${(error as Error).message}`);
    }
  }
}

/**
 * The run's services idle while the unit project runs first (the conformance project is a later
 * group), which can outlast the programs' 10 min idle exit on a loaded machine and leave every Java
 * and Python case without its service. The teardown stops them; this bound only ends a service
 * whose run was killed.
 */
const runServiceIdleExitMs = 2 * 60 * 60 * 1000;

/**
 * One long-lived service per stack that has one (Java's JVM, Python's interpreter), shared by every
 * test file of the run: started per file, the JVM alone cost five starts (measured). A service that
 * fails to start here is left to each file to start, where its cases report the cause.
 */
async function startPeerServices(runtime: Runtime, playing: Set<string>): Promise<ProvidedPeerService[]> {
  const withService = stacks.filter((stack) => stack.service && playing.has(stack.name) && stack.runtimes.includes(runtime.name));
  const started = await Promise.all(
    withService.map(async (stack) => {
      try {
        const program = await stack.service!(runtime);
        const service = await startPeerService(runtime, program, runServiceIdleExitMs);
        peerServices.push(service);
        const key = peerServiceKey(program.implementation, runtime.name);
        // The warm-up below goes through the adapters, which then find this service, not a new one.
        adoptSharedPeer(key, service);
        await warmPeerService(stack, runtime);
        return [{ key, control: service.control }];
      } catch (error) {
        console.error(`failed to start the ${stack.name} peer service for the run (each test file starts its own): ${(error as Error).message}`);
        return [];
      }
    }),
  );
  return started.flat();
}

/**
 * One mTLS handshake between the stack's own server and client through the new service. A fresh
 * JVM's first handshakes load JSSE's classes: when every test file's first Java cases came at once
 * on a loaded machine (load 18), 13 of them missed their 8 s deadline waiting for that (measured).
 * Bounded by the client's deadline; a failure here is left for the cases to report.
 */
async function warmPeerService(stack: StackDefinition, runtime: Runtime): Promise<void> {
  const { server, client } = stack.roles;
  if (!server || !client || !fixtures) return;
  const serverFiles = fixtures.certs.server!;
  const clientFiles = fixtures.certs.client!;
  const trust = fixtures.bundles["trust-a"]!;
  const running = await server(runtime).startServer({
    endpoint: await allocateEndpoint(),
    identity: { cert: serverFiles.cert, chain: serverFiles.chain, key: serverFiles.key },
    clientAuth: "required",
    clientTrust: trust,
    crls: [],
    sniIdentities: {},
  });
  try {
    await client(runtime).connect(running.endpoint, { trust, serverName, identity: { cert: clientFiles.cert, chain: clientFiles.chain, key: clientFiles.key } }, 20_000);
  } finally {
    await running.stop();
  }
}

async function startContainers(fixtureDir: string): Promise<RuntimeContext> {
  // The implementations this run plays (MTLS_IMPLEMENTATIONS, validated in vitest.config.ts).
  const names = planImplementations("container").filter((status) => !status.unavailable).map((status) => status.name);
  const withoutImage = names.filter((name) => !imageStacks.some((stack) => stack.name === name));
  if (withoutImage.length) throw new GlobalSetupError(`failed to start the container runtime: no image defined for ${withoutImage.join(", ")}`);
  const implementations = imageStacks.filter((stack) => names.includes(stack.name));
  const missing = await missingImages(implementations);
  if (missing.length) {
    throw new GlobalSetupError(`failed to start the container runtime: image ${missing.join(", ")} not built (run \`npm run images:build\`, or \`npm run test:containers\` which builds them)`);
  }
  const orphans = removeOrphanedContainers();
  if (orphans.length) console.error(`removed ${orphans.length} container(s) left by an earlier run that was killed`);
  scratchRoot = await mkdtemp(join(tmpdir(), "mtls-scratch-"));
  const images = Object.fromEntries(await Promise.all(implementations.map(async (stack) => [stack.name, await peerImageTag(stack)] as const)));
  containerSet = await startContainerSet({
    images,
    mounts: [
      { path: fixtureDir, readOnly: true },
      { path: scratchRoot, readOnly: false },
    ],
    runId: `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`,
  });
  const { targets, account } = await nsenterTargets(containerSet.containers, containerEntryFrom(process.env.MTLS_CONTAINER_ENTRY));
  console.log(`  container runtime: ${account}`);
  return { name: "container", containers: containerSet.containers, scratchRoot, nsenter: targets };
}

/**
 * vitest exits 1 ms after Ctrl-C without running teardown, through process.exit, so an exit handler
 * removes the temp dirs (keys included). But that exit does not always come: a signal-exit handler
 * in the main process (execa's) that finds itself the last listener re-raises the signal, and the process
 * dies of it before vitest's exit (measured: the fixture dir was left after Ctrl-C, see
 * harness/runtime/interrupt-check.sh). So the signals remove them too. Synchronous, as exit and
 * signal handlers must be.
 */
function removeTempDirsOnExit(): void {
  for (const dir of [scratchRoot, fixtures?.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
}

const exitEvents = ["exit", "SIGINT", "SIGTERM"] as const;

export async function setup(project: TestProject): Promise<void> {
  const runtime = runtimeNameFrom(process.env.MTLS_RUNTIME);
  for (const event of exitEvents) process.once(event, removeTempDirsOnExit);
  // Keys from the key cache, certificates and CRLs issued now (fixtures/fixture-cache.ts).
  const { keysFromCache: _keysFromCache, ...set } = await cachedFixtureSet(catalogueSpec, new Date());
  fixtures = set;
  try {
    project.provide("fixtures", fixtures);
    // The workers start their peers through the process launcher: built here once, not by each
    // worker at once. Where it cannot be built the workers spawn with node (runtime/launcher.ts).
    await buildLauncher().catch(() => undefined);
    if (runtime === "process") await buildPeerPrograms();
    const context: RuntimeContext = runtime === "container" ? await startContainers(fixtures.dir) : { name: "process" };
    project.provide("runtime", context);
    const peers = context.name === "container" ? containerRuntime(context.containers, context.scratchRoot, context.nsenter) : processRuntime;
    const playing = planImplementations(peers.name).filter((status) => !status.unavailable).map((status) => status.name);
    const [services, versions] = await Promise.all([startPeerServices(peers, new Set(playing)), stackVersions(peers, playing)]);
    project.provide("peerServices", services);
    project.provide("stackVersions", versions);
  } catch (error) {
    await teardown();
    throw error;
  }
}

export async function teardown(): Promise<void> {
  for (const event of exitEvents) process.off(event, removeTempDirsOnExit);
  const services = peerServices;
  peerServices = [];
  await Promise.all(services.map((service) => service.stop()));
  await containerSet?.stop();
  if (scratchRoot) await rm(scratchRoot, { recursive: true, force: true });
  if (fixtures) await removeFixtureSet(fixtures);
}
