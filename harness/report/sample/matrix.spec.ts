// A small conformance-shaped run with every status a conformance case can have, for the report
// module's own tests (harness/report/report.test.ts runs it in a child vitest, once plain and once
// with MTLS_STRICT_DEVIATIONS=1; `npm test` does not include it). Each row annotates as the
// conformance suites do and passes or fails its test as they do, so the reporter's reading of
// vitest's state against the annotation is what is tested.
import { describe, expect, it } from "vitest";

type Row = {
  scenario: string;
  implementation: string;
  expected: string;
  observed: string;
  /** The verdict annotated; the test fails for fail and error, and for fixed under strict deviations. */
  verdict: "pass" | "fail" | "known-violation" | "other-reason" | "fixed" | "error";
  reason?: string;
  reference?: string;
  evidence?: string;
  skip?: string;
  skipKind?: string;
  /** Thrown after the annotations: the harness's own failure, whatever was annotated. */
  throws?: string;
};

const rows: Row[] = [
  { scenario: "sample::a::valid", implementation: "node", expected: "accepted", observed: "accepted", verdict: "pass" },
  { scenario: "sample::a::valid", implementation: "openssl", expected: "accepted", observed: "accepted", verdict: "pass" },
  { scenario: "sample::a::expired", implementation: "node", expected: "rejected:expired", observed: "rejected:expired", verdict: "pass" },
  { scenario: "sample::a::expired", implementation: "openssl", expected: "rejected:expired", observed: "accepted", verdict: "fail" },
  { scenario: "sample::b::cn-only", implementation: "node", expected: "rejected:hostname-mismatch", observed: "accepted", verdict: "known-violation", reason: "falls back to the CN", reference: "RFC 6125 6.4.4" },
  { scenario: "sample::b::cn-only", implementation: "openssl", expected: "rejected:hostname-mismatch", observed: "", verdict: "pass", skip: "cannot be configured", skipKind: "stack-cannot" },
  { scenario: "sample::c::revoked", implementation: "node", expected: "rejected:revoked", observed: "rejected:bad-certificate", verdict: "other-reason", reason: "no alert for revocation", reference: "node#1" },
  { scenario: "sample::c::revoked", implementation: "openssl", expected: "rejected:revoked", observed: "rejected:revoked", verdict: "fixed", reason: "accepted revoked leaves", reference: "openssl#2" },
  { scenario: "sample::c::unplayed", implementation: "node", expected: "accepted", observed: "", verdict: "error", evidence: "failed to start node server: did not print ready within 5000 ms" },
  { scenario: "sample::c::unplayed", implementation: "openssl", expected: "accepted", observed: "accepted", verdict: "pass", throws: "TypeError: cannot read the peer's log" },
];

const strict = process.env.MTLS_STRICT_DEVIATIONS === "1";

for (const area of ["sample-a", "sample-b", "sample-c"]) {
  describe(area, () => {
    for (const scenario of [...new Set(rows.filter((row) => row.scenario.startsWith(`sample::${area.slice(-1)}`)).map((row) => row.scenario))]) {
      describe(scenario, () => {
        for (const row of rows.filter((candidate) => candidate.scenario === scenario)) {
          it(`${row.implementation} (process)`, async ({ annotate, skip }) => {
            await annotate(row.implementation, "implementation");
            await annotate("process", "runtime");
            await annotate(row.expected, "expected");
            if (row.skip) {
              await annotate(row.skipKind!, "skip-kind");
              skip(row.skip);
            }
            if (row.observed) await annotate(row.observed, "outcome");
            await annotate(row.verdict, "verdict");
            if (row.evidence) await annotate(row.evidence, "evidence");
            if (row.reason) await annotate(row.reason, "deviation");
            if (row.reference) await annotate(row.reference, "reference");
            if (row.throws) throw new Error(row.throws);
            if (row.verdict === "error") throw new Error(`could not play the case: ${row.evidence}`);
            const failing = row.verdict === "fail" || (strict && row.verdict === "fixed");
            expect(failing, `expected ${row.expected}, observed ${row.observed}`).toBe(false);
          });
        }
      });
    }
  });
}

// A test outside the matrix that throws and annotates nothing: an error, never a stack's fail.
describe("sample-helpers", () => {
  it("reads the fixtures", () => {
    throw new Error("ENOENT: fixtures/catalogue.json");
  });
});
