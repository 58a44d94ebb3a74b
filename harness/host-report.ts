// The run's view of this machine, detected once in vitest.config.ts and handed to every test
// (vitest `provide`, `inject("host")`) and to the reporter: which implementations play and why the
// others do not, which test tools are there, and whether a container engine answers. The banner
// that lists them is printed at the start and the end of a run and heads summary.md.
import { detectEngine, detectTools, type ToolReport } from "./host.js";
import { planImplementations, type ImplementationStatus } from "./implementations.js";
import { runtimeNameFrom, type RuntimeName } from "./runtime/types.js";

export interface HostReport {
  runtime: RuntimeName;
  /** MTLS_IMPLEMENTATIONS as given, or undefined: every installed implementation plays. */
  selection?: string;
  implementations: ImplementationStatus[];
  tools: ToolReport;
  engine: { version: string } | { reason: string };
}

/** Throws a one-line error for a bad MTLS_RUNTIME, MTLS_IMPLEMENTATIONS or MTLS_CHROMIUM. */
export function detectHostReport(env: NodeJS.ProcessEnv = process.env): HostReport {
  const runtime = runtimeNameFrom(env.MTLS_RUNTIME);
  const selection = env.MTLS_IMPLEMENTATIONS?.trim() || undefined;
  return { runtime, selection, implementations: planImplementations(runtime, selection), tools: detectTools(env), engine: detectEngine() };
}

/** The banner: implementations present and missing, the test tools, the engine. */
export function bannerLines(report: HostReport): string[] {
  const playing = report.implementations.filter((status) => !status.unavailable).map((status) => status.name);
  const missing = report.implementations.filter((status) => status.missing && status.unavailable?.startsWith("not installed"));
  const notSelected = report.implementations.filter((status) => status.unavailable?.startsWith("not selected")).map((status) => status.name);
  const packages = [...new Set(missing.flatMap((status) => status.packages))];
  const toolsMissing = Object.entries(report.tools).filter(([, tool]) => "reason" in tool).map(([name]) => name);
  const toolsPresent = Object.entries(report.tools).filter(([, tool]) => "path" in tool).map(([name]) => name);
  const lines = [
    `mtls-conformance: ${report.runtime} runtime, ${report.selection ? `MTLS_IMPLEMENTATIONS=${report.selection}` : "every installed implementation (MTLS_IMPLEMENTATIONS unset)"}`,
    `  implementations present: ${playing.join(", ") || "none"}`,
  ];
  if (missing.length) lines.push(`  implementations missing (their cells are skipped): ${missing.map((status) => status.name).join(", ")}; install: apt-get install ${packages.join(" ")}, or npm run setup`);
  if (notSelected.length) lines.push(`  implementations not selected: ${notSelected.join(", ")}`);
  lines.push(`  test tools present: ${toolsPresent.join(", ") || "none"}${toolsMissing.length ? `; missing (their tests are skipped): ${toolsMissing.join(", ")}` : ""}`);
  lines.push(`  container engine: ${"version" in report.engine ? report.engine.version : report.engine.reason}`);
  return lines;
}
