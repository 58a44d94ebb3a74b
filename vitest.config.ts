import { defineConfig } from "vitest/config";
import { runtimeNameFrom } from "./harness/runtime/types.js";

// MTLS_RUNTIME=process|container: a wrong value is bad usage, reported in one line before any test runs.
try {
  runtimeNameFrom(process.env.MTLS_RUNTIME);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

export default defineConfig({
  test: {
    // reports/junit.xml, results.json, summary.md and matrix.html, all from one results model.
    reporters: ["default", "./harness/report/reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["fixtures/**/*.test.ts", "harness/**/*.test.ts"],
          // Compiles the command to dist/: gallery and package tests run it as users do.
          globalSetup: ["harness/bin/build-for-tests.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "conformance",
          include: ["suites/**/*.test.ts"],
          exclude: ["suites/external.test.ts"],
          globalSetup: ["harness/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Runs against MTLS_TARGET; every check is reported as skipped when it is unset.
          name: "external",
          include: ["suites/external.test.ts"],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
