// vitest globalSetup for the conformance suites: one fixture PKI per run, issued relative to the
// run's start (captured once), written to a temp dir that is removed afterwards. Under
// MTLS_RUNTIME=container it also starts one container per implementation (and owns them: they are
// removed in teardown, on SIGINT/SIGTERM and on exit, see runtime/container-set.ts).
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { cachedFixtureSet } from "../fixtures/fixture-cache.js";
import { removeFixtureSet, type FixtureSet } from "../fixtures/fixture-set.js";
import { catalogueSpec } from "../fixtures/profiles.js";
import { imageStacks, missingImages, peerImageTag } from "./images/peer-images.js";
import { planImplementations } from "./implementations.js";
import type { PeerContainers } from "./runtime/container.js";
import { removeOrphanedContainers, startContainerSet, type ContainerSet } from "./runtime/container-set.js";
import { runtimeNameFrom } from "./runtime/types.js";

export type RuntimeContext = { name: "process" } | { name: "container"; containers: PeerContainers; scratchRoot: string };

declare module "vitest" {
  export interface ProvidedContext {
    fixtures: FixtureSet;
    runtime: RuntimeContext;
  }
}

export class GlobalSetupError extends Error {}

let fixtures: FixtureSet | undefined;
let scratchRoot: string | undefined;
let containerSet: ContainerSet | undefined;

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
  return { name: "container", containers: containerSet.containers, scratchRoot };
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
    project.provide("runtime", runtime === "container" ? await startContainers(fixtures.dir) : { name: "process" });
  } catch (error) {
    await teardown();
    throw error;
  }
}

export async function teardown(): Promise<void> {
  for (const event of exitEvents) process.off(event, removeTempDirsOnExit);
  await containerSet?.stop();
  if (scratchRoot) await rm(scratchRoot, { recursive: true, force: true });
  if (fixtures) await removeFixtureSet(fixtures);
}
