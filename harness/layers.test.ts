// Imports point one way (docs/architecture.md "Layers"): the core imports nothing above it, the
// prober only the core, the stacks neither the runner nor the reports, and the external checks
// neither a stack nor the runner. Read from the source's import lines, so a new file is covered.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const core = ["harness/outcome.ts", "harness/observation.ts", "harness/capabilities.ts", "harness/case-record.ts", "harness/scenario.ts", "harness/network.ts"];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The repository paths a file imports (relative specifiers only, .js mapped back to .ts). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/^(?:import|export)[^;]*?from "(\.[^"]+)";/gms)].map((match) =>
    relative(root, resolve(root, dirname(file), match[1]!)).replace(/\.js$/, ".ts"),
  );
}

const allowed = (file: string, may: (target: string) => boolean) => importsOf(file).filter((target) => !may(target));
const isCore = (target: string) => core.includes(target) || target.startsWith("fixtures/");

describe("imports point one way", () => {
  it.each(core)("%s imports only the core", (file) => {
    expect(allowed(file, isCore)).toEqual([]);
  });

  it("the prober imports only the core", () => {
    expect(allowed("harness/probe.ts", isCore)).toEqual([]);
  });

  it.each(sourceFiles("harness/stacks"))("%s imports the core, the prober, the runtime and stacks only", (file) => {
    expect(allowed(file, (target) => isCore(target) || target === "harness/probe.ts" || target.startsWith("harness/runtime/") || target.startsWith("harness/stacks/"))).toEqual([]);
  });

  it.each([...sourceFiles("harness/external").filter((file) => !file.startsWith("harness/external/gallery/")), ...sourceFiles("harness/mesh")])("%s imports no stack and no runner", (file) => {
    expect(allowed(file, (target) => !target.startsWith("harness/stacks/") && !["harness/implementations.ts", "harness/run-scenario.ts", "harness/conformance-suite.ts"].includes(target))).toEqual([]);
  });

  // The client gallery plays the server side itself: the core, the fixtures, the scenario tables,
  // the reports, process cleanup, and the external checks' input handling; no stack, no runner.
  it.each(sourceFiles("harness/client"))("%s imports the core, scenarios, reports, runtime cleanup and external settings only", (file) => {
    expect(allowed(file, (target) => isCore(target) || target.startsWith("harness/client/") || target.startsWith("harness/scenarios/") || target.startsWith("harness/report/") || target === "harness/runtime/exit-cleanup.ts" || target === "harness/external/settings.ts")).toEqual([]);
  });
});
