// harness/action/action.yml run the way the runner runs a composite action: its expressions
// substituted as GitHub substitutes them (only those it uses: any other is refused, so a new one
// must be modelled here first), each `run:` in `bash --noprofile --norc -eo pipefail {0}` with
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP, steps stopping at the first that fails, and
// the action's outputs read from the steps' outputs. The endpoint is a strict openssl s_server.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { execa } from "execa";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec, serverIdentity, serverName } from "../../fixtures/profiles.js";
import { skipEachWithout, toolPath } from "../host/context.js";
import { startStrictSServer } from "../gallery/strict-s-server.js";
import type { ManagedProcess } from "../runtime/types.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const actionPath = join(root, "harness/action");
const actionFile = join(actionPath, "action.yml");

interface Step { name?: string; id?: string; shell?: string; env?: Record<string, string>; run?: string; "working-directory"?: string }
interface Action {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

/** ${{ ... }} as GitHub evaluates the forms the action uses; any other expression throws. */
function substitute(text: string, context: { inputs: Record<string, string>; steps?: Record<string, Record<string, string>> }): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_whole, expression: string) => {
    if (expression === "github.action_path") return actionPath;
    const input = /^inputs\.([\w-]+)$/.exec(expression);
    if (input) {
      if (!(input[1]! in context.inputs)) throw new Error(`the action reads an input it does not declare: ${expression}`);
      return context.inputs[input[1]!]!;
    }
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
    if (output && context.steps) return context.steps[output[1]!]?.[output[2]!] ?? "";
    throw new Error(`an expression this test does not model: \${{ ${expression} }}`);
  });
}

/** $GITHUB_OUTPUT's lines: name=value (the action writes no multi-line values; a line of another form fails the test). */
function parseOutputFile(text: string): Record<string, string> {
  return Object.fromEntries(text.split("\n").filter(Boolean).map((line) => {
    const match = /^([\w-]+)=(.*)$/.exec(line);
    if (!match) throw new Error(`a GITHUB_OUTPUT line this test does not model: ${line}`);
    return [match[1]!, match[2]!];
  }));
}

interface ActionRun {
  /** The exit status of the step that failed, or 0. */
  exitCode: number;
  outputs: Record<string, string>;
  stepSummary: string;
  logs: string[];
}

async function runAction(given: Record<string, string>, workspace: string, actionText?: string): Promise<ActionRun> {
  const action = parseYaml(actionText ?? (await readFile(actionFile, "utf8"))) as Action;
  expect(action.runs.using).toBe("composite");
  const unknown = Object.keys(given).filter((name) => !(name in action.inputs));
  if (unknown.length) throw new Error(`inputs the action does not declare: ${unknown.join(", ")}`);
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, given[name] ?? spec.default ?? ""]));
  const runnerTemp = await mkdtemp(join(tmpdir(), "mtls-action-runner-"));
  const stepSummary = join(runnerTemp, "step-summary.md");
  await writeFile(stepSummary, "");
  const steps: Record<string, Record<string, string>> = {};
  const logs: string[] = [];
  let exitCode = 0;
  try {
    for (const [index, step] of action.runs.steps.entries()) {
      expect(Object.keys(step).filter((key) => !["name", "id", "shell", "env", "run", "working-directory"].includes(key)), step.name).toEqual([]);
      expect(step.shell, step.name).toBe("bash");
      const outputFile = join(runnerTemp, `output-${index}`);
      const script = join(runnerTemp, `step-${index}.sh`);
      await writeFile(outputFile, "");
      await writeFile(script, substitute(step.run!, { inputs }));
      const env = {
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("MTLS_") && !name.startsWith("INPUT_"))),
        GITHUB_ACTION_PATH: actionPath,
        GITHUB_WORKSPACE: workspace,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: stepSummary,
        RUNNER_TEMP: runnerTemp,
        ...Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, substitute(value, { inputs })])),
      };
      const cwd = step["working-directory"] ? resolve(workspace, substitute(step["working-directory"], { inputs })) : workspace;
      const result = await execa("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd, env, extendEnv: false, reject: false, all: true, timeout: 180_000 });
      logs.push(`${step.name}: exit ${result.exitCode}\n${result.all}`);
      if (step.id) steps[step.id] = parseOutputFile(await readFile(outputFile, "utf8"));
      if (result.exitCode !== 0) {
        exitCode = result.exitCode ?? -1;
        break;
      }
    }
    const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, spec]) => [name, substitute(spec.value, { inputs, steps })]));
    return { exitCode, outputs, stepSummary: await readFile(stepSummary, "utf8"), logs };
  } finally {
    await rm(runnerTemp, { recursive: true, force: true });
  }
}

let workspace: string;
let fixtures: FixtureSet;
let server: ManagedProcess | undefined;
let target: string;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), "mtls-action-workspace-"));
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  if (!toolPath("openssl")) return;
  ({ target, server } = await startStrictSServer(fixtures));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (fixtures) await removeFixtureSet(fixtures);
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

const endpointInputs = () => ({
  target,
  "server-name": serverName,
  "trust-bundle": fixtures.bundles["trust-a"]!,
  "issuer-cert": fixtures.certs["issuer-a"]!.cert,
  "issuer-key": fixtures.certs["issuer-a"]!.key,
  "expect-identity": serverIdentity,
});

