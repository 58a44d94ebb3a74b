// A targets file as a vitest suite (`npm test` with MTLS_TARGETS): describe(mesh) > describe(target
// name) > it(check), so the cases are named as the command names them (`mesh > <name> > <check>`)
// and a baseline, a shard and a merge treat both alike. MTLS_SHARD=I/N and MTLS_CONCURRENCY as the
// flags; MTLS_BASELINE lets a failure the baseline has too pass its test (the reports mark it known).
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { checkMessage, meshCaseName, recordCheck } from "../external/report-model.js";
import { applicableChecks } from "../external/run-checks.js";
import { isKnownFailure } from "../report/baseline.js";
import { withCaseProperties } from "../report/case-properties.js";
import { defaultConcurrency, runMesh, validateTargetInputs, type TargetOutcome } from "./run-mesh.js";
import { parseShard, shardOf } from "./shard.js";
import { parseTargetsFile } from "./targets-file.js";

export function meshSuite(env: NodeJS.ProcessEnv = process.env): void {
  const path = env.MTLS_TARGETS!;
  const file = parseTargetsFile(readFileSync(path, "utf8"), path);
  const targets = env.MTLS_SHARD ? shardOf(file.targets, parseShard(env.MTLS_SHARD)) : file.targets;
  const concurrency = env.MTLS_CONCURRENCY ? Number(env.MTLS_CONCURRENCY) : defaultConcurrency;

  describe("mesh", () => {
    const outcomes = new Map<string, TargetOutcome>();
    beforeAll(async () => {
      const problem = await validateTargetInputs(targets);
      if (problem) throw new Error(problem);
      for (const outcome of await runMesh(targets, { concurrency })) outcomes.set(outcome.name, outcome);
    }, 3_600_000);

    for (const { name, settings } of targets) {
      const checkIds = applicableChecks(settings).map((check) => check.id);
      if (settings.expectMode) checkIds.push("mode");
      describe(name, () => {
        for (const id of checkIds) {
          it(
            id,
            withCaseProperties(async (_context, record) => {
              const outcome = outcomes.get(name)!;
              record("implementation", outcome.target);
              record("runtime", "external");
              record("target", name);
              record("check", id);
              const result = outcome.report?.checks.find((check) => check.id === id);
              if (!result && isKnownFailure(meshCaseName(name, id))) return;
              expect(result, `not judged: ${outcome.problem ?? outcome.report?.problem ?? "the check did not run"}`).toBeDefined();
              if (!recordCheck(record, result!)) return;
              if (!result!.pass && isKnownFailure(meshCaseName(name, id))) return;
              expect(result!.pass, checkMessage(result!)).toBe(true);
            }),
          );
        }
      });
    }
  });
}
