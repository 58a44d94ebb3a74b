// `npm test` split with vitest's --shard, each shard writing a blob report, merged with
// `vitest --merge-reports`: the merged reports (written by harness/report/reporter.ts from the
// replayed cases) hold the same cases with the same verdicts and annotations as one unsharded run.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResultsModel } from "./results.js";

const root = join(import.meta.dirname, "..", "..");
const vitestBin = join(root, "node_modules/vitest/vitest.mjs");
// node is always there; two files, because vitest shards by file.
const env = { MTLS_IMPLEMENTATIONS: "node", MTLS_RUNTIME: "process", MTLS_BASELINE: "" };
const files = ["suites/expiry.test.ts", "suites/rotation.test.ts"];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "mtls-vitest-shards-"));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const vitest = (args: string[], reportsDir: string) =>
  execa(process.execPath, [vitestBin, "run", ...args], { cwd: root, reject: false, timeout: 180_000, env: { ...env, MTLS_REPORTS_DIR: reportsDir } });
const model = async (dir: string) => JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as ResultsModel;
const byName = (results: ResultsModel) => Object.fromEntries(results.cases.map((entry) => [entry.name, [entry.verdict, entry.properties.outcome]]));

describe("npm test in shards", () => {
  it("two blob shards merged by vitest --merge-reports equal the unsharded run, case for case", async () => {
    const blobs = join(work, "blob");
    const shards = await Promise.all([1, 2].map((index) => vitest(["--project", "conformance", ...files, `--shard=${index}/2`, "--reporter=blob", `--outputFile=${join(blobs, `blob-${index}.json`)}`], join(work, `unused-${index}`))));
    expect(shards.map((shard) => shard.exitCode), String(shards[0]!.stderr)).toEqual([0, 0]);
    const merged = await vitest([`--merge-reports=${blobs}`], join(work, "merged"));
    expect(merged.exitCode, String(merged.stdout).slice(-1500)).toBe(0);
    const whole = await vitest(["--project", "conformance", ...files], join(work, "whole"));
    expect(whole.exitCode).toBe(0);
    const [mergedModel, wholeModel] = [await model(join(work, "merged")), await model(join(work, "whole"))];
    expect(new Set(mergedModel.cases.map((entry) => entry.file))).toEqual(new Set(files));
    expect(byName(mergedModel)).toEqual(byName(wholeModel));
    expect(mergedModel.totals.pass).toBeGreaterThan(10);
  }, 400_000);
});
