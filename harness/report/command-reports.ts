// What every `mtls-conformance` command does with its results model: the report flags it takes,
// the files it writes (--json, --junit), and what it prints (the table; TAP with --tap, the table
// then on stderr). The reports are written whatever a run found, so a script never loses one.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { junitXml } from "./junit.js";
import type { ResultsModel } from "./results.js";
import { tapText } from "./tap.js";

/** The report flags, as node:util parseArgs options. */
export const reportFlags = {
  json: { type: "string" },
  junit: { type: "string" },
  metrics: { type: "string" },
  tap: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export interface ReportOptions {
  json?: string;
  junit?: string;
  /** OpenMetrics text (harness/report/metrics.ts). */
  metrics?: string;
  tap: boolean;
}

async function writeReport(path: string, text: string): Promise<void> {
  const file = resolve(path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** --json (the command's own report object) and --junit (from the model). */
export async function writeReportFiles(options: ReportOptions, model: ResultsModel, json: unknown): Promise<void> {
  if (options.json) await writeReport(options.json, JSON.stringify(json, null, 2) + "\n");
  if (options.junit) await writeReport(options.junit, junitXml(model));
}

/** The table on stdout, or on stderr with TAP on stdout. */
export function printReports(options: ReportOptions, model: ResultsModel, table: string): void {
  (options.tap ? process.stderr : process.stdout).write(`${table}\n`);
  if (options.tap) process.stdout.write(tapText(model));
}

/** Rows of a verdict table: the first four columns padded to their widths, the last as it is. */
export function verdictTable(header: string[], rows: string[][], markWidth: number): string[] {
  const widths = [markWidth, ...[1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length), 8))];
  const line = (cells: string[]) => cells.map((cell, index) => (index < 4 ? cell.padEnd(widths[index]!) : cell)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)];
}
