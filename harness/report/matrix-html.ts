// matrix.html: one self-contained page (no network): a coloured scenario x implementation grid
// with a legend, each cell's detail on hover (title) and on click (the panel below the grid).
// Every status has its colour in statusTable: a known violation a strong violet, never the yellow
// a reader skims as fine; an error a dark slate, apart from a stack's red fail.
import { skipKinds, statusLabel, statusTable, verdicts, type SkipKind } from "../core/case-record.js";
import { baselineLine } from "./baseline.js";
import { causeOf, countsLine, declaredVersusObserved, matrixCells, matrixLayout, type CaseResult, type ResultsModel, type Verdict } from "./results.js";

const escapeHtml = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const verdictLabel: Record<Verdict, string> = Object.fromEntries(verdicts.map((verdict) => [verdict, verdict === "skipped" ? "skip" : statusLabel(verdict)])) as Record<Verdict, string>;

/** Text on a dark background is white; the rest dark. */
function textColour(background: string): string {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(background.slice(at, at + 2), 16));
  return 0.299 * r! + 0.587 * g! + 0.114 * b! < 140 ? "#ffffff" : "#1d2330";
}
const emphasised = (verdict: Verdict): boolean => statusTable[verdict].counts === "failed" || verdict === "known-violation";

/** One CSS rule per status, from statusTable: its class is the status's name. */
export const statusStyles = verdicts
  .map((verdict) => `.${verdict} { background: ${statusTable[verdict].colour}; color: ${textColour(statusTable[verdict].colour)};${emphasised(verdict) ? " font-weight: bold;" : ""} }`)
  .join("\n");

/** Why a cell is what it is, for its tooltip: the cause of an error or failure, a deviation's reason and reference, a skip's kind and reason. */
function whyOf(entry: CaseResult): string {
  const { properties } = entry;
  if (entry.verdict === "skipped") return `${properties["skip-kind"] ? `${skipKinds[properties["skip-kind"] as SkipKind] ?? properties["skip-kind"]}: ` : ""}${entry.reason ?? ""}`;
  if (statusTable[entry.verdict]?.counts === "failed") return causeOf(entry);
  const reason = entry.reason ?? entry.message ?? "";
  return `${reason}${properties.reference ? ` (${properties.reference})` : ""}${properties.intermittent === "yes" ? " [intermittent]" : ""}`;
}
/** A planned run's declared vs observed table, before the matrix: one row per planned target. */
function declaredSection(model: ResultsModel): string {
  const declared = declaredVersusObserved(model);
  if (!declared.length) return "";
  const rows = declared.map((target) => {
    const cells = [target.name, target.standing === "not-judged" ? "not judged" : target.standing, target.declaredMode ?? "-", target.observedMode ?? "none", target.disagreeing.join(", ") || "-", target.declaredBy.join(", ")];
    return `<tr class="${target.standing}" data-target="${escapeHtml(target.name)}" data-standing="${target.standing}">${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`;
  });
  const undeclared = (model.mesh?.undeclared ?? []).map((entry) => `<li>${escapeHtml(`${entry.name}: ${entry.reason}`)}</li>`);
  return `<section id="declared"><h2>Declared vs observed</h2>
<table><thead><tr><th>target</th><th>standing</th><th>declared mode</th><th>observed mode</th><th>disagreeing checks</th><th>declared by</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>${undeclared.length ? `\n<p>Undeclared (not probed):</p><ul>${undeclared.join("")}</ul>` : ""}</section>
`;
}

