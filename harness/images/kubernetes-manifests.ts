// The manifests of examples/kubernetes/, parsed, for the tests that check them
// (harness/examples/kubernetes.test.ts) and run their commands in containers (cli-image.test.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

export const kubernetesFolder = join(import.meta.dirname, "..", "..", "examples", "kubernetes");

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: unknown };
export interface Container { name: string; image: string; command?: string[]; args?: string[]; env?: Array<{ name: string; value: string }>; volumeMounts?: Array<{ name: string; mountPath: string }> }
export interface PodSpec { restartPolicy: string; containers: Container[]; volumes?: Array<{ name: string; configMap?: { name: string; optional?: boolean }; secret?: { secretName: string }; persistentVolumeClaim?: { claimName: string } }> }
export interface JobSpec { completions?: number; parallelism?: number; completionMode?: string; template: { spec: PodSpec } }

export function kubernetesManifests(): Manifest[] {
  return readdirSync(kubernetesFolder)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(join(kubernetesFolder, file), "utf8")).map((document) => {
      if (document.errors.length) throw new Error(`failed to parse ${file}: ${document.errors[0]!.message}`);
      return document.toJS() as Manifest;
    }));
}

/** A Job's spec, or a CronJob's job template's. */
export const jobSpecOf = (manifest: Manifest): JobSpec => (manifest.kind === "CronJob" ? (manifest.spec as { jobTemplate: { spec: JobSpec } }).jobTemplate.spec : (manifest.spec as JobSpec));
