// JUnit XML from the results model: one <testcase> per case, its annotations as <property>, the
// expected and observed outcome in the failure message, the reason on <skipped> and advisories.
import { isFailing } from "../case-record.js";
import type { CaseResult, ResultsModel } from "./results.js";

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

function testcase(entry: CaseResult): string {
  const properties = { ...entry.properties, verdict: entry.verdict };
  const lines = [`    <testcase classname="${escapeXml(entry.file)}" name="${escapeXml(entry.name)}" time="${seconds(entry.durationMs)}">`];
  lines.push("      <properties>");
  for (const [name, value] of Object.entries(properties)) lines.push(`        <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`);
  lines.push("      </properties>");
  if (isFailing(entry.verdict)) lines.push(`      <failure message="${escapeXml(entry.message ?? "failed")}" type="AssertionError">${escapeXml(entry.message ?? "")}</failure>`);
  if (entry.verdict === "skipped") lines.push(`      <skipped message="${escapeXml(entry.reason ?? "skipped")}"/>`);
  if (entry.verdict === "advisory") lines.push(`      <system-out>${escapeXml(`advisory: observed ${entry.properties.outcome ?? "?"} where the policy expects ${entry.properties.expected ?? "?"}: ${entry.reason ?? ""}`)}</system-out>`);
  lines.push("    </testcase>");
  return lines.join("\n");
}

/** A case's testsuite: its test file, or for a mesh case its target (one testsuite per target). */
const suiteOf = (entry: CaseResult): string => (entry.properties.target !== undefined ? `${entry.suitePath[0] ?? "mesh"} > ${entry.properties.target}` : entry.file);

export function junitXml(model: ResultsModel, suiteName = "mtls-conformance"): string {
  const files = new Map<string, CaseResult[]>();
  for (const entry of model.cases) files.set(suiteOf(entry), [...(files.get(suiteOf(entry)) ?? []), entry]);
  const count = (cases: CaseResult[], verdict: CaseResult["verdict"]) => cases.filter((entry) => entry.verdict === verdict).length;
  const time = (cases: CaseResult[]) => seconds(cases.reduce((sum, entry) => sum + entry.durationMs, 0));
  const suites = [...files].map(
    ([file, cases]) =>
      `  <testsuite name="${escapeXml(file)}" timestamp="${model.generatedAt}" tests="${cases.length}" failures="${cases.filter((entry) => isFailing(entry.verdict)).length}" errors="0" skipped="${count(cases, "skipped")}" time="${time(cases)}">\n${cases.map(testcase).join("\n")}\n  </testsuite>`,
  );
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${escapeXml(suiteName)}" tests="${model.cases.length}" failures="${model.cases.filter((entry) => isFailing(entry.verdict)).length}" errors="0" skipped="${model.totals.skipped}" time="${time(model.cases)}">`,
    ...suites,
    `</testsuites>`,
    "",
  ].join("\n");
}
