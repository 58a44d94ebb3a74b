// The external endpoint as a vitest suite: one test per check, run once in beforeAll. `npm test`
// runs it when MTLS_TARGET is set and lists every check as skipped otherwise. The command
// (harness/commands/cli.ts) calls the same runExternalChecks directly.
import { beforeAll, describe, expect, it } from "vitest";
import { withCaseProperties } from "../report/case-properties.js";
import { checkMessage, recordCheck } from "./report-model.js";
import { applicableChecks, runExternalChecks, type ExternalReport } from "./run-checks.js";
import { parseSettings, rawSettingsFromEnv } from "./settings.js";

const everyInput = { issuerCert: "-", trustBundle: "-", serverName: "-", expectIdentity: "-", allowIdentities: [], resumeSessions: "-", detect: true };

export function externalSuite(env: NodeJS.ProcessEnv = process.env): void {
  const raw = rawSettingsFromEnv(env);
  const settings = raw.target ? parseSettings(raw) : undefined;
  const checkIds = applicableChecks(settings ?? everyInput).map((check) => check.id);
  if (!settings || settings.expectMode) checkIds.push("mode");
  const runName = settings ? `${raw.target} (external)` : "no MTLS_TARGET (external)";
  const unset = "MTLS_TARGET is unset: set it to probe an endpoint (README, Testing your mesh)";

  describe("external", () => {
    let report: ExternalReport;
    beforeAll(async () => {
      if (settings) report = await runExternalChecks(settings);
    }, 300_000);

    for (const id of checkIds) {
      describe(id, () => {
        it(
          runName,
          withCaseProperties(async ({ skip }, record) => {
            if (!settings) return skip(unset);
            const result = report.checks.find((check) => check.id === id);
            expect(result, `not judged: ${report.problem ?? "the check did not run"}`).toBeDefined();
            record("implementation", raw.target!);
            record("runtime", "external");
            if (!recordCheck(record, result!)) return;
            expect(result!.pass, checkMessage(result!)).toBe(true);
          }),
        );
      });
    }
  });
}
