// examples/kubernetes/ without a cluster: every manifest parses, has what its API requires
// (batch/v1 Job and CronJob: a pod template with named containers and images, restartPolicy Never
// or OnFailure, a five-field schedule), and the pieces agree with each other: the Indexed Job's
// completions, parallelism and shard count; every mount's volume, every volume's ConfigMap, Secret
// or claim; the targets file in the ConfigMap parses and names issuer files the Secret holds; the
// plan Job reads exactly the kinds `plan` resolves, with RBAC for get and list of those and no more,
// and writes the file the sharded Job runs.
// harness/images/cli-image.test.ts runs the same commands in containers (npm run test:containers).
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { skipEachWithout, toolPath } from "../host/context.js";
import { jobSpecOf, kubernetesFolder, kubernetesManifests, type Container, type Manifest } from "../images/kubernetes-manifests.js";
import { parseTargetsFile } from "../mesh/targets-file.js";
import { meshResolvers } from "../plan/meshes.js";
import { resourcesRead } from "../plan/plan.js";
import { usage } from "../commands/cli.js";
import { allocateEndpoint } from "../core/network.js";

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

  it("holds a ConfigMap, a Secret, a plan Job with its RBAC, an Indexed Job, a merge Job and a CronJob, all in one namespace", () => {
    expect(manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`).sort()).toEqual([
      "ClusterRole/mtls-conformance-plan",
      "ClusterRoleBinding/mtls-conformance-plan",
      "ConfigMap/mtls-conformance-targets",
      "CronJob/mtls-conformance-nightly",
      "Job/mtls-conformance-merge",
      "Job/mtls-conformance-mesh",
      "Job/mtls-conformance-plan",
      "Namespace/mtls-conformance",
      "PersistentVolumeClaim/mtls-conformance-results",
      "Secret/mtls-conformance-issuer",
      "ServiceAccount/mtls-conformance-plan",
    ]);
    const clusterScoped = ["Namespace", "ClusterRole", "ClusterRoleBinding"];
    for (const manifest of manifests.filter((entry) => !clusterScoped.includes(entry.kind))) expect(manifest.metadata.namespace, manifest.metadata.name).toBe("mtls-conformance");
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
    for (const manifest of cronJobs) {
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

  it("the plan Job gets exactly the resources plan reads, with get and list on exactly those, and the sharded Job runs what it wrote", () => {
    const plan = jobSpecOf(find("Job", "mtls-conformance-plan")!).template.spec as ReturnType<typeof jobSpecOf>["template"]["spec"] & { serviceAccountName?: string };
    const container = plan.containers[0]!;
    const resources = envOf(container, "RESOURCES")!.trim().split(/\s+/);
    expect(resources).toEqual(resourcesRead(meshResolvers));
    const args = container.args!.join(" ");
    expect(args).toContain('kubectl get "$resource" --all-namespaces -o yaml > "/tmp/declared/$resource.yaml"');
    expect(args).toContain("mtls-conformance plan /tmp/declared --out /results/plan/targets.yaml");
    // RBAC: the ServiceAccount the Job runs as is bound to a role of get and list on exactly those resources.
    const role = find("ClusterRole", "mtls-conformance-plan")!;
    const binding = find("ClusterRoleBinding", "mtls-conformance-plan")!;
    expect(plan.serviceAccountName).toBe("mtls-conformance-plan");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: plan.serviceAccountName, namespace: "mtls-conformance" }]);
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name });
    const rules = role.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
    expect(rules.every((rule) => JSON.stringify(rule.verbs) === JSON.stringify(["get", "list"]))).toBe(true);
    expect(rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.map((resource) => (group ? `${resource}.${group}` : resource)))).sort()).toEqual([...resources].sort());
    // The issuer flags name files the Secret holds, where the plan pod mounts it.
    const secret = find("Secret", "mtls-conformance-issuer")!;
    const keys = Object.keys((secret.stringData ?? secret.data) as Record<string, string>);
    const issuerMount = container.volumeMounts!.find((mount) => mount.name === plan.volumes!.find((volume) => volume.secret?.secretName === secret.metadata.name)!.name)!.mountPath;
    for (const [, path] of args.matchAll(/--(?:issuer-cert|issuer-key|trust-bundle) (\S+)/g)) {
      expect(dirname(path!)).toBe(issuerMount);
      expect(keys).toContain(basename(path!));
    }
    // The sharded Job copies the planned file from the same claim to where its shards read targets.
    const mesh = jobSpecOf(find("Job", "mtls-conformance-mesh")!).template.spec as ReturnType<typeof jobSpecOf>["template"]["spec"] & { initContainers?: Container[] };
    const copy = mesh.initContainers![0]!;
    const claim = (spec: typeof plan, name: string) => spec.volumes!.find((volume) => volume.name === name)?.persistentVolumeClaim?.claimName;
    expect(claim(mesh, copy.volumeMounts!.find((mount) => mount.mountPath === "/results")!.name)).toBe(claim(plan, container.volumeMounts!.find((mount) => mount.mountPath === "/results")!.name));
    const targetsMount = copy.volumeMounts!.find((mount) => mount.name === "targets")!.mountPath;
    expect(copy.args!.join(" ")).toBe(`cp /results/plan/targets.yaml ${targetsMount}/targets.yaml`);
    expect(mesh.containers[0]!.args!.join(" ")).toContain(`--targets ${mesh.containers[0]!.volumeMounts!.find((mount) => mount.name === "targets")!.mountPath}/targets.yaml`);
    expect(mesh.volumes!.find((volume) => volume.name === "targets")).toEqual({ name: "targets", emptyDir: {} });
  });

  describe("the CronJob's metrics", () => {
    const nightly = () => jobSpecOf(find("CronJob", "mtls-conformance-nightly")!).template.spec.containers[0]!;
    const metricsBody = "# HELP mtls_conformance_run_duration_seconds Wall time of the whole run\n# TYPE mtls_conformance_run_duration_seconds gauge\nmtls_conformance_run_duration_seconds 1.5\n# EOF\n";

    it("go to a file on the results volume, with a flag the command has", () => {
      const container = nightly();
      const script = container.args!.join(" ");
      const file = /--metrics (\S+);/.exec(script)?.[1];
      expect(file).toBe("/results/nightly/metrics.prom");
      expect(usage).toContain("--metrics FILE ");
      expect(container.volumeMounts!.map((mount) => mount.mountPath)).toContain("/results");
      expect(container.env?.map((variable) => variable.name)).toContain("PUSHGATEWAY_URL");
    });

    /**
     * The pod's own shell script with /results in a temporary folder and, first on PATH, a stand-in
     * for the command that writes the metrics file and summary.md and exits with the run's status.
     */
    async function runNightly(pushgateway: string, runStatus: number): Promise<{ exitCode: number | undefined; stderr: string }> {
      const dir = await mkdtemp(join(tmpdir(), "mtls-cronjob-"));
      try {
        await mkdir(join(dir, "bin"));
        await writeFile(join(dir, "metrics.prom"), metricsBody);
        const stand = ['#!/bin/sh', 'while [ $# -gt 0 ]; do case "$1" in', `--metrics) cp "${join(dir, "metrics.prom")}" "$2";;`, '--reports) mkdir -p "$2"; echo summary > "$2/summary.md";;', "esac; shift; done", `exit ${runStatus}`];
        await writeFile(join(dir, "bin/mtls-conformance"), stand.join("\n") + "\n");
        await chmod(join(dir, "bin/mtls-conformance"), 0o755);
        const script = nightly().args!.join(" ").replaceAll("/results/", `${dir}/results/`);
        const run = await execa("/bin/sh", ["-c", script], { reject: false, timeout: 30_000, env: { PATH: `${join(dir, "bin")}:${dirname(process.execPath)}:/usr/bin:/bin`, PUSHGATEWAY_URL: pushgateway } });
        expect(await readFile(join(dir, "results/nightly/metrics.prom"), "utf8")).toBe(metricsBody);
        return { exitCode: run.exitCode, stderr: String(run.stderr) };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }

    it.each([
      ["accepts it", 200, ""],
      ["answers 500", 500, "metrics push failed: HTTP 500"],
    ])("are PUT to the Pushgateway of PUSHGATEWAY_URL under the job's name; when it %s the Job keeps the run's status", async (_title, answer, stderr) => {
      const requests: Array<{ method?: string; url?: string; type?: string; body: string }> = [];
      const server = createServer((request, response) => {
        let body = "";
        request.on("data", (chunk) => (body += chunk));
        request.on("end", () => {
          requests.push({ method: request.method, url: request.url, type: request.headers["content-type"], body });
          response.writeHead(answer).end();
        });
      });
      const { host, port } = await allocateEndpoint();
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
      try {
        const result = await runNightly(`http://${host}:${port}`, 1);
        expect(requests).toEqual([{ method: "PUT", url: "/metrics/job/mtls-conformance-nightly", type: "text/plain; version=0.0.4", body: metricsBody }]);
        expect(result).toEqual({ exitCode: 1, stderr });
      } finally {
        server.close();
      }
    });

    it("stay in the file when PUSHGATEWAY_URL is empty", async () => {
      expect(await runNightly("", 0)).toEqual({ exitCode: 0, stderr: "" });
    });
  });
});
