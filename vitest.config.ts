import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", ["junit", { outputFile: "reports/junit.xml", suiteName: "mtls-conformance" }]],
    projects: [
      {
        test: {
          name: "unit",
          include: ["fixtures/**/*.test.ts", "harness/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "conformance",
          include: ["suites/**/*.test.ts"],
          globalSetup: ["harness/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
