// The banner over a host report: implementations present and missing, the test tools, the gallery
// servers, the engine.
// Apart from host-report.ts (which detects them) so that the reports, and the command that writes
// them, load no detection code and none of its dependencies (the packed command needs only Node).
import type { HostReport } from "./report.js";

/** The banner: implementations present and missing, the test tools, the gallery servers, the engine. */
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
  if (report.gallery) {
    const serversMissing = Object.entries(report.gallery).filter(([, server]) => "reason" in server).map(([name]) => name);
    const serversPresent = Object.entries(report.gallery).filter(([, server]) => "path" in server).map(([name]) => name);
    lines.push(`  gallery servers present: ${serversPresent.join(", ") || "none"}${serversMissing.length ? `; missing (their tests are skipped): ${serversMissing.join(", ")}` : ""}`);
  }
  lines.push(`  container engine: ${"version" in report.engine ? report.engine.version : report.engine.reason}`);
  return lines;
}