describe("the GitHub Action, run as the runner runs it", () => {
  describe("linted by yamllint", () => {
    skipEachWithout("yamllint");
    it("passes with the example workflow's settings", async () => {
      const run = await execa(toolPath("yamllint")!, ["--strict", "--format", "parsable", "-c", "examples/.yamllint.yml", actionFile], { reject: false, all: true, timeout: 30_000 });
      expect({ exitCode: run.exitCode, output: String(run.all) }).toEqual({ exitCode: 0, output: "" });
    });
  });

  it("an expression the test does not model fails it, so a new one cannot slip past", async () => {
    const text = (await readFile(actionFile, "utf8")).replace("INPUT_TARGET: ${{ inputs.target }}", "INPUT_TARGET: ${{ github.token }}");
    await expect(runAction({ target: "127.0.0.1:1" }, workspace, text)).rejects.toThrow("an expression this test does not model: ${{ github.token }}");
  });

  describe("against a strict openssl s_server", () => {
    skipEachWithout("openssl");

    it("one target expected strict: installs from the built checkout, exit 0, observed mode strict, 0 failed, summary.md on the job's page, every report's path", async () => {
      const run = await runAction({ ...endpointInputs(), "expect-mode": "strict", args: "--concurrency 1" }, workspace);
      expect(run.exitCode, run.logs.join("\n")).toBe(0);
      expect(run.logs[0]).toContain(`mtls-conformance: using the built checkout in ${root}`);
      const reports = join(workspace, "mtls-conformance-reports");
      expect(run.outputs).toEqual({
        "observed-mode": "strict",
        failed: "0",
        "exit-code": "0",
        reports,
        results: join(reports, "results.json"),
        junit: join(reports, "junit.xml"),
        summary: join(reports, "summary.md"),
        metrics: join(reports, "metrics.prom"),
      });
      expect(run.stepSummary).toBe(await readFile(run.outputs.summary!, "utf8"));
      expect(run.stepSummary).toContain(target);
      expect(await readFile(run.outputs.metrics!, "utf8")).toContain(`mtls_conformance_observed_mode_info{target="${target}",instance="${target}",mode="strict",expected="strict"} 1`);
      const model = JSON.parse(await readFile(run.outputs.results!, "utf8")) as { cases: Array<{ verdict: string }> };
      expect(model.cases.length).toBeGreaterThan(5);
    });

    it("expected permissive: the step fails with exit 1 and still sets the outputs and the summary", async () => {
      const run = await runAction({ ...endpointInputs(), "expect-mode": "permissive", reports: "permissive" }, workspace);
      expect(run.exitCode, run.logs.join("\n")).toBe(1);
      expect(run.outputs["observed-mode"]).toBe("strict");
      expect(run.outputs["exit-code"]).toBe("1");
      const model = JSON.parse(await readFile(run.outputs.results!, "utf8")) as { cases: Array<{ verdict: string }> };
      const failed = model.cases.filter((entry) => entry.verdict === "fail" || entry.verdict === "error").length;
      expect(failed).toBeGreaterThan(0);
      expect(run.outputs.failed).toBe(String(failed));
      expect(run.stepSummary).toBe(await readFile(join(workspace, "permissive/summary.md"), "utf8"));
    });

    it("a targets file: observed mode per target name", async () => {
      const inputs = endpointInputs();
      const file = join(workspace, "targets.yaml");
      await writeFile(file, ["defaults:", `  serverName: ${serverName}`, `  trustBundle: ${inputs["trust-bundle"]}`, `  issuerCert: ${inputs["issuer-cert"]}`, `  issuerKey: ${inputs["issuer-key"]}`, "  expectMode: strict", "targets:", "  - name: api", `    target: "${target}"`, ""].join("\n"));
      const run = await runAction({ targets: "targets.yaml", reports: "mesh" }, workspace);
      expect(run.exitCode, run.logs.join("\n")).toBe(0);
      expect(run.outputs["observed-mode"]).toBe("api=strict");
      expect(run.stepSummary).toContain("api");
    });
  });

  describe("client, with curl as the client under test", () => {
    skipEachWithout("curl");

    it("sets the exit code and failed count of the client's report, and puts its table on the job's page", async () => {
      const run = await runAction({ "client-command": "curl --silent --show-error --max-time 5 --cacert {ca} --output /dev/null {url}", reports: "client" }, workspace);
      const report = JSON.parse(await readFile(join(workspace, "client/report.json"), "utf8")) as { exitCode: number; rows: Array<{ id: string; verdict: string }> };
      expect(run.exitCode, run.logs.join("\n")).toBe(report.exitCode);
      expect(run.outputs["exit-code"]).toBe(String(report.exitCode));
      expect(run.outputs.failed).toBe(String(report.rows.filter((row) => row.verdict === "fail" || row.verdict === "error").length));
      expect(run.outputs["observed-mode"]).toBe("");
      expect(run.stepSummary).toMatch(/^## mtls-conformance client\n\n```text\n/);
      for (const row of report.rows) expect(run.stepSummary).toContain(row.id);
    });
  });

  it.each([
    ["target and targets", { target: "127.0.0.1:1", targets: "t.yaml" }, "mtls-conformance action: give target or targets, not both"],
    ["targets with a setting that belongs in the file", { targets: "t.yaml", "expect-mode": "strict" }, "mtls-conformance action: targets: the file holds each target's settings; put expectMode in its defaults"],
    ["a target's setting in args with targets", { targets: "t.yaml", args: "--protocol h2" }, "mtls-conformance: --protocol is a target's setting: with --targets, put it in the file's defaults or entries"],
    ["args with shell syntax", { target: "127.0.0.1:1", args: "--path /; rm -rf x" }, "mtls-conformance action: args:"],
  ])("%s: the step fails with one line", async (_title, inputs, message) => {
    const run = await runAction(inputs, workspace);
    expect(run.exitCode).toBe(2);
    expect(run.logs[1]).toContain(message);
  });
});
