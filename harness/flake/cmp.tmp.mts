import { readFileSync } from "node:fs";
import { compareRuns } from "./compare.js";
const [a, b] = process.argv.slice(2).map((path) => JSON.parse(readFileSync(path, "utf8")));
const runtime = (process.env.RT ?? "process") as "process";
const report = compareRuns([{ runtime, run: 1, exitCode: 0, durationMs: 0, model: a }, { runtime, run: 2, exitCode: 0, durationMs: 0, model: b }]);
console.log(JSON.stringify(report.summary), a.cases.length, b.cases.length);
for (const c of report.changed) console.log(c.name, JSON.stringify(c.variants.map((v) => [v.verdict, v.outcome, v.runs])));
// same property keys per case
const keys = (m: any) => new Map(m.cases.map((c: any) => [c.name, Object.keys(c.properties).sort().join(",")]));
const ka = keys(a), kb = keys(b);
let diff = 0;
for (const [name, k] of ka) if (kb.get(name) !== k) { diff++; if (diff < 5) console.log("keys differ:", name, k, "|", kb.get(name)); }
console.log("cases with other property keys:", diff);
