// The Kubernetes example run without a cluster (npm run test:containers): the command's image
// (cli-image.ts), one container per shard of the Indexed Job with JOB_COMPLETION_INDEX=0..N-1 and
// the Job's own command, the merge Job's command, and the CronJob's unsharded command, all on the
// host network against loopback endpoints (local-mesh.ts), with the ConfigMap, Secret and results
// volume as directories mounted where the manifests mount them. The merged result must equal the
// unsharded one verdict for verdict, and the merge Job must pass against that as a baseline.
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec } from "../../fixtures/profiles.js";
import { startLocalMesh, type LocalMesh } from "../mesh/local-mesh.js";
import type { ResultsModel } from "../report/results.js";
import { ensureCliImage } from "./cli-image.js";
import { jobSpecOf, kubernetesManifests, type Container, type Manifest } from "./kubernetes-manifests.js";

const manifests = kubernetesManifests();
const containerOf = (kind: string, name: string): Container => jobSpecOf(manifests.find((manifest: Manifest) => manifest.kind === kind && manifest.metadata.name === name)!).template.spec.containers[0]!;
const shardJob = containerOf("Job", "mtls-conformance-mesh");
const mergeJob = containerOf("Job", "mtls-conformance-merge");
const nightly = containerOf("CronJob", "mtls-conformance-nightly");
const shards = Number(shardJob.env!.find((variable) => variable.name === "SHARDS")!.value);

const onContainers = process.env.MTLS_RUNTIME === "container";
const runId = `mtls-cli-test-${process.pid}`;

let image: string;
let fixtures: FixtureSet;
let mesh: LocalMesh;
let work: string;
/** Host directories standing in for the pods' volumes, by the volume's name in the manifests. */
const volumes: Record<string, string> = {};

beforeAll(async () => {
  if (!onContainers) return;
  image = await ensureCliImage();
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  mesh = await startLocalMesh(fixtures, 10);
  work = await mkdtemp(join(tmpdir(), "mtls-cli-image-"));
  await chmod(work, 0o755);
  for (const name of ["targets", "issuer", "baseline", "results"]) {
    volumes[name] = join(work, name);
    await mkdir(volumes[name]!, { mode: 0o755 });
  }
  // The pods run as 65532: the results volume is writable for it, the Secret readable (defaultMode 0440 and fsGroup there).
  await chmod(volumes.results!, 0o777);
  for (const [key, file] of [["tls.crt", fixtures.certs["issuer-a"]!.cert], ["tls.key", fixtures.certs["issuer-a"]!.key], ["ca.crt", fixtures.bundles["trust-a"]!]] as const) {
    await copyFile(file, join(volumes.issuer!, key));
    await chmod(join(volumes.issuer!, key), 0o644);
  }
  // The ConfigMap's defaults (issuer paths where the Secret is mounted), this machine's endpoints; one permissive endpoint expected strict.
  const lines = ["defaults:", "  issuerCert: /etc/mtls-conformance/issuer/tls.crt", "  issuerKey: /etc/mtls-conformance/issuer/tls.key", "  timeoutMs: 3000", "targets:"];
  mesh.endpoints.forEach((endpoint, index) => lines.push(`  - name: ${endpoint.name}`, `    target: "${endpoint.address}"`, `    expectMode: ${index === 1 ? "strict" : endpoint.mode}`));
  await writeFile(join(volumes.targets!, "targets.yaml"), lines.join("\n") + "\n", { mode: 0o644 });
}, 600_000);

afterAll(async () => {
  if (!onContainers) return;
  const left = await execa("docker", ["ps", "--all", "--quiet", "--filter", `label=${runId}`], { reject: false, timeout: 30_000 });
  const ids = String(left.stdout).split("\n").filter(Boolean);
  if (ids.length) await execa("docker", ["rm", "--force", ...ids], { reject: false, timeout: 60_000 });
  await mesh?.stop();
  if (fixtures) await removeFixtureSet(fixtures);
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs a manifest's container as the pod would: its command and args, its env, its mounts, as uid 65532, on the host network. */
function runPod(container: Container, env: Record<string, string> = {}) {
  const mounts = (container.volumeMounts ?? []).flatMap((mount) => ["--volume", `${volumes[mount.name]}:${mount.mountPath}${mount.name === "results" ? "" : ":ro"}`]);
  const variables = [...(container.env ?? []).map((variable) => [variable.name, variable.value]), ...Object.entries(env)].flatMap(([name, value]) => ["--env", `${name}=${value}`]);
  const [entrypoint, ...commandArgs] = container.command!;
  return execa(
    "docker",
    ["run", "--rm", "--label", runId, "--network", "host", "--user", "65532:65532", ...variables, ...mounts, "--entrypoint", entrypoint!, image, ...commandArgs, ...container.args!],
    { reject: false, timeout: 300_000 },
  );
}

const model = async (file: string) => JSON.parse(await readFile(join(volumes.results!, file), "utf8")) as ResultsModel;
const verdicts = (results: ResultsModel) => Object.fromEntries(results.cases.map((entry) => [entry.name, entry.verdict]));

describe("the Kubernetes example in containers (npm run test:containers)", () => {
  it(`${shards} shard pods merged equal one unsharded pod, verdict for verdict; the merge passes against that as its baseline`, async ({ skip }) => {
    if (!onContainers) return skip("runs under npm run test:containers (MTLS_RUNTIME=container): it builds the command's image and starts containers");
    const pods = await Promise.all(Array.from({ length: shards }, (_, index) => runPod(shardJob, { JOB_COMPLETION_INDEX: String(index) })));
    expect(pods.map((pod) => pod.exitCode), pods.map((pod) => String(pod.stderr)).join("\n").slice(-2000)).toEqual(pods.map(() => 0));
    const perShard = await Promise.all(Array.from({ length: shards }, (_, index) => model(`shard-${index}.json`)));
    expect(perShard.map((shard) => shard.mesh!.shards)).toEqual(perShard.map((_, index) => [`${index}/${shards}`]));
    expect(perShard.flatMap((shard) => shard.mesh!.targets.map((target) => target.name)).sort()).toEqual(mesh.endpoints.map((endpoint) => endpoint.name).sort());

    const merged = await runPod(mergeJob);
    const unsharded = await runPod(nightly);
    // One target is expected strict and is permissive: both runs find it and fail.
    expect([merged.exitCode, unsharded.exitCode], String(merged.stdout).slice(-1500)).toEqual([1, 1]);
    const [mergedModel, unshardedModel] = [await model("report/results.json"), await model("nightly/results.json")];
    expect(verdicts(mergedModel)).toEqual(verdicts(unshardedModel));
    expect(new Set(mergedModel.cases.map((entry) => entry.properties.target)).size).toBe(mesh.endpoints.length);
    expect(mergedModel.cases.filter((entry) => entry.verdict === "fail").map((entry) => entry.properties.target)).toEqual([mesh.endpoints[1]!.name, mesh.endpoints[1]!.name]);

    // The unsharded results as the baseline (the ConfigMap mtls-conformance-baseline): its failures are known, the merge Job passes.
    await copyFile(join(volumes.results!, "nightly/results.json"), join(volumes.baseline!, "baseline.json"));
    await chmod(join(volumes.baseline!, "baseline.json"), 0o644);
    const again = await runPod(mergeJob);
    expect(again.exitCode, String(again.stdout).slice(-1500)).toBe(0);
    expect(String(again.stdout)).toContain("0 regressions, 2 known failures, 0 fixed");
  }, 900_000);
});
