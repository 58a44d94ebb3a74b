// The declared state, read from files: `kubectl get ... -A -o yaml|json` output (a List), or a
// folder of manifests (a GitOps repository, multi-document YAML). Every object keeps where it came
// from; a file that is not YAML or JSON, or a document that is not a Kubernetes object, is one
// problem line and nothing of it is read.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
  spec?: Record<string, unknown>;
  /** Other top-level fields (a Consul config entry's MutualTLSMode, a ConfigMap's data). */
  [field: string]: unknown;
  /** FILE, or FILE#N for the N-th document (from 1). */
  source: string;
}

export interface LoadedManifests {
  objects: KubeObject[];
  /** One line each: a file that is not YAML or JSON, a document that is not a Kubernetes object. */
  problems: string[];
  /** Files that could not be read or parsed at all. */
  unreadable: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const nested = await Promise.all(
    entries.filter((entry) => !entry.name.startsWith(".")).map((entry) => (entry.isDirectory() ? filesUnder(join(path, entry.name)) : /\.(ya?ml|json)$/i.test(entry.name) ? [join(path, entry.name)] : [])),
  );
  return nested.flat();
}

/** A document as objects: a List's items, or the object itself; undefined when it is neither. */
function objectsOf(document: unknown, source: string, problems: string[]): KubeObject[] {
  if (document === null || document === undefined) return [];
  if (isRecord(document) && (document.kind === "List" || /List$/.test(String(document.kind))) && Array.isArray(document.items)) {
    return document.items.flatMap((item, index) => objectsOf(item, `${source}[${index}]`, problems));
  }
  // A Consul config entry written as HashiCorp documents it (Kind, Name, MutualTLSMode), not a CRD.
  if (isRecord(document) && typeof document.Kind === "string" && typeof document.Name === "string") {
    return [{ apiVersion: "consul/config-entry", kind: document.Kind, metadata: { name: document.Name, namespace: typeof document.Namespace === "string" ? document.Namespace : undefined }, ...document, source }];
  }
  if (!isRecord(document) || typeof document.kind !== "string" || typeof document.apiVersion !== "string" || !isRecord(document.metadata) || typeof document.metadata.name !== "string") {
    problems.push(`${source}: not a Kubernetes object (expected apiVersion, kind and metadata.name)`);
    return [];
  }
  return [{ ...document, metadata: document.metadata as KubeObject["metadata"], source } as KubeObject];
}

/** Reads every file (folders recursively: *.yaml, *.yml, *.json), in a stable order. */
export async function loadManifests(paths: readonly string[]): Promise<LoadedManifests> {
  const objects: KubeObject[] = [];
  const problems: string[] = [];
  let unreadable = 0;
  for (const path of paths) {
    let files: string[];
    try {
      files = await filesUnder(path);
    } catch (error) {
      problems.push(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      unreadable++;
      continue;
    }
    for (const file of files) {
      const text = await readFile(file, "utf8");
      const documents = parseAllDocuments(text, { uniqueKeys: true });
      const list = Array.isArray(documents) ? documents : [documents];
      const broken = list.find((document) => document.errors.length);
      if (broken) {
        problems.push(`${file}: not YAML or JSON (${broken.errors[0]!.message.split("\n")[0]})`);
        unreadable++;
        continue;
      }
      list.forEach((document, index) => objects.push(...objectsOf(document.toJS(), list.length > 1 ? `${file}#${index + 1}` : file, problems)));
    }
  }
  return { objects, problems, unreadable };
}
