// The vitest reporter behind every report: after each run it builds the results model and writes
// junit.xml, results.json, summary.md and matrix.html from it. Used by `npm test` (reports/) and
// by the `mtls-conformance` command (--junit), so there is one JUnit writer.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { junitXml } from "./junit.js";
import { matrixHtml } from "./matrix-html.js";
import { caseResult, resultsModel, type ReportedTestCase } from "./results.js";
import { summaryMarkdown } from "./summary.js";

export interface ReportFiles {
  junit?: string;
  results?: string;
  summary?: string;
  matrix?: string;
}

interface ReportedModule {
  children: { allTests(): Iterable<ReportedTestCase> };
}

/** reports/ unless MTLS_REPORTS_DIR says otherwise (the report module's own tests write elsewhere). */
function defaultFiles(): ReportFiles {
  const dir = process.env.MTLS_REPORTS_DIR ?? "reports";
  return { junit: `${dir}/junit.xml`, results: `${dir}/results.json`, summary: `${dir}/summary.md`, matrix: `${dir}/matrix.html` };
}

export default class ResultsReporter {
  private root = process.cwd();

  private readonly files: ReportFiles;

  // vitest hands a reporter named in the config an empty options object: that means the defaults.
  constructor(files?: ReportFiles) {
    this.files = files && Object.keys(files).length ? files : defaultFiles();
  }

  onInit(vitest: { config: { root: string } }): void {
    this.root = vitest.config.root;
  }

  async onTestRunEnd(testModules: ReadonlyArray<ReportedModule>): Promise<void> {
    const cases = testModules.flatMap((module) => [...module.children.allTests()].map((testCase) => caseResult(testCase, this.root)));
    const model = resultsModel(cases);
    const outputs: Array<[string | undefined, () => string]> = [
      [this.files.junit, () => junitXml(model)],
      [this.files.results, () => JSON.stringify(model, null, 2) + "\n"],
      [this.files.summary, () => summaryMarkdown(model)],
      [this.files.matrix, () => matrixHtml(model)],
    ];
    for (const [file, render] of outputs) {
      if (!file) continue;
      const path = resolve(this.root, file);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, render());
    }
  }
}
