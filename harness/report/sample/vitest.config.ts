import { defineConfig } from "vitest/config";
import ResultsReporter from "../reporter.js";

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["matrix.spec.ts"],
    // vitest's own console too: report.test.ts reads what it prints under a failed case.
    reporters: ["default", new ResultsReporter()],
  },
});
