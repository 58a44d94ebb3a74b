// examples/kubernetes/ without a cluster: every manifest parses, has what its API requires
// (batch/v1 Job and CronJob: a pod template with named containers and images, restartPolicy Never
// or OnFailure, a five-field schedule), and the pieces agree with each other: the Indexed Job's
// completions, parallelism and shard count; every mount's volume, every volume's ConfigMap, Secret
// or claim; the targets file in the ConfigMap parses and names issuer files the Secret holds.
// harness/images/cli-image.test.ts runs the same commands in containers (npm run test:containers).
import { basename, dirname } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { skipEachWithout, toolPath } from "../host/context.js";
import { jobSpecOf, kubernetesFolder, kubernetesManifests, type Container, type Manifest } from "../images/kubernetes-manifests.js";
import { parseTargetsFile } from "../mesh/targets-file.js";

const manifests = kubernetesManifests();
const find = (kind: string, name: string) => manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
const jobs = manifests.filter((manifest) => manifest.kind === "Job");
const cronJobs = manifests.filter((manifest) => manifest.kind === "CronJob");
const envOf = (container: Container, name: string) => container.env?.find((variable) => variable.name === name)?.value;

describe("examples/kubernetes", () => {
  describe("linted by yamllint", () => {
    skipEachWithout("yamllint");
    it("passes with the example workflow's settings", async () => {
      const run = await execa(toolPath("yamllint")!, ["--strict", "--format", "parsable", "-c", "examples/.yamllint.yml", kubernetesFolder], { reject: false, all: true, timeout: 30_000 });
      expect({ exitCode: run.exitCode, output: String(run.all) }).toEqual({ exitCode: 0, output: "" });
    });
  });

  it("holds a ConfigMap, a Secret, an Indexed Job, a merge Job and a CronJob, all in one namespace", () => {
    expect(manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`).sort()).toEqual([
      "ConfigMap/mtls-conformance-targets",
      "CronJob/mtls-conformance-nightly",
      "Job/mtls-conformance-merge",
      "Job/mtls-conformance-mesh",
      "Namespace/mtls-conformance",
      "PersistentVolumeClaim/mtls-conformance-results",
      "Secret/mtls-conformance-issuer",
    ]);
    for (const manifest of manifests.filter((entry) => entry.kind !== "Namespace")) expect(manifest.metadata.namespace, manifest.metadata.name).toBe("mtls-conformance");
  });

  it.each([...jobs, ...cronJobs].map((manifest) => [manifest.metadata.name, manifest] as const))("%s has the fields batch/v1 requires", (_name, manifest) => {
    expect(manifest.apiVersion).toBe("batch/v1");
    const spec = jobSpecOf(manifest);
    expect(["Never", "OnFailure"]).toContain(spec.template.spec.restartPolicy);
    expect(spec.template.spec.containers.length).toBeGreaterThan(0);
    for (const container of spec.template.spec.containers) {
      expect(container.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(container.image).toBeTruthy();
    }
    if (manifest.kind === "CronJob") expect((manifest.spec as { schedule: string }).schedule.split(/\s+/)).toHaveLength(5);
    // Every mount names a volume, and every volume's source is in the folder (or marked optional).
    const volumes = spec.template.spec.volumes ?? [];
    for (const container of spec.template.spec.containers) for (const mount of container.volumeMounts ?? []) expect(volumes.map((volume) => volume.name)).toContain(mount.name);
    for (const volume of volumes) {
      if (volume.configMap && !volume.configMap.optional) expect(find("ConfigMap", volume.configMap.name), volume.name).toBeDefined();
      if (volume.secret) expect(find("Secret", volume.secret.secretName), volume.name).toBeDefined();
      if (volume.persistentVolumeClaim) expect(find("PersistentVolumeClaim", volume.persistentVolumeClaim.claimName), volume.name).toBeDefined();
    }
  });

  it("the Indexed Job runs one shard per completion, all at once, and the merge step reads every shard", () => {
    const mesh = jobSpecOf(find("Job", "mtls-conformance-mesh")!);
    const shard = mesh.template.spec.containers[0]!;
    const shards = Number(envOf(shard, "SHARDS"));
    expect({ completionMode: mesh.completionMode, completions: mesh.completions, parallelism: mesh.parallelism }).toEqual({ completionMode: "Indexed", completions: shards, parallelism: shards });
    expect(shard.args!.join(" ")).toContain('--shard "$JOB_COMPLETION_INDEX/$SHARDS"');
    expect(shard.args!.join(" ")).toContain('--json "/results/shard-$JOB_COMPLETION_INDEX.json"');
    const merge = jobSpecOf(find("Job", "mtls-conformance-merge")!).template.spec.containers[0]!;
    expect(Number(envOf(merge, "SHARDS"))).toBe(shards);
    expect(merge.args!.join(" ")).toContain('"/results/shard-$index.json"');
  });

  it("the ConfigMap's targets file parses, and names issuer files that the Secret holds where the pods mount it", () => {
    const text = (find("ConfigMap", "mtls-conformance-targets")!.data as Record<string, string>)["targets.yaml"]!;
    const file = parseTargetsFile(text, "/etc/mtls-conformance/targets/targets.yaml");
    expect(file.targets.length).toBeGreaterThan(1);
    const secret = find("Secret", "mtls-conformance-issuer")!;
    const keys = Object.keys((secret.stringData ?? secret.data) as Record<string, string>);
    for (const manifest of [find("Job", "mtls-conformance-mesh")!, ...cronJobs]) {
      const pod = jobSpecOf(manifest).template.spec;
      const container = pod.containers[0]!;
      const mountOf = (volumeName: string) => container.volumeMounts!.find((mount) => mount.name === volumeName)!.mountPath;
      const secretVolume = pod.volumes!.find((volume) => volume.secret?.secretName === "mtls-conformance-issuer")!;
      const targetsVolume = pod.volumes!.find((volume) => volume.configMap?.name === "mtls-conformance-targets")!;
      expect(container.args!.join(" ")).toContain(`--targets ${mountOf(targetsVolume.name)}/targets.yaml`);
      for (const { settings } of file.targets) {
        for (const path of [settings.issuerCert, settings.issuerKey, settings.trustBundle].filter(Boolean) as string[]) {
          expect(dirname(path), `${manifest.metadata.name}: ${path}`).toBe(mountOf(secretVolume.name));
          expect(keys).toContain(basename(path));
        }
      }
    }
  });
});
