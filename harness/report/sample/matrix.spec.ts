// A small conformance-shaped run with every verdict, for the report module's own tests
// (harness/report/report.test.ts runs it in a child vitest; `npm test` does not include it).
import { describe, expect, it } from "vitest";

type Row = { scenario: string; implementation: string; expected: string; observed: string; advisory?: string; skip?: string };

const rows: Row[] = [
  { scenario: "sample::a::valid", implementation: "node", expected: "accepted", observed: "accepted" },
  { scenario: "sample::a::valid", implementation: "openssl", expected: "accepted", observed: "accepted" },
  { scenario: "sample::a::expired", implementation: "node", expected: "rejected:expired", observed: "rejected:expired" },
  { scenario: "sample::a::expired", implementation: "openssl", expected: "rejected:expired", observed: "accepted" },
  { scenario: "sample::b::cn-only", implementation: "node", expected: "rejected:hostname-mismatch", observed: "accepted", advisory: "falls back to the CN" },
  { scenario: "sample::b::cn-only", implementation: "openssl", expected: "rejected:hostname-mismatch", observed: "", skip: "cannot be configured" },
];

for (const area of ["sample-a", "sample-b"]) {
  describe(area, () => {
    for (const scenario of [...new Set(rows.filter((row) => row.scenario.startsWith(`sample::${area.slice(-1)}`)).map((row) => row.scenario))]) {
      describe(scenario, () => {
        for (const row of rows.filter((candidate) => candidate.scenario === scenario)) {
          it(`${row.implementation} (process)`, async ({ annotate, skip }) => {
            await annotate(row.implementation, "implementation");
            await annotate("process", "runtime");
            await annotate(row.expected, "expected");
            if (row.skip) skip(row.skip);
            await annotate(row.observed, "outcome");
            await annotate(row.advisory ? "advisory" : row.observed === row.expected ? "pass" : "fail", "verdict");
            if (row.advisory) await annotate(row.advisory, "advisory");
            const effective = row.advisory ? row.observed : row.expected;
            expect(row.observed, `expected ${row.expected}, observed ${row.observed}`).toBe(effective);
          });
        }
      });
    }
  });
}
