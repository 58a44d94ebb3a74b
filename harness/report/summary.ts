// summary.md: the scenario x implementation matrix as Markdown, for a CI job summary.
import { statusLabel, statusTable, verdicts } from "../case-record.js";
import { bannerLines } from "../host-banner.js";
import { baselineLine } from "./baseline.js";
import { matrixCells, matrixLayout, type CaseResult, type ResultsModel, type Verdict } from "./results.js";

export const cellText: Record<Verdict, string> = Object.fromEntries(
  verdicts.map((verdict) => [verdict, verdict === "skipped" ? "skip" : statusTable[verdict].counts === "failed" ? `**${statusLabel(verdict).toUpperCase()}**` : statusLabel(verdict)]),
) as Record<Verdict, string>;

/** A cell's text, with its standing against the baseline when it has one (known, fixed, new). */
const cellMark = (entry: CaseResult): string => `${cellText[entry.verdict]}${entry.properties.baseline ? ` (${baselineMark[entry.properties.baseline] ?? entry.properties.baseline})` : ""}`;
const baselineMark: Record<string, string> = { known: "known", fixed: "fixed", regression: "new" };

const inline = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

export function summaryMarkdown(model: ResultsModel): string {
  const cells = matrixCells(model);
  const { areas, columns, at } = matrixLayout(cells);
  const { pass, fail, advisory, skipped } = model.totals;
  const lines = [
    "# mtls-conformance",
    "",
    `${pass} passed, ${fail} failed, ${advisory} advisory, ${skipped} skipped (${model.generatedAt})`,
    "",
    ...(model.host ? ["```", ...bannerLines(model.host), "```", ""] : []),
    ...(model.hosts ?? []).flatMap((host) => ["```", ...bannerLines(host), "```", ""]),
    ...(model.baseline ? [`${baselineLine(model.baseline)}.`, ""] : []),
    "Cells: `pass` met the policy; `**FAIL**` did not; `advisory` differs from the policy where the scenario records why this stack legitimately does; `skip` could not be played (reason below).",
  ];
  if (model.mesh) {
    lines.push("", "## Targets", "", "| target | address | expected mode | observed mode | status | exit |", "| --- | --- | --- | --- | --- | --- |");
    for (const target of model.mesh.targets) {
      lines.push(`| ${inline(target.name)} | ${inline(target.target)} | ${target.expectMode ?? "-"} | ${target.observedMode ?? "none"} | ${inline(target.problem ? `${target.status}: ${target.problem}` : target.status)} | ${target.exitCode} |`);
    }
  }
  for (const [area, scenarios] of areas) {
    lines.push("", `## ${area}`, "", `| scenario | ${columns.map(inline).join(" | ")} |`, `| --- | ${columns.map(() => "---").join(" | ")} |`);
    for (const scenario of scenarios) {
      lines.push(`| ${inline(scenario)} | ${columns.map((column) => { const cell = at(scenario, column); return cell ? cellMark(cell.result) : ""; }).join(" | ")} |`);
    }
  }
  const explained = (verdict: Verdict, heading: string, text: (cell: (typeof cells)[number]) => string) => {
    const rows = cells.filter((cell) => cell.result.verdict === verdict);
    if (rows.length) lines.push("", `## ${heading}`, "", ...rows.map((cell) => `- ${inline(cell.scenario)}, ${inline(cell.column)}: ${inline(text(cell))}`));
  };
  if (model.baseline) {
    const listed = (heading: string, names: string[]) => {
      if (names.length) lines.push("", `## ${heading}`, "", ...names.map((name) => `- ${inline(name)}`));
    };
    listed("Regressions (failing now, passed in the baseline or new)", model.baseline.regressions);
    listed("Known failures (failing in the baseline too)", model.baseline.known);
    listed("Fixed (failing in the baseline, passing now)", model.baseline.fixed);
  }
  explained("fail", "Failures", (cell) => cell.result.message ?? "failed");
  explained("undetermined", "Undetermined", (cell) => cell.result.message ?? "undetermined");
  explained("unstable", "Unstable", (cell) => cell.result.message ?? "unstable");
  explained("advisory", "Advisories", (cell) => `observed ${cell.result.properties.outcome ?? "?"}, policy ${cell.result.properties.expected ?? "?"}: ${cell.result.reason ?? ""}${cell.result.properties.reference ? ` (${cell.result.properties.reference})` : ""}`);
  explained("skipped", "Skipped", (cell) => cell.result.reason ?? "skipped");
  const others = (verdict: Verdict) => model.cases.filter((entry) => entry.verdict === verdict && entry.properties.implementation === undefined);
  const otherFailing = others("fail");
  if (otherFailing.length) lines.push("", "## Other failing tests", "", ...otherFailing.map((entry) => `- ${inline(entry.name)}: ${inline(entry.message ?? "failed")}`));
  const otherSkipped = others("skipped");
  if (otherSkipped.length) lines.push("", "## Other skipped tests", "", ...otherSkipped.map((entry) => `- ${inline(entry.name)}: ${inline(entry.reason ?? "skipped")}`));
  return lines.join("\n") + "\n";
}
