// The host report as tests see it: provided once per run by vitest.config.ts, and helpers that
// skip a test file's cases, with the reason and the fix, when a tool they call is missing.
import { beforeEach, inject } from "vitest";
import { detectTools, missingParts, notInstalledReason, type TestTool, type ToolReport } from "./detection.js";
import { implementationRequirements } from "./implementations.js";
import type { HostReport } from "./report.js";

declare module "vitest" {
  export interface ProvidedContext {
    host: HostReport;
    /** Cases a conformance worker plays at once (runtime/budget.ts casesPerWorker). */
    caseSlots: number;
    /** Whether a conformance worker keeps a server for the next case with its setup (MTLS_KEEP_SERVERS). */
    keepServers: boolean;
  }
}

/** The run's host report, or undefined under a config that does not provide one. */
export function providedHostReport(): HostReport | undefined {
  return inject("host") as HostReport | undefined;
}

let tools: ToolReport | undefined;
function toolReport(): ToolReport {
  tools ??= providedHostReport()?.tools ?? detectTools();
  return tools;
}

/** Where `tool` is, or undefined. */
export function toolPath(tool: TestTool): string | undefined {
  const found = toolReport()[tool];
  return "path" in found ? found.path : undefined;
}

/** Why a test that calls `needed` cannot run here (each missing tool's reason), or undefined. */
export function missingTools(...needed: TestTool[]): string | undefined {
  const reasons = needed.flatMap((tool) => {
    const found = toolReport()[tool];
    return "reason" in found ? [found.reason] : [];
  });
  return reasons.length ? reasons.join("; ") : undefined;
}

/**
 * Skips every case of the enclosing file or describe, with the reason, when one of `needed` is
 * missing; returns that reason so beforeAll hooks can skip their setup too.
 */
export function skipEachWithout(...needed: TestTool[]): string | undefined {
  const reason = missingTools(...needed);
  beforeEach((context) => {
    if (reason) context.skip(reason);
  });
  return reason;
}

/**
 * Why a test that starts one of `names` as a peer itself (not as a conformance cell) cannot run
 * here, or undefined. Whether it is installed counts, not whether MTLS_IMPLEMENTATIONS selects it.
 */
export function missingImplementations(...names: string[]): string | undefined {
  const reasons = implementationRequirements()
    .filter((entry) => names.includes(entry.name))
    .flatMap((entry) => {
      const missing = missingParts(entry);
      return missing.length ? [notInstalledReason(entry, missing)] : [];
    });
  return reasons.length ? reasons.join("; ") : undefined;
}
