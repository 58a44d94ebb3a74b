// vitest globalSetup for the conformance suites: one fixture PKI per run, issued relative to the
// run's start (captured once), written to a temp dir that is removed afterwards.
import type { TestProject } from "vitest/node";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../fixtures/fixture-set.js";
import { catalogueSpec } from "../fixtures/profiles.js";

declare module "vitest" {
  export interface ProvidedContext {
    fixtures: FixtureSet;
  }
}

let fixtures: FixtureSet | undefined;

export async function setup(project: TestProject): Promise<void> {
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  project.provide("fixtures", fixtures);
}

export async function teardown(): Promise<void> {
  if (fixtures) await removeFixtureSet(fixtures);
}
