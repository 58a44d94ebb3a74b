// Progress of a mesh run on stderr: a bar redrawn in place on a terminal, one line per finished
// target otherwise (a CI log keeps every line, and a bar's carriage returns would garble it).
import { isFailing } from "../core/case-record.js";
import type { TargetOutcome } from "./run-mesh.js";

export interface Progress {
  finished(outcome: TargetOutcome, finished: number, total: number): void;
  /** Clears the bar (a terminal) before the results are printed. */
  end(): void;
}

const barWidth = 30;

/** One line: the target, what was observed, how many checks did not pass, how long it took. */
export function outcomeLine(outcome: TargetOutcome): string {
  const seconds = `${(outcome.durationMs / 1000).toFixed(1)} s`;
  if (!outcome.report) return `${outcome.name} (${outcome.target}): not judged: ${outcome.problem} (${seconds})`;
  const { report } = outcome;
  // Not probed and recorded checks did not pass, but did not fail either: counted apart from failing.
  const failing = report.checks.filter((check) => isFailing(check.verdict)).length;
  const mode = report.observedMode ? `observed ${report.observedMode}` : `not judged (${report.status})`;
  return `${outcome.name} (${outcome.target}): ${mode}${report.expectMode ? `, expected ${report.expectMode}` : ""}, ${failing} checks failing (${seconds})`;
}

export function progressOn(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }): Progress {
  let failing = 0;
  if (!stream.isTTY) {
    return {
      finished(outcome, finished, total) {
        stream.write(`mtls-conformance: [${finished}/${total}] ${outcomeLine(outcome)}\n`);
      },
      end() {},
    };
  }
  return {
    finished(outcome, finished, total) {
      if (!outcome.report || outcome.report.exitCode !== 0) failing++;
      const filled = Math.round((finished / total) * barWidth);
      const line = `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${finished}/${total} targets, ${failing} not passing, last: ${outcome.name}`;
      stream.write(`\r\u001b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
    },
    end() {
      stream.write("\r\u001b[2K");
    },
  };
}
