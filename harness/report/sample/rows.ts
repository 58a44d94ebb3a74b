// The rows of the sample run (matrix.spec.ts), and the properties each records, in order: the
// report module's tests (report.test.ts) hold results.json and junit.xml to exactly these.
import type { CaseProperty } from "../../core/case-record.js";

export type SampleRow = {
  scenario: string;
  implementation: string;
  expected: string;
  observed: string;
  /** The verdict recorded; the test fails for fail and error, and for fixed under strict deviations. */
  verdict: "pass" | "fail" | "known-violation" | "other-reason" | "fixed" | "error";
  reason?: string;
  reference?: string;
  evidence?: string;
  skip?: string;
  skipKind?: string;
  /** Thrown after the properties: the harness's own failure, whatever was recorded. */
  throws?: string;
  /** Annotated one by one, as every case was before the task metadata carried them: the reporter still reads them. */
  annotated?: true;
};

export const sampleRows: SampleRow[] = [
  { scenario: "sample::a::valid", implementation: "node", expected: "accepted", observed: "accepted", verdict: "pass" },
  { scenario: "sample::a::valid", implementation: "openssl", expected: "accepted", observed: "accepted", verdict: "pass", annotated: true },
  { scenario: "sample::a::expired", implementation: "node", expected: "rejected:expired", observed: "rejected:expired", verdict: "pass" },
  { scenario: "sample::a::expired", implementation: "openssl", expected: "rejected:expired", observed: "accepted", verdict: "fail" },
  { scenario: "sample::b::cn-only", implementation: "node", expected: "rejected:hostname-mismatch", observed: "accepted", verdict: "known-violation", reason: "falls back to the CN", reference: "RFC 6125 6.4.4" },
  { scenario: "sample::b::cn-only", implementation: "openssl", expected: "rejected:hostname-mismatch", observed: "", verdict: "pass", skip: "cannot be configured", skipKind: "stack-cannot" },
  { scenario: "sample::c::revoked", implementation: "node", expected: "rejected:revoked", observed: "rejected:bad-certificate", verdict: "other-reason", reason: "no alert for revocation", reference: "node#1" },
  { scenario: "sample::c::revoked", implementation: "openssl", expected: "rejected:revoked", observed: "rejected:revoked", verdict: "fixed", reason: "accepted revoked leaves", reference: "openssl#2" },
  { scenario: "sample::c::unplayed", implementation: "node", expected: "accepted", observed: "", verdict: "error", evidence: "failed to start node server: did not print ready within 5000 ms" },
  { scenario: "sample::c::unplayed", implementation: "openssl", expected: "accepted", observed: "accepted", verdict: "pass", throws: "TypeError: cannot read the peer's log" },
];

/** What a row records, in order, as the conformance suites do; a skipped row stops at its skip-kind. */
export function sampleProperties(row: SampleRow): Array<[CaseProperty, string]> {
  const asked: Array<[CaseProperty, string]> = [
    ["implementation", row.implementation],
    ["runtime", "process"],
    ["expected", row.expected],
  ];
  if (row.skip) return [...asked, ["skip-kind", row.skipKind!]];
  const seen: Array<[CaseProperty, string | undefined]> = [
    ["outcome", row.observed],
    ["verdict", row.verdict],
    ["evidence", row.evidence],
    ["deviation", row.reason],
    ["reference", row.reference],
  ];
  return [...asked, ...seen.filter((entry): entry is [CaseProperty, string] => Boolean(entry[1]))];
}
