// The run's view of this machine, detected once in vitest.config.ts and handed to every test
// (vitest `provide`, `inject("host")`) and to the reporter: which implementations play and why the
// others do not, which test tools are there, and whether a container engine answers. The banner
// that lists them is printed at the start and the end of a run and heads summary.md.
import { detectEngine, detectTools, type ToolReport } from "./host.js";
import { planImplementations, type ImplementationStatus } from "./implementations.js";
import { concurrencyOverride } from "./runtime/budget.js";
import { runtimeNameFrom, type RuntimeName } from "./runtime/types.js";
import { strictDeviationsFrom } from "./scenario.js";

export interface HostReport {
  runtime: RuntimeName;
  /** MTLS_IMPLEMENTATIONS as given, or undefined: every installed implementation plays. */
  selection?: string;
  implementations: ImplementationStatus[];
  tools: ToolReport;
  engine: { version: string } | { reason: string };
}

/** Throws a one-line error for a bad MTLS_RUNTIME, MTLS_IMPLEMENTATIONS, MTLS_CHROMIUM, MTLS_STRICT_DEVIATIONS or MTLS_CONCURRENCY. */
export function detectHostReport(env: NodeJS.ProcessEnv = process.env): HostReport {
  const runtime = runtimeNameFrom(env.MTLS_RUNTIME);
  strictDeviationsFrom(env.MTLS_STRICT_DEVIATIONS);
  concurrencyOverride(env.MTLS_CONCURRENCY);
  const selection = env.MTLS_IMPLEMENTATIONS?.trim() || undefined;
  return { runtime, selection, implementations: planImplementations(runtime, selection), tools: detectTools(env), engine: detectEngine() };
}

export { bannerLines } from "./host-banner.js";
