// The vitest reporter behind every report: after each run it builds the results model and writes
// junit.xml, results.json, summary.md and matrix.html from it. Used by `npm test` (reports/) and
// by the `mtls-conformance` command (--junit), so there is one JUnit writer.
import { strictDeviationsFrom } from "../core/case-record.js";
import { bannerLines } from "../host/banner.js";
import type { HostReport } from "../host/report.js";
import { baselineFromEnv, baselineLine, compareWithBaseline } from "./baseline.js";
import { caseResult, resultsModel, type ReportedTestCase } from "./results.js";
import { reportFilesIn, writeReports, type ReportFiles } from "./write-reports.js";

export type { ReportFiles };

export interface ReporterOptions extends ReportFiles {
  /** What the run detected on this machine (vitest.config.ts): repeated at the end and kept in the reports. */
  host?: HostReport;
}

interface ReportedModule {
  children: { allTests(): Iterable<ReportedTestCase> };
}

/** reports/ unless MTLS_REPORTS_DIR says otherwise (the report module's own tests write elsewhere). */
function defaultFiles(): ReportFiles {
  return reportFilesIn(process.env.MTLS_REPORTS_DIR ?? "reports");
}

export default class ResultsReporter {
  private root = process.cwd();

  private readonly files: ReportFiles;

  private readonly host: HostReport | undefined;

  // Without a file named in the options (vitest hands a reporter named in the config its options
  // object, or an empty one) the reports go to their default paths.
  constructor(options: ReporterOptions = {}) {
    const { host, ...files } = options;
    this.host = host;
    this.files = Object.values(files).some(Boolean) ? files : defaultFiles();
  }

  onInit(vitest: { config: { root: string } }): void {
    this.root = vitest.config.root;
  }

  async onTestRunEnd(testModules: ReadonlyArray<ReportedModule>): Promise<void> {
    // The workers read the same variable: under it a fixed case failed its test on purpose.
    const strict = strictDeviationsFrom(process.env.MTLS_STRICT_DEVIATIONS);
    const cases = testModules.flatMap((module) => [...module.children.allTests()].map((testCase) => caseResult(testCase, this.root, strict)));
    const run = resultsModel(cases, new Date(), this.host, strict);
    // MTLS_BASELINE: known, fixed and regressions in every report (the suites let known failures pass).
    const baseline = baselineFromEnv();
    const model = baseline ? compareWithBaseline(run, baseline.model, baseline.path) : run;
    await writeReports(model, this.files, this.root);
    if (this.host) console.log(`\n${bannerLines(this.host).join("\n")}`);
    if (model.baseline) console.log(baselineLine(model.baseline));
  }
}
