// The external run's exit status and closing line from its checks' verdicts: only pass counts as
// passed; not probed and recorded are counted apart and never make a run pass by themselves.
import { describe, expect, it } from "vitest";
import type { CheckVerdict } from "../core/case-record.js";
import { summaryLine } from "./report-model.js";
import { exitCodeOf } from "./run-checks.js";

const checks = (...verdicts: CheckVerdict[]) => verdicts.map((verdict, index) => ({ id: `check-${index}`, verdict, detail: `why ${index}` }));

describe("exitCodeOf", () => {
  it.each([
    [["pass", "recorded", "not-probed"], 0],
    [["pass", "fail", "undetermined"], 1],
    [["pass", "undetermined"], 2],
    [["pass", "unstable", "not-probed"], 2],
    [["pass", "error"], 2],
    [["recorded", "recorded"], 0],
  ] as Array<[CheckVerdict[], number]>)("%j: exit %i", (verdicts, exitCode) => {
    expect(exitCodeOf(checks(...verdicts)).exitCode).toBe(exitCode);
  });
  it("every check not probed: exit 2 with one line naming each and why", () => {
    const result = exitCodeOf(checks("not-probed", "not-probed"));
    expect(result).toEqual({ exitCode: 2, problem: "nothing was probed: every check was not probed (check-0: why 0; check-1: why 1)" });
  });
});

describe("summaryLine", () => {
  it("counts pass and fail, then each other status apart, never not probed or recorded as passed", () => {
    const verdicts: CheckVerdict[] = [...Array(21).fill("pass"), ...Array(6).fill("not-probed"), "recorded"];
    expect(summaryLine(verdicts)).toBe("21 passed, 0 failed, 6 not probed, 1 recorded");
    expect(summaryLine(["fail", "undetermined", "unstable", "pass"])).toBe("1 passed, 1 failed, 1 undetermined, 1 unstable");
  });
});
