// The GitHub Action's helpers (harness/action/action.yml), run with the Node.js that runs the
// command: split-args (the args input as sh splits words, NUL-separated, never evaluated),
// targets-file (a target given as inputs, as a one-entry targets file, so one target and many
// give the same reports) and finish (outputs to $GITHUB_OUTPUT, summary.md to
// $GITHUB_STEP_SUMMARY). Bad input: one line on stderr, exit 2.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { splitTemplate, TemplateError } from "../../dist/harness/client/template.js";

const input = (name) => process.env[`INPUT_${name}`] ?? "";
const fail = (message) => {
  process.stderr.write(`mtls-conformance action: ${message}\n`);
  process.exit(2);
};

/** The target's settings as a targets file's keys, each from its input; paths made absolute (the file lives in RUNNER_TEMP). */
const settingInputs = [
  ["serverName", "SERVER_NAME", false],
  ["trustBundle", "TRUST_BUNDLE", true],
  ["issuerCert", "ISSUER_CERT", true],
  ["issuerKey", "ISSUER_KEY", true],
  ["issuerKeyPassphraseFile", "ISSUER_KEY_PASSPHRASE_FILE", true],
  ["expectMode", "EXPECT_MODE", false],
  ["expectIdentity", "EXPECT_IDENTITY", false],
];

function targetsFile(path) {
  const given = settingInputs.filter(([, name]) => input(name));
  if (input("TARGETS")) {
    if (input("TARGET")) fail("give target or targets, not both");
    if (given.length) fail(`targets: the file holds each target's settings; put ${given.map(([key]) => key).join(", ")} in its defaults`);
    return resolve(input("TARGETS"));
  }
  if (!input("TARGET")) fail("nothing to run: give target, targets or client-command");
  const settings = Object.fromEntries(given.map(([key, name, isPath]) => [key, isPath ? resolve(input(name)) : input(name)]));
  writeFileSync(path, JSON.stringify({ targets: [{ name: input("TARGET"), target: input("TARGET"), ...settings }] }, null, 2) + "\n");
  return path;
}

function splitArgs() {
  if (!input("ARGS").trim()) return [];
  try {
    return splitTemplate(input("ARGS"));
  } catch (error) {
    if (error instanceof TemplateError) fail(`args: ${error.message}`);
    throw error;
  }
}

/** "N failed" as the command's closing line counts it: fail and error. */
const failedOf = (verdicts) => verdicts.filter((verdict) => verdict === "fail" || verdict === "error").length;

function finish(reports, status) {
  const outputs = { "exit-code": status, reports };
  let summary;
  if (input("CLIENT_COMMAND")) {
    const report = existsSync(`${reports}/report.json`) ? JSON.parse(readFileSync(`${reports}/report.json`, "utf8")) : undefined;
    Object.assign(outputs, { "observed-mode": "", failed: report ? failedOf(report.rows.map((row) => row.verdict)) : "", results: `${reports}/report.json`, junit: `${reports}/junit.xml`, summary: `${reports}/summary.md` });
    // The client command writes no summary.md: its table is the summary.
    const table = existsSync(`${reports}/output.txt`) ? readFileSync(`${reports}/output.txt`, "utf8") : "";
    summary = `## mtls-conformance client\n\n\`\`\`text\n${table.trimEnd()}\n\`\`\`\n`;
    writeFileSync(outputs.summary, summary);
  } else {
    const model = existsSync(`${reports}/results.json`) ? JSON.parse(readFileSync(`${reports}/results.json`, "utf8")) : undefined;
    const targets = model?.mesh?.targets ?? [];
    const mode = (target) => target.observedMode ?? "none";
    Object.assign(outputs, {
      "observed-mode": input("TARGETS") ? targets.map((target) => `${target.name}=${mode(target)}`).join(",") : targets.map(mode).join(""),
      failed: model ? failedOf(model.cases.map((entry) => entry.verdict)) : "",
      results: `${reports}/results.json`,
      junit: `${reports}/junit.xml`,
      summary: `${reports}/summary.md`,
      metrics: `${reports}/metrics.prom`,
    });
    summary = existsSync(outputs.summary) ? readFileSync(outputs.summary, "utf8") : "";
  }
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary);
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, Object.entries(outputs).map(([name, value]) => `${name}=${value}\n`).join(""));
}

const [step, ...rest] = process.argv.slice(2);
if (step === "split-args") process.stdout.write(splitArgs().map((word) => `${word}\0`).join(""));
else if (step === "targets-file") process.stdout.write(targetsFile(rest[0]));
else if (step === "finish") finish(rest[0], Number(rest[1]));
else fail(`unknown step "${step}"`);
