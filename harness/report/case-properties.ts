// How a case's properties (implementation, version, outcome, verdict, evidence, ...) reach the
// reporter: in vitest's task metadata (context.task.meta), which vitest sends to its main process
// with the test's own result update, passed, failed or skipped alike, and which the reporter reads
// as testCase.meta(). Each context.annotate is an awaited round trip from the worker, and flushes
// the pending task updates first: ten a case cost about 0.2 ms of CPU each, and one annotation
// holding them all would still cost one a case where the metadata costs none (docs/performance.md,
// "Case properties in the task metadata").
import type { TestContext } from "vitest";
import type { CaseProperty } from "../core/case-record.js";
import type { CaseProperties, CasePropertiesMeta } from "./results.js";

declare module "@vitest/runner" {
  interface TaskMeta extends CasePropertiesMeta {}
}

/** Sets one property of the running case; later values replace earlier ones, the first setting keeps its place. */
export type RecordProperty = (type: CaseProperty, value: string) => void;

/** The properties recorded so far, annotated without the stack trace vitest would take for each (it finds no test-file line in them). */
async function annotateProperties(context: TestContext, properties: CaseProperties): Promise<void> {
  for (const [type, value] of Object.entries(properties)) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let annotation: Promise<unknown>;
    try {
      annotation = context.annotate(value, type);
    } finally {
      Error.stackTraceLimit = limit;
    }
    await annotation;
  }
}

/**
 * A case's test function: the body records the case's properties in the task's metadata. When it
 * throws (a failure, not a skip), the properties are also annotated before the error goes on:
 * vitest's console prints a failed test's annotations under its error, and never its metadata,
 * so the verdict and evidence of a failure stay where a reader of the console finds them.
 */
export function withCaseProperties(body: (context: TestContext, record: RecordProperty) => Promise<void>): (context: TestContext) => Promise<void> {
  return async (context) => {
    const properties: CaseProperties = (context.task.meta.caseProperties ??= {});
    try {
      await body(context, (type, value) => {
        properties[type] = value;
      });
    } catch (error) {
      // context.skip() throws too, and marks the result pending (a field vitest does not type).
      const skipped = (context.task.result as { pending?: boolean } | undefined)?.pending === true;
      if (!skipped) await annotateProperties(context, properties);
      throw error;
    }
  };
}
