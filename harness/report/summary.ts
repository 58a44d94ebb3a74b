// summary.md: the scenario x implementation matrix as Markdown, for a CI job summary.
import { bannerLines } from "../host-report.js";
import { matrixCells, matrixLayout, type ResultsModel, type Verdict } from "./results.js";

export const cellText: Record<Verdict, string> = { pass: "pass", fail: "**FAIL**", advisory: "advisory", skipped: "skip", undetermined: "**UNDETERMINED**", unstable: "**UNSTABLE**", recorded: "recorded" };

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
    "Cells: `pass` met the policy; `**FAIL**` did not; `advisory` differs from the policy where the scenario records why this stack legitimately does; `skip` could not be played (reason below).",
  ];
  for (const [area, scenarios] of areas) {
    lines.push("", `## ${area}`, "", `| scenario | ${columns.map(inline).join(" | ")} |`, `| --- | ${columns.map(() => "---").join(" | ")} |`);
    for (const scenario of scenarios) {
      lines.push(`| ${inline(scenario)} | ${columns.map((column) => { const cell = at(scenario, column); return cell ? cellText[cell.result.verdict] : ""; }).join(" | ")} |`);
    }
  }
  const explained = (verdict: Verdict, heading: string, text: (cell: (typeof cells)[number]) => string) => {
    const rows = cells.filter((cell) => cell.result.verdict === verdict);
    if (rows.length) lines.push("", `## ${heading}`, "", ...rows.map((cell) => `- ${inline(cell.scenario)}, ${inline(cell.column)}: ${inline(text(cell))}`));
  };
  explained("fail", "Failures", (cell) => cell.result.message ?? "failed");
  explained("advisory", "Advisories", (cell) => `observed ${cell.result.properties.outcome ?? "?"}, policy ${cell.result.properties.expected ?? "?"}: ${cell.result.reason ?? ""}${cell.result.properties.reference ? ` (${cell.result.properties.reference})` : ""}`);
  explained("skipped", "Skipped", (cell) => cell.result.reason ?? "skipped");
  const others = (verdict: Verdict) => model.cases.filter((entry) => entry.verdict === verdict && entry.properties.implementation === undefined);
  const otherFailing = others("fail");
  if (otherFailing.length) lines.push("", "## Other failing tests", "", ...otherFailing.map((entry) => `- ${inline(entry.name)}: ${inline(entry.message ?? "failed")}`));
  const otherSkipped = others("skipped");
  if (otherSkipped.length) lines.push("", "## Other skipped tests", "", ...otherSkipped.map((entry) => `- ${inline(entry.name)}: ${inline(entry.reason ?? "skipped")}`));
  return lines.join("\n") + "\n";
}
