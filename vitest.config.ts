import { readdirSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { bannerLines } from "./harness/host/banner.js";
import { detectHostReport, type HostReport } from "./harness/host/report.js";
import { concurrencyBudget, unitWorkers } from "./harness/runtime/budget.js";
import { plannedPeerStart } from "./harness/host/container-entry.js";
import type { PeerStart } from "./harness/runtime/budget.js";
import { keepServersFrom } from "./harness/runner/server-pool.js";
import { filesFirst, FilesFirstSequencer } from "./harness/runtime/file-order.js";

// Detected once per run: what this machine can run (harness/host/report.ts). A wrong
// MTLS_RUNTIME, MTLS_IMPLEMENTATIONS, MTLS_CHROMIUM or MTLS_REQUIRE_TOOLS, or a requested
// implementation, test tool or gallery server that is not installed, is reported in one line
// before any test runs.
let host: HostReport;
// What a case costs depends on how its peers start: a container entered with nsenter costs what a
// local process does, a docker exec about twice that (harness/host/container-entry.ts). A bad
// MTLS_CONTAINER_ENTRY stops the run here too.
let peerStart: PeerStart;
// Whether a server is kept for the next case with the same setup (harness/runner/server-pool.ts).
let keepServers: boolean;
try {
  host = detectHostReport();
  peerStart = plannedPeerStart(host.runtime);
  keepServers = keepServersFrom(process.env.MTLS_KEEP_SERVERS);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
console.log(bannerLines(host).join("\n"));

// One concurrency budget for the conformance cases, sized from the machine and the runtime
// (harness/runtime/budget.ts; MTLS_CONCURRENCY overrides): as many workers as it allows, up to one
// per suite file, each running its share of cases at once. Eleven workers with five cases each put
// a 2-core runner at load 32 and our deadlines became verdicts (measured).
const conformanceFiles = readdirSync(new URL("./suites", import.meta.url)).filter((name) => name.endsWith(".test.ts") && name !== "external.test.ts").length;
const budget = concurrencyBudget(peerStart, Math.max(conformanceFiles, 1), process.env, undefined, filesFirst.length);
console.log(`  concurrency: ${budget.cases} cases at once (${budget.workers} workers x ${budget.casesPerWorker}; ${budget.source}); a case's deliberate wait does not count`);
const unitFileWorkers = unitWorkers();
console.log(`  unit files: ${unitFileWorkers} at once`);
console.log(`  servers: ${keepServers ? "kept for the next case with the same setup" : "one for every case (MTLS_KEEP_SERVERS=0)"}`);

// The unit tests do not depend on the runtime, except the image tests (harness/images), which need
// the container engine: under MTLS_RUNTIME=container the unit project runs those alone, and
// `npm test` (the process runtime) runs the rest once.
const unitTests = host.runtime === "container" ? ["harness/images/**/*.test.ts"] : ["fixtures/**/*.test.ts", "harness/**/*.test.ts"];

export default defineConfig({
  test: {
    // Transformed modules kept between runs under node_modules/.experimental-vitest-cache, keyed
    // by their content: a run after the first (the flake runs, the bench, a developer's reruns)
    // transforms 0.2 s instead of 1.05 s and imports 0.7 s instead of 1.55 s (measured, the process
    // catalogue). A fresh clone's first run builds it.
    experimental: { fsModuleCache: true },
    // The live rotation and the modes file start first (harness/runtime/file-order.ts).
    sequence: { sequencer: FilesFirstSequencer },
    // reports/junit.xml, results.json, summary.md and matrix.html, all from one results model; the
    // reporter repeats the banner at the end and puts it in summary.md.
    reporters: ["default", ["./harness/report/reporter.ts", { host }]],
    projects: [
      {
        test: {
          name: "unit",
          include: unitTests,
          maxWorkers: unitFileWorkers,
          // Compiles the command to dist/: gallery and package tests run it as users do.
          globalSetup: ["harness/bin/build-for-tests.ts"],
          testTimeout: 30_000,
          // beforeAll hooks issue a fixture PKI (RSA-3072 keys): over 10 s on a loaded 2-core machine.
          hookTimeout: 60_000,
          provide: { host },
        },
      },
      {
        test: {
          name: "conformance",
          include: ["suites/**/*.test.ts"],
          exclude: ["suites/external.test.ts"],
          globalSetup: ["harness/host/global-setup.ts"],
          maxWorkers: budget.workers,
          // Cases in flight; budget.casesPerWorker of them work at once (runtime/case-slots.ts).
          maxConcurrency: budget.inFlightPerWorker,
          // A worker runs file after file instead of a new worker per file: the harness is imported
          // once a worker, and no worker start sits between two files (docs/performance.md). The
          // files share no state but the caches and the run's peer services, each file stopping
          // what it started itself (runtime/shared-peers.ts).
          isolate: false,
          // vitest runs projects with another worker count as a group of their own: after the unit
          // and external projects (group 0), with the machine to itself.
          sequence: { groupOrder: 1 },
          testTimeout: 30_000,
          hookTimeout: 60_000,
          provide: { host, caseSlots: budget.casesPerWorker, keepServers },
        },
      },
      {
        test: {
          // Runs against MTLS_TARGET; every check is reported as skipped when it is unset.
          name: "external",
          include: ["suites/external.test.ts"],
          // The unit project's group: vitest runs projects of one group with one worker count.
          maxWorkers: unitFileWorkers,
          testTimeout: 30_000,
          provide: { host },
        },
      },
    ],
  },
});
