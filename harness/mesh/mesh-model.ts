// A mesh run as the results model every report is written from: one case per check per target
// (`mesh > <target name> > <check>`), a target that got no report as one undetermined `control`
// case saying why, and each target's run in one line (`mesh.targets`).
import type { CertificateExpiry } from "../external/expiry.js";
import type { CheckResult } from "../external/run-checks.js";
import { checkCase } from "../external/report-model.js";
import { resultsModel, type MeshSummary, type MeshTargetSummary, type ResultsModel } from "../report/results.js";
import type { Shard } from "./shard.js";
import type { TargetOutcome } from "./run-mesh.js";

function notRunCheck(problem: string): CheckResult {
  return { id: "control", title: "the target's run finished with a report", expected: "a report", observed: "no report", pass: false, verdict: "undetermined", detail: problem };
}

/** The nearest expiry without its days left, which a saved results.json would keep after they changed. */
const nearestOf = ({ role, subject, serial, notAfter }: CertificateExpiry) => ({ role, subject, serial, notAfter });

export function targetSummary(outcome: TargetOutcome, expectMode: string | null, declaredBy?: string[]): MeshTargetSummary {
  const { report } = outcome;
  const declared = declaredBy?.length ? { declaredBy } : {};
  if (!report) return { name: outcome.name, target: outcome.target, status: "not-run", expectMode, observedMode: null, exitCode: 2, problem: outcome.problem, durationMs: outcome.durationMs, ...declared };
  return {
    ...declared,
    name: outcome.name,
    target: outcome.target,
    status: report.status,
    expectMode: report.expectMode,
    observedMode: report.observedMode,
    exitCode: report.exitCode,
    ...(report.problem ? { problem: report.problem } : {}),
    durationMs: outcome.durationMs,
    ...(report.expiry?.nearest ? { nearestExpiry: nearestOf(report.expiry.nearest) } : {}),
  };
}

export function meshResultsModel(
  outcomes: ReadonlyArray<TargetOutcome & { expectMode: string | null; declaredBy?: string[] }>,
  shard?: Shard,
  generatedAt = new Date(),
  undeclared: NonNullable<MeshSummary["undeclared"]> = [],
): ResultsModel {
  const cases = outcomes.flatMap((outcome) => {
    const checks = outcome.report?.checks ?? [notRunCheck(outcome.problem ?? "no report")];
    return checks.map((check) => ({ ...checkCase(check, outcome.target, outcome.name), durationMs: outcome.durationMs / checks.length }));
  });
  return {
    ...resultsModel(cases, generatedAt),
    mesh: {
      shards: shard ? [`${shard.index}/${shard.count}`] : [],
      targets: outcomes.map((outcome) => targetSummary(outcome, outcome.expectMode, outcome.declaredBy)),
      ...(undeclared.length ? { undeclared } : {}),
    },
  };
}
