// examples/github-actions.yml is what users copy: it must be valid YAML by yamllint's rules, call
// only npm scripts that exist, and select implementations by names the harness knows.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { skipEachWithout, toolPath } from "../host/context.js";
import { parse as parseYaml } from "yaml";
import { usage } from "../commands/cli.js";
import { selectedImplementations } from "../host/implementations.js";

const workflow = "examples/github-actions.yml";
const settings = "examples/.yamllint.yml";

async function yamllint(file: string): Promise<{ exitCode: number | undefined; output: string }> {
  const run = await execa(toolPath("yamllint")!, ["--strict", "--format", "parsable", "-c", settings, file], { reject: false, all: true, timeout: 30_000 });
  return { exitCode: run.exitCode, output: String(run.all) };
}

describe("the example workflow", () => {
  describe("linted by yamllint", () => {
    skipEachWithout("yamllint");

    it("passes, and the same settings catch a broken copy", async () => {
      const clean = await yamllint(workflow);
      expect(clean.output).toBe("");
      expect(clean.exitCode).toBe(0);
      const dir = await mkdtemp(join(tmpdir(), "mtls-workflow-"));
      try {
        const broken = join(dir, "broken.yml");
        await writeFile(broken, (await readFile(workflow, "utf8")).replace("    runs-on: ubuntu-24.04", "    runs-on: ubuntu-24.04\n     timeout-minutes: 5"));
        const result = await yamllint(broken);
        expect(result.exitCode).not.toBe(0);
        expect(result.output).toMatch(/broken\.yml:\d+:\d+: \[error\]/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  it("runs only npm scripts that package.json defines, setup and test among them", async () => {
    const text = await readFile(workflow, "utf8");
    const scripts = Object.keys(JSON.parse(await readFile("package.json", "utf8")).scripts as Record<string, string>);
    const called = [...text.matchAll(/^\s+(?:- )?run: npm (?:run )?([\w:-]+)/gm)].map((match) => match[1]!);
    expect(called).toEqual(["ci", "setup", "test"]);
    for (const script of called.filter((name) => name !== "ci")) expect(scripts).toContain(script);
  });

  it("uses the project's action by a path that holds it, with inputs it declares, and reads outputs it sets", async () => {
    type Step = { id?: string; uses?: string; with?: Record<string, string>; env?: Record<string, string>; if?: string };
    const steps = (parseYaml(await readFile(workflow, "utf8")) as { jobs: { conformance: { steps: Step[] } } }).jobs.conformance.steps;
    const step = steps.find((each) => each.uses?.startsWith("./"))!;
    expect(step.uses).toBe("./harness/action");
    const action = parseYaml(await readFile(join(step.uses!, "action.yml"), "utf8")) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
    expect(Object.keys(step.with!).filter((input) => !(input in action.inputs))).toEqual([]);
    const read = steps.flatMap((each) => [...JSON.stringify(each).matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([\\w-]+)`, "g"))].map((match) => match[1]!));
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((output) => !(output in action.outputs))).toEqual([]);
  });

  it("selects implementations by names the harness knows", async () => {
    const selection = /^\s+MTLS_IMPLEMENTATIONS: (\S+)$/m.exec(await readFile(workflow, "utf8"))?.[1];
    expect(selection).toBeDefined();
    expect(() => selectedImplementations("process", selection)).not.toThrow();
  });
});

describe("the sharded example workflow", () => {
  const shardsWorkflow = "examples/github-actions-shards.yml";
  type Job = { strategy?: { matrix: { shard: number[] } }; steps: Array<{ run?: string }> };
  const jobs = async () => (parseYaml(await readFile(shardsWorkflow, "utf8")) as { jobs: Record<string, Job> }).jobs;
  const runs = (job: Job) => job.steps.flatMap((step) => (step.run ? [step.run] : []));

  describe("linted by yamllint", () => {
    skipEachWithout("yamllint");
    it("passes", async () => {
      expect(await yamllint(shardsWorkflow)).toEqual({ exitCode: 0, output: "" });
    });
  });

  it("runs vitest shards 1..N with blob reports and merges them in a job that needs them", async () => {
    const { conformance, "conformance-report": report } = await jobs();
    const shards = conformance!.strategy!.matrix.shard;
    expect(shards).toEqual(shards.map((_, index) => index + 1));
    expect(runs(conformance!).join("\n")).toContain(`--shard=\${{ matrix.shard }}/${shards.length} --reporter=blob`);
    expect(runs(report!)).toContain("npx vitest run --merge-reports=reports/blob");
  });

  it("runs mesh shards 0..N-1 with flags the command has, and merges every shard's results", async () => {
    const { mesh, "mesh-report": report } = await jobs();
    const shards = mesh!.strategy!.matrix.shard;
    expect(shards).toEqual(shards.map((_, index) => index));
    const command = runs(mesh!).find((text) => text.includes("mtls-conformance run"))!;
    expect(command).toContain(`--shard \${{ matrix.shard }}/${shards.length}`);
    for (const flag of command.match(/--[a-z-]+/g)!) expect(usage).toContain(`${flag} `);
    const merge = runs(report!).find((text) => text.includes("mtls-conformance merge"))!;
    expect(merge.match(/reports\/mesh-\d\.json/g)).toEqual(shards.map((index) => `reports/mesh-${index}.json`));
  });
});

