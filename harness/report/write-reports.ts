// Writes the four reports of a results model (junit.xml, results.json, summary.md, matrix.html) to
// the files named; the vitest reporter, `run --targets` and `merge` all write through here.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { junitXml } from "./junit.js";
import { matrixHtml } from "./matrix-html.js";
import type { ResultsModel } from "./results.js";
import { summaryMarkdown } from "./summary.js";

export interface ReportFiles {
  junit?: string;
  results?: string;
  summary?: string;
  matrix?: string;
}

/** The four reports in one directory, under their usual names. */
export const reportFilesIn = (dir: string): Required<ReportFiles> => ({ junit: join(dir, "junit.xml"), results: join(dir, "results.json"), summary: join(dir, "summary.md"), matrix: join(dir, "matrix.html") });

export async function writeReports(model: ResultsModel, files: ReportFiles, root = process.cwd()): Promise<void> {
  const outputs: Array<[string | undefined, () => string]> = [
    [files.junit, () => junitXml(model)],
    [files.results, () => JSON.stringify(model, null, 2) + "\n"],
    [files.summary, () => summaryMarkdown(model)],
    [files.matrix, () => matrixHtml(model)],
  ];
  for (const [file, render] of outputs) {
    if (!file) continue;
    const path = resolve(root, file);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, render());
  }
}
