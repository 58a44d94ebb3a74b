import { defineConfig } from "vitest/config";
import ResultsReporter from "../reporter.js";

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["matrix.spec.ts"],
    reporters: [new ResultsReporter()],
  },
});
