// JUnit XML from the results model: one <testcase> per case, its annotations as <property>, the
// expected and observed outcome in the failure message, the reason on <skipped> and deviations.
// Each status's element is in docs/statuses.md: <failure> for fail and a known violation (type
// known-violation) and fixed under strict deviations (type fixed), <error> for what could not be
// played or judged, <skipped> for skipped, not probed and recorded.
import { statusLabel, statusTable, type Verdict } from "../core/case-record.js";
import { causeOf, type CaseResult, type ResultsModel } from "./results.js";

const escapeXml = (text: string): string =>
  text
    // XML 1.0 forbids most control characters even when escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** The JUnit element a case gets: its status's mark in statusTable, fixed a failure only under strict deviations. */
export function junitMark(verdict: Verdict, strictDeviations = false): "pass" | "failure" | "error" | "skipped" {
  const mark = statusTable[verdict]?.junit ?? "error";
  if (mark === "failure-known") return "failure";
  if (mark === "failure-if-strict") return strictDeviations ? "failure" : "pass";
  return mark;
}

/** "observed X where the policy expects Y: reason (reference)" of a recorded deviation. */
function deviationText(entry: CaseResult): string {
  const reference = entry.properties.reference ? ` (${entry.properties.reference})` : "";
  return `observed ${entry.properties.outcome ?? "?"} where the policy expects ${entry.properties.expected ?? "?"}: ${entry.reason ?? "no reason recorded"}${reference}`;
}

function testcase(entry: CaseResult, strictDeviations: boolean): string {
  const properties = { ...entry.properties, verdict: entry.verdict };
  const lines = [`    <testcase classname="${escapeXml(entry.file)}" name="${escapeXml(entry.name)}" time="${seconds(entry.durationMs)}">`];
  lines.push("      <properties>");
  for (const [name, value] of Object.entries(properties)) lines.push(`        <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`);
  lines.push("      </properties>");
  const mark = junitMark(entry.verdict, strictDeviations);
  const element = (tag: string, type: string, message: string) => lines.push(`      <${tag} message="${escapeXml(message)}" type="${escapeXml(type)}">${escapeXml(entry.message ?? message)}</${tag}>`);
  switch (entry.verdict) {
    case "known-violation":
      element("failure", "known-violation", `known violation (policy not met, recorded): ${deviationText(entry)}`);
      break;
    case "fixed":
      if (mark === "failure") element("failure", "fixed", `fixed: the recorded deviation did not happen (strict deviations): ${deviationText(entry)}`);
      else lines.push(`      <system-out>${escapeXml(`fixed: the recorded deviation did not happen: ${deviationText(entry)}`)}</system-out>`);
      break;
    case "other-reason":
    case "advisory":
      lines.push(`      <system-out>${escapeXml(`${statusLabel(entry.verdict)}: ${deviationText(entry)}`)}</system-out>`);
      break;
    default:
      if (mark === "failure") element("failure", "AssertionError", entry.message ?? "failed");
      // The cause of an error (evidence), and undetermined and unstable under their own type.
      if (mark === "error") element("error", entry.verdict, `${statusLabel(entry.verdict)}: ${causeOf(entry)}`);
      if (mark === "skipped") {
        const kind = entry.properties["skip-kind"];
        const why = entry.verdict === "skipped" ? (entry.reason ?? "skipped") : `${statusLabel(entry.verdict)}${entry.reason || entry.message ? `: ${entry.reason ?? entry.message}` : ""}`;
        lines.push(`      <skipped message="${escapeXml(kind ? `${kind}: ${why}` : why)}"/>`);
      }
  }
  lines.push("    </testcase>");
  return lines.join("\n");
}

/** A case's testsuite: its test file, or for a mesh case its target (one testsuite per target). */
const suiteOf = (entry: CaseResult): string => (entry.properties.target !== undefined ? `${entry.suitePath[0] ?? "mesh"} > ${entry.properties.target}` : entry.file);

export function junitXml(model: ResultsModel, suiteName = "mtls-conformance"): string {
  const strict = model.strictDeviations === true;
  const files = new Map<string, CaseResult[]>();
  for (const entry of model.cases) files.set(suiteOf(entry), [...(files.get(suiteOf(entry)) ?? []), entry]);
  const count = (cases: CaseResult[], mark: ReturnType<typeof junitMark>) => cases.filter((entry) => junitMark(entry.verdict, strict) === mark).length;
  const time = (cases: CaseResult[]) => seconds(cases.reduce((sum, entry) => sum + entry.durationMs, 0));
  const counts = (cases: CaseResult[]) => `tests="${cases.length}" failures="${count(cases, "failure")}" errors="${count(cases, "error")}" skipped="${count(cases, "skipped")}" time="${time(cases)}"`;
  const suites = [...files].map(
    ([file, cases]) => `  <testsuite name="${escapeXml(file)}" timestamp="${model.generatedAt}" ${counts(cases)}>\n${cases.map((entry) => testcase(entry, strict)).join("\n")}\n  </testsuite>`,
  );
  return [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="${escapeXml(suiteName)}" ${counts(model.cases)}>`, ...suites, `</testsuites>`, ""].join("\n");
}
