// The folders of harness/ are the layers (docs/architecture.md "Layers"): each folder imports only
// itself and the folders listed for it, all of them below it, so imports point one way and no two
// files import each other. Read from the source's import lines (type-only imports included), so a
// new file is covered; a new folder must be placed in the table before anything in it is allowed.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");

/** Bottom to top: a layer may import the layers named here (and itself); fixtures/ is the PKI, below everything. */
const layers: Record<string, readonly string[]> = {
  core: [],
  runtime: ["core"],
  scenarios: ["core"],
  stacks: ["core", "runtime"],
  images: ["core", "runtime", "stacks"],
  gallery: ["core", "runtime", "stacks"],
  host: ["core", "runtime", "stacks", "images", "gallery"],
  report: ["core", "host"],
  external: ["core", "runtime", "report"],
  mesh: ["core", "runtime", "report", "external"],
  plan: ["core"],
  client: ["core", "runtime", "scenarios", "report"],
  runner: ["core", "runtime", "scenarios", "stacks", "host", "report"],
  commands: ["core", "runtime", "report", "external", "mesh", "client", "plan"],
  // Tools of the project itself, above every layer.
  flake: ["core", "runtime", "report"],
  bench: ["core", "runtime", "report", "external", "mesh", "commands"],
  docs: ["core", "scenarios", "stacks", "host", "runner"],
  bin: ["commands"],
  examples: [],
  // The GitHub Action: action.yml and its helper, which imports the compiled command (dist/, built
  // by the action's install step) as a user's machine has it.
  action: ["dist"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The repository paths a file imports (relative specifiers only, .js mapped back to .ts). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/^(?:import|export)[^;]*?from "(\.[^"]+)";/gms)].map((match) =>
    relative(root, resolve(root, dirname(file), match[1]!)).replace(/\.js$/, ".ts"),
  );
}

const layerOf = (path: string) => (path.startsWith("harness/") ? path.split("/")[1]! : path.split("/")[0]!);
const folders = readdirSync(join(root, "harness"), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
const harnessFiles = folders.flatMap((folder) => sourceFiles(join("harness", folder)));

describe("the folders of harness/ are the layers", () => {
  it("every folder has its place in the layer table, and no source file lies loose at the root", () => {
    expect(folders.filter((folder) => !(folder in layers))).toEqual([]);
    const loose = readdirSync(join(root, "harness")).filter((name) => /\.(ts|mts|mjs)$/.test(name) && name !== "layers.test.ts");
    expect(loose).toEqual([]);
  });

  it("the table points one way: no layer imports a layer that (through others) imports it", () => {
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      (layers[from] ?? []).some((next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))));
    expect(Object.keys(layers).filter((layer) => reaches(layer, layer))).toEqual([]);
  });

  it.each(harnessFiles)("%s imports its own layer, the layers below it and fixtures/ only", (file) => {
    const own = layerOf(file);
    const may = new Set([own, "fixtures", ...layers[own]!]);
    expect(importsOf(file).filter((target) => !may.has(layerOf(target)))).toEqual([]);
  });

  it("no two files import each other, directly or through others", () => {
    const graph = new Map(harnessFiles.map((file) => [file, importsOf(file).filter((target) => target.startsWith("harness/"))]));
    const loops: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") return void loops.push([...path.slice(path.indexOf(file)), file].join(" -> "));
      state.set(file, "open");
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(loops).toEqual([]);
  });
});
