// A small conformance-shaped run with every status a conformance case can have, for the report
// module's own tests (harness/report/report.test.ts runs it in a child vitest, once plain and once
// with MTLS_STRICT_DEVIATIONS=1; `npm test` does not include it). Each row records its properties
// as the conformance suites do (one row annotates them, as suites did before) and passes or fails
// its test as they do, so the reporter's reading of vitest's state against the verdict is what is tested.
import { describe, expect, it } from "vitest";
import { withCaseProperties } from "../case-properties.js";
import { sampleProperties, sampleRows } from "./rows.js";

const strict = process.env.MTLS_STRICT_DEVIATIONS === "1";

for (const area of ["sample-a", "sample-b", "sample-c"]) {
  describe(area, () => {
    for (const scenario of [...new Set(sampleRows.filter((row) => row.scenario.startsWith(`sample::${area.slice(-1)}`)).map((row) => row.scenario))]) {
      describe(scenario, () => {
        for (const row of sampleRows.filter((candidate) => candidate.scenario === scenario)) {
          it(
            `${row.implementation} (process)`,
            withCaseProperties(async ({ annotate, skip }, record) => {
              for (const [type, value] of sampleProperties(row)) {
                if (row.annotated) await annotate(value, type);
                else record(type, value);
              }
              if (row.skip) skip(row.skip);
              if (row.throws) throw new Error(row.throws);
              if (row.verdict === "error") throw new Error(`could not play the case: ${row.evidence}`);
              const failing = row.verdict === "fail" || (strict && row.verdict === "fixed");
              expect(failing, `expected ${row.expected}, observed ${row.observed}`).toBe(false);
            }),
          );
        }
      });
    }
  });
}

// A test outside the matrix that throws and records nothing: an error, never a stack's fail.
describe("sample-helpers", () => {
  it("reads the fixtures", () => {
    throw new Error("ENOENT: fixtures/catalogue.json");
  });
});
