// The run's view of this machine, detected once in vitest.config.ts and handed to every test
// (vitest `provide`, `inject("host")`) and to the reporter: which implementations play and why the
// others do not, which test tools and gallery servers are there, and whether a container engine
// answers. The banner that lists them is printed at the start and the end of a run and heads
// summary.md.
import { galleryServers } from "../gallery/truth.js";
import { checkRequiredTools, detectEngine, detectGalleryServers, detectTools, galleryPackages, installedPackage, type GalleryReport, type ToolReport } from "./detection.js";
import { planImplementations, type ImplementationStatus } from "./implementations.js";
import { concurrencyOverride } from "../runtime/budget.js";
import { runtimeNameFrom, type RuntimeName } from "../runtime/types.js";
import { strictDeviationsFrom } from "../core/case-record.js";

export interface HostReport {
  runtime: RuntimeName;
  /** MTLS_IMPLEMENTATIONS as given, or undefined: every installed implementation plays. */
  selection?: string;
  implementations: ImplementationStatus[];
  tools: ToolReport;
  /** The external gallery's real servers, by Debian package (absent in results from before it was detected). */
  gallery?: GalleryReport;
  engine: { version: string } | { reason: string };
}

/**
 * Throws a one-line error for a bad MTLS_RUNTIME, MTLS_IMPLEMENTATIONS, MTLS_CHROMIUM,
 * MTLS_REQUIRE_TOOLS, MTLS_STRICT_DEVIATIONS or MTLS_CONCURRENCY, or for a required implementation, test tool or gallery server that is missing.
 */
export function detectHostReport(env: NodeJS.ProcessEnv = process.env): HostReport {
  const runtime = runtimeNameFrom(env.MTLS_RUNTIME);
  strictDeviationsFrom(env.MTLS_STRICT_DEVIATIONS);
  concurrencyOverride(env.MTLS_CONCURRENCY);
  const selection = env.MTLS_IMPLEMENTATIONS?.trim() || undefined;
  const implementations = planImplementations(runtime, selection);
  const tools = detectTools(env);
  const gallery = detectGalleryServers(Object.values(galleryServers), galleryPackages, installedPackage, env.PATH);
  checkRequiredTools(env.MTLS_REQUIRE_TOOLS, tools, gallery);
  return { runtime, selection, implementations, tools, gallery, engine: detectEngine() };
}