export function matrixHtml(model: ResultsModel): string {
  const cells = matrixCells(model);
  const { areas, columns, at } = matrixLayout(cells);
  const details = cells.map((cell) => ({
    id: `${cell.scenario} | ${cell.column}`,
    name: cell.result.name,
    verdict: cell.result.verdict,
    title: cell.result.properties.scenario ?? "",
    expected: cell.result.properties.expected ?? "",
    observed: cell.result.properties.outcome ?? "",
    tls: [cell.result.properties["tls-version"], cell.result.properties.cipher].filter(Boolean).join(" "),
    version: cell.result.properties.version ?? "",
    why: [whyOf(cell.result), cell.result.properties.baseline ? `baseline: ${cell.result.properties.baseline}` : ""].filter(Boolean).join("\n"),
  }));
  const body: string[] = [];
  for (const [area, scenarios] of areas) {
    body.push(`<tr class="area"><th colspan="${columns.length + 1}">${escapeHtml(area)}</th></tr>`);
    for (const scenario of scenarios) {
      const row = columns.map((column) => {
        const cell = at(scenario, column);
        if (!cell) return `<td class="cell none"></td>`;
        const { verdict, properties } = cell.result;
        const mark = properties.baseline ? ` (${properties.baseline === "regression" ? "new" : properties.baseline})` : "";
        const why = whyOf(cell.result);
        const hover = `${verdictLabel[verdict] ?? verdict}${mark}: expected ${properties.expected ?? "?"}, observed ${properties.outcome ?? "?"}${why ? ` (${why})` : ""}`;
        return `<td class="cell ${verdict}" data-scenario="${escapeHtml(scenario)}" data-column="${escapeHtml(column)}" data-verdict="${verdict}" data-id="${escapeHtml(`${scenario} | ${column}`)}" title="${escapeHtml(hover)}" ${properties.baseline ? ` data-baseline="${escapeHtml(properties.baseline)}"` : ""} tabindex="0">${verdictLabel[verdict] ?? verdict}${mark}</td>`;
      });
      body.push(`<tr><th class="scenario" scope="row">${escapeHtml(scenario)}</th>${row.join("")}</tr>`);
    }
  }
  // Every status in the legend (advisory only when an older results.json brought one).
  const legend = verdicts
    .filter((verdict) => verdict !== "advisory" || model.cases.some((entry) => entry.verdict === "advisory"))
    .map((verdict) => `<span class="${verdict}" data-status="${verdict}">${escapeHtml(`${verdictLabel[verdict]}: ${statusTable[verdict].meaning}`)}</span>`)
    .join("");
  // The detail data is inert JSON; "<" is escaped so no result text can close the script element.
  const data = JSON.stringify(details).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mtls-conformance matrix</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #1d2330; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d5dd; padding: 3px 8px; }
thead th { background: #f2f4f7; position: sticky; top: 0; writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
thead th:first-child { writing-mode: horizontal-tb; transform: none; vertical-align: bottom; text-align: left; }
#declared thead th { writing-mode: horizontal-tb; transform: none; position: static; text-align: left; }
#declared tr.disagrees td { background: #fde2e1; font-weight: 600; }
tr.area th { background: #e4e7ec; text-align: left; }
th.scenario { text-align: left; font-weight: normal; font-family: ui-monospace, monospace; }
td.cell { text-align: center; cursor: pointer; min-width: 4.5rem; }
${statusStyles}
.none { background: #fff; }
.legend span { display: inline-block; padding: 2px 10px; margin: 0 6px 4px 0; border: 1px solid #d0d5dd; }
#detail { margin-top: 1rem; padding: .75rem; border: 1px solid #d0d5dd; min-height: 3rem; white-space: pre-wrap; font-family: ui-monospace, monospace; }
</style>
</head>
<body>
<h1>mtls-conformance</h1>
<p id="totals">${escapeHtml(countsLine(model))} &middot; ${escapeHtml(model.generatedAt)}</p>
${model.baseline ? `<p id="baseline">${escapeHtml(baselineLine(model.baseline))}</p>` : ""}
${declaredSection(model)}<p class="legend">${legend}</p>
<table id="matrix">
<thead><tr><th>scenario</th>${columns.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join("")}</tr></thead>
<tbody>
${body.join("\n")}
</tbody>
</table>
<div id="detail">Click a cell for its detail.</div>
<script type="application/json" id="cells">${data}</script>
<script>
const cells = new Map(JSON.parse(document.getElementById("cells").textContent).map((cell) => [cell.id, cell]));
const show = (element) => {
  const cell = cells.get(element.dataset.id);
  if (!cell) return;
  document.getElementById("detail").textContent = [cell.name, "verdict: " + cell.verdict, cell.title, "expected: " + cell.expected, "observed: " + cell.observed, cell.tls && "tls: " + cell.tls, cell.version && "version: " + cell.version, cell.why].filter(Boolean).join("\\n");
};
document.getElementById("matrix").addEventListener("click", (event) => { const td = event.target.closest("td.cell"); if (td) show(td); });
document.getElementById("matrix").addEventListener("keydown", (event) => { if (event.key === "Enter") { const td = event.target.closest("td.cell"); if (td) show(td); } });
</script>
</body>
</html>
`;
}
