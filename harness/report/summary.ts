// summary.md: the scenario x implementation matrix as Markdown, for a CI job summary. What a
// reader must act on comes first: the known violations (the policy is not met, recorded), then
// what the harness could not play (errors), then the failures; the matrix and the rest follow.
import { skipKinds, statusLabel, statusTable, verdicts, type SkipKind } from "../core/case-record.js";
import { bannerLines } from "../host/banner.js";
import { baselineLine } from "./baseline.js";
import { causeOf, countsLine, declaredVersusObserved, matrixCells, matrixLayout, type CaseResult, type ResultsModel, type Verdict } from "./results.js";

// Failing statuses and known violations in bold capitals: never to be skimmed as fine.
export const cellText: Record<Verdict, string> = Object.fromEntries(
  verdicts.map((verdict) => [
    verdict,
    verdict === "skipped" ? "skip" : statusTable[verdict].counts === "failed" || verdict === "known-violation" ? `**${statusLabel(verdict).toUpperCase()}**` : statusLabel(verdict),
  ]),
) as Record<Verdict, string>;

/** A cell's text, with its standing against the baseline when it has one (known, fixed, new). */
const cellMark = (entry: CaseResult): string => `${cellText[entry.verdict] ?? entry.verdict}${entry.properties.baseline ? ` (${baselineMark[entry.properties.baseline] ?? entry.properties.baseline})` : ""}`;
const baselineMark: Record<string, string> = { known: "known", fixed: "fixed", regression: "new" };

const inline = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

/** The skip's kind in words, when the case annotated one. */
const skipKindText = (entry: CaseResult): string => {
  const kind = entry.properties["skip-kind"];
  return kind ? `${skipKinds[kind as SkipKind] ?? kind}: ` : "";
};

export function summaryMarkdown(model: ResultsModel): string {
  const cells = matrixCells(model);
  const { areas, columns, at } = matrixLayout(cells);
  const cellOf = new Map(cells.map((cell) => [cell.result, cell]));
  /** Where a case sits: "row, column" for a matrix cell, else its full name. */
  const where = (entry: CaseResult): string => {
    const cell = cellOf.get(entry);
    return cell ? `${inline(cell.scenario)}, ${inline(cell.column)}` : inline(entry.name);
  };
  const withStatus = (verdict: Verdict) => model.cases.filter((entry) => entry.verdict === verdict);
  const lines = [
    "# mtls-conformance",
    "",
    `${countsLine(model)} (${model.generatedAt})`,
    "",
    ...(model.host ? ["```", ...bannerLines(model.host), "```", ""] : []),
    ...(model.hosts ?? []).flatMap((host) => ["```", ...bannerLines(host), "```", ""]),
    ...(model.baseline ? [`${baselineLine(model.baseline)}.`, ""] : []),
    `Cells: ${verdicts
      .filter((verdict) => verdict !== "advisory" || withStatus(verdict).length)
      .map((verdict) => `\`${cellText[verdict]}\` ${statusTable[verdict].meaning}`)
      .join("; ")}. Statuses: docs/statuses.md.`,
  ];
  // A planned run's first question: is what was declared what the endpoints do?
  const declared = declaredVersusObserved(model);
  if (declared.length) {
    const disagreeing = declared.filter((target) => target.standing === "disagrees").length;
    lines.push("", "## Declared vs observed", "", `${disagreeing} of ${declared.length} planned targets disagree with their declaration${disagreeing ? " (exit 1)" : ""}.`, "");
    lines.push("| target | standing | declared mode | observed mode | disagreeing checks | declared by |", "| --- | --- | --- | --- | --- | --- |");
    for (const target of declared) {
      const standing = target.standing === "disagrees" ? "**DISAGREES**" : target.standing === "agrees" ? "agrees" : "not judged";
      lines.push(`| ${inline(target.name)} | ${standing} | ${target.declaredMode ?? "-"} | ${target.observedMode ?? "none"} | ${inline(target.disagreeing.join(", ") || "-")} | ${inline(target.declaredBy.join(", "))} |`);
    }
    const undeclared = model.mesh?.undeclared ?? [];
    if (undeclared.length) lines.push("", "Undeclared (not probed: the declarations do not say what to expect):", "", ...undeclared.map((entry) => `- ${inline(entry.name)}: ${inline(entry.reason)}`));
  }
  const known = withStatus("known-violation");
  if (known.length) {
    lines.push("", "## Known violations (policy not met, recorded)", "", "| stack | row | observed | policy | reason | reference |", "| --- | --- | --- | --- | --- | --- |");
    for (const entry of known) {
      const cell = cellOf.get(entry);
      const stack = cell ? cell.column : (entry.properties.implementation ?? entry.properties.target ?? "?");
      const row = cell ? cell.scenario : entry.name;
      lines.push(`| ${[stack, row, entry.properties.outcome ?? "?", entry.properties.expected ?? "?", entry.reason ?? "", entry.properties.reference ?? ""].map(inline).join(" | ")} |`);
    }
  }
  const listed = (verdict: Verdict, heading: string, text: (entry: CaseResult) => string) => {
    const entries = withStatus(verdict);
    if (entries.length) lines.push("", `## ${heading}`, "", ...entries.map((entry) => `- ${where(entry)}: ${inline(text(entry))}`));
  };
  listed("error", "Errors (the harness could not play the case; the run is incomplete)", causeOf);
  listed("fail", "Failures", (entry) => entry.message ?? "failed");
  listed("undetermined", "Undetermined", causeOf);
  listed("unstable", "Unstable", causeOf);
  const deviation = (entry: CaseResult) => `observed ${entry.properties.outcome ?? "?"}, policy ${entry.properties.expected ?? "?"}: ${entry.reason ?? ""}${entry.properties.reference ? ` (${entry.properties.reference})` : ""}`;
  listed("fixed", `Fixed (a recorded deviation did not happen${model.strictDeviations ? "; a failure under strict deviations" : ""})`, deviation);
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
  if (model.baseline) {
    const names = (heading: string, entries: string[]) => {
      if (entries.length) lines.push("", `## ${heading}`, "", ...entries.map((name) => `- ${inline(name)}`));
    };
    names("Regressions (failing now, passed in the baseline or new)", model.baseline.regressions);
    names("Known failures (failing in the baseline too)", model.baseline.known);
    names("Fixed against the baseline (failing there, passing now)", model.baseline.fixed);
  }
  listed("other-reason", "Other reason (policy met, a different refusal, recorded)", deviation);
  listed("advisory", "Advisories (an older results.json)", deviation);
  listed("not-probed", "Not probed", (entry) => entry.reason ?? entry.message ?? "not probed");
  listed("recorded", "Recorded", (entry) => entry.reason ?? entry.message ?? "recorded");
  listed("skipped", "Skipped", (entry) => `${skipKindText(entry)}${entry.reason ?? "skipped"}`);
  return lines.join("\n") + "\n";
}
