// matrix.html: one self-contained page (no network): a coloured scenario x implementation grid
// with a legend, each cell's detail on hover (title) and on click (the panel below the grid).
import { statusLabel, verdicts } from "../case-record.js";
import { baselineLine } from "./baseline.js";
import { matrixCells, matrixLayout, type ResultsModel, type Verdict } from "./results.js";

const escapeHtml = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const verdictLabel: Record<Verdict, string> = Object.fromEntries(verdicts.map((verdict) => [verdict, verdict === "skipped" ? "skip" : statusLabel(verdict)])) as Record<Verdict, string>;

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
    why: [cell.result.message ?? cell.result.reason ?? "", cell.result.properties.baseline ? `baseline: ${cell.result.properties.baseline}` : ""].filter(Boolean).join("\n"),
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
        const hover = `${verdictLabel[verdict]}${mark}: expected ${properties.expected ?? "?"}, observed ${properties.outcome ?? "?"}${cell.result.reason ? ` (${cell.result.reason})` : ""}`;
        return `<td class="cell ${verdict}" data-scenario="${escapeHtml(scenario)}" data-column="${escapeHtml(column)}" data-verdict="${verdict}" data-id="${escapeHtml(`${scenario} | ${column}`)}" title="${escapeHtml(hover)}" ${properties.baseline ? ` data-baseline="${escapeHtml(properties.baseline)}"` : ""} tabindex="0">${verdictLabel[verdict]}${mark}</td>`;
      });
      body.push(`<tr><th class="scenario" scope="row">${escapeHtml(scenario)}</th>${row.join("")}</tr>`);
    }
  }
  const { pass, fail, advisory, skipped, undetermined, unstable } = model.totals;
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
tr.area th { background: #e4e7ec; text-align: left; }
th.scenario { text-align: left; font-weight: normal; font-family: ui-monospace, monospace; }
td.cell { text-align: center; cursor: pointer; min-width: 4.5rem; }
.pass { background: #b7e4c7; } .fail { background: #f4a3a3; font-weight: bold; } .advisory { background: #ffe08a; } .skipped { background: #e4e7ec; color: #555; } .undetermined, .unstable { background: #f9c27b; font-weight: bold; } .recorded { background: #f8f9fb; } .none { background: #fff; }
.legend span { display: inline-block; padding: 2px 10px; margin-right: 6px; border: 1px solid #d0d5dd; }
#detail { margin-top: 1rem; padding: .75rem; border: 1px solid #d0d5dd; min-height: 3rem; white-space: pre-wrap; font-family: ui-monospace, monospace; }
</style>
</head>
<body>
<h1>mtls-conformance</h1>
<p id="totals">${pass} passed, ${fail} failed, ${advisory} advisory, ${skipped} skipped${undetermined + unstable ? `, ${undetermined} undetermined, ${unstable} unstable` : ""} &middot; ${escapeHtml(model.generatedAt)}</p>
${model.baseline ? `<p id="baseline">${escapeHtml(baselineLine(model.baseline))}</p>` : ""}
<p class="legend"><span class="pass">pass: met the policy</span><span class="fail">fail: did not</span><span class="advisory">advisory: differs where the scenario records why</span><span class="skipped">skip: cannot be played</span></p>
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
