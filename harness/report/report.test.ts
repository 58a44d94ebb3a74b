// The reports agree with each other cell for cell: a small run with every conformance status
// (sample/) is reported, then junit.xml, results.json, summary.md and matrix.html (rendered in
// headless Chromium) are read back and compared, and each status's mark in each report is checked.
// The sample runs again under MTLS_STRICT_DEVIATIONS=1, where fixed fails.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { execa } from "execa";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { casePropertyKeys, statusTable, verdicts } from "../core/case-record.js";
import { missingTools, toolPath } from "../host/context.js";
import { statusStyles } from "./matrix-html.js";
import { propertiesOf, statusOf, type ResultsModel } from "./results.js";
import { sampleProperties, sampleRows } from "./sample/rows.js";
import { statusDocTable } from "./status-doc.js";
import { cellText } from "./summary.js";
import { tapText } from "./tap.js";

// Debian's chromium, Ubuntu's or Google's Chrome, or MTLS_CHROMIUM (harness/host/detection.ts findChromium).
const chromiumPath = toolPath("chromium");
let dir: string;
let strictDir: string;
let sampleConsole: string;
let junitCells: Map<string, string>;
let browser: Browser | undefined;

/** "<scenario> | <column>" and verdict of every junit testcase of the matrix (area > scenario > column). */
function parseJunit(xml: string): Map<string, string> {
  const cells = new Map<string, string>();
  for (const match of xml.matchAll(/<testcase [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/testcase>/g)) {
    const name = match[1]!.replaceAll("&gt;", ">");
    const verdict = /<property name="verdict" value="([^"]+)"\/>/.exec(match[2]!)?.[1];
    if (name.split(" > ").length === 3) cells.set(name.split(" > ").slice(1).join(" | "), verdict!);
  }
  return cells;
}

/** The body of the testcase whose name ends so. */
function testcaseOf(xml: string, nameEnd: string): string {
  const match = [...xml.matchAll(/<testcase [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/testcase>/g)].find((candidate) => candidate[1]!.replaceAll("&gt;", ">").endsWith(nameEnd));
  expect(match, nameEnd).toBeDefined();
  return match![2]!;
}

const sampleRun = (reportsDir: string, env: Record<string, string> = {}) =>
  execa("node_modules/.bin/vitest", ["run", "--config", "harness/report/sample/vitest.config.ts"], {
    reject: false,
    timeout: 60_000,
    // The parent's MTLS_STRICT_DEVIATIONS must not decide which run is strict.
    env: { MTLS_REPORTS_DIR: reportsDir, CI: "true", MTLS_STRICT_DEVIATIONS: "", ...env },
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mtls-report-test-"));
  strictDir = await mkdtemp(join(tmpdir(), "mtls-report-strict-"));
  const [run, strictRun] = await Promise.all([sampleRun(dir), sampleRun(strictDir, { MTLS_STRICT_DEVIATIONS: "1" })]);
  expect(run.exitCode, "the sample run has failing and error cases on purpose").toBe(1);
  expect(strictRun.exitCode).toBe(1);
  // vitest prints failed tests, their errors and annotations, on stderr.
  sampleConsole = stripVTControlCharacters(String(run.stderr));
  junitCells = parseJunit(await readFile(join(dir, "junit.xml"), "utf8"));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(strictDir, { recursive: true, force: true });
});

describe("a case's status from vitest's state and its annotation", () => {
  it("a failed test is its annotation only when that status fails a test, else error; a passed test keeps its annotation", () => {
    const table: Array<[string, string | undefined, boolean, string]> = [
      ["skipped", "pass", false, "skipped"],
      ["pending", undefined, false, "skipped"],
      ["passed", undefined, false, "pass"],
      ["passed", "known-violation", false, "known-violation"],
      ["passed", "other-reason", false, "other-reason"],
      ["passed", "fixed", false, "fixed"],
      ["passed", "fail", false, "fail"],
      ["passed", "no-such-status", false, "pass"],
      ["failed", "fail", false, "fail"],
      ["failed", "error", false, "error"],
      ["failed", "undetermined", false, "undetermined"],
      ["failed", undefined, false, "error"],
      ["failed", "pass", false, "error"],
      ["failed", "known-violation", false, "error"],
      ["failed", "other-reason", false, "error"],
      ["failed", "fixed", false, "error"],
      ["failed", "fixed", true, "fixed"],
    ];
    expect(table.map(([state, annotated, strict]) => statusOf(state, annotated, strict))).toEqual(table.map((row) => row[3]));
  });
});

describe("a case's properties: the task metadata, then annotations", () => {
  it("the metadata's in the order set; an annotation adds its property, or replaces one in its place", () => {
    const testCase = (caseProperties: Record<string, string> | undefined, annotations: Array<{ type: string; message: string }>) => ({ meta: () => ({ caseProperties }), annotations: () => annotations });
    expect(Object.entries(propertiesOf(testCase({ implementation: "go", version: "1.22", verdict: "pass" }, [])))).toEqual([["implementation", "go"], ["version", "1.22"], ["verdict", "pass"]]);
    expect(propertiesOf(testCase(undefined, [{ type: "implementation", message: "go" }, { type: "verdict", message: "fail" }]))).toEqual({ implementation: "go", verdict: "fail" });
    const both = propertiesOf(testCase({ implementation: "go", verdict: "fail" }, [{ type: "verdict", message: "fail" }, { type: "evidence", message: "accepted" }]));
    expect(Object.entries(both)).toEqual([["implementation", "go"], ["verdict", "fail"], ["evidence", "accepted"]]);
  });

  it("every property each sample case recorded (or annotated) is in results.json and junit.xml, in order, and nothing else", async () => {
    const model = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as ResultsModel;
    const xml = await readFile(join(dir, "junit.xml"), "utf8");
    expect(sampleRows.some((row) => row.annotated) && sampleRows.some((row) => !row.annotated)).toBe(true);
    for (const row of sampleRows) {
      const name = `${row.scenario} > ${row.implementation} (process)`;
      const recorded = sampleProperties(row);
      expect(Object.entries(model.cases.find((entry) => entry.name.endsWith(name))!.properties), name).toEqual(recorded);
      // junit.xml lists the properties, then the case's status as verdict (in the verdict's place when it recorded one).
      const listed = [...testcaseOf(xml, name).matchAll(/<property name="([^"]+)" value="([^"]*)"\/>/g)].map((match) => [match[1], match[2]!.replaceAll("&apos;", "'")]);
      expect(listed.map(([type]) => type), name).toEqual([...new Set([...recorded.map(([type]) => type), "verdict"])]);
    }
  });

  it("vitest's console shows a failed case's properties under its error, and no passing case's", () => {
    const failure = (name: string) => sampleConsole.slice(sampleConsole.indexOf(` FAIL  matrix.spec.ts > ${name}`)).split("⎯⎯⎯")[0]!;
    expect(failure("sample-c > sample::c::unplayed > node (process)")).toMatch(/❯ verdict\n\s+↳ error\n\s+❯ evidence\n\s+↳ failed to start node server: did not print ready within 5000 ms/);
    expect(failure("sample-a > sample::a::expired > openssl (process)")).toMatch(/❯ expected\n\s+↳ rejected:expired\n\s+❯ outcome\n\s+↳ accepted\n\s+❯ verdict\n\s+↳ fail/);
    // Only failed tests print annotations, and only four failed: one ❯ implementation each (the fixtures test has none).
    expect(sampleConsole.match(/❯ implementation\n/g)).toHaveLength(3);
  });
});

describe("reports from one results model", () => {
  it("junit.xml holds every status with its element: failure, known violation, error with the cause, skipped with its kind", async () => {
    const xml = await readFile(join(dir, "junit.xml"), "utf8");
    expect([...junitCells.values()].sort()).toEqual(["error", "error", "fail", "fixed", "known-violation", "other-reason", "pass", "pass", "pass", "skipped"]);
    expect(testcaseOf(xml, "sample::a::expired > openssl (process)")).toContain('<failure message="expected rejected:expired, observed accepted');
    expect(testcaseOf(xml, "sample::b::cn-only > node (process)")).toContain(
      '<failure message="known violation (policy not met, recorded): observed accepted where the policy expects rejected:hostname-mismatch: falls back to the CN (RFC 6125 6.4.4)" type="known-violation">',
    );
    expect(testcaseOf(xml, "sample::b::cn-only > openssl (process)")).toContain('<skipped message="stack-cannot: cannot be configured"/>');
    expect(testcaseOf(xml, "sample::c::unplayed > node (process)")).toContain('<error message="error: failed to start node server: did not print ready within 5000 ms" type="error">');
    // Annotated pass, then threw: the harness's failure, not the stack's.
    expect(testcaseOf(xml, "sample::c::unplayed > openssl (process)")).toMatch(/<error message="error: TypeError: cannot read the peer&apos;s log" type="error">/);
    expect(testcaseOf(xml, "sample-helpers > reads the fixtures")).toContain('<error message="error: ENOENT: fixtures/catalogue.json" type="error">');
    // Not strict: fixed and other reason are passing testcases with their note.
    expect(testcaseOf(xml, "sample::c::revoked > openssl (process)")).not.toMatch(/<failure|<error|<skipped/);
    expect(testcaseOf(xml, "sample::c::revoked > openssl (process)")).toContain("<system-out>fixed: the recorded deviation did not happen");
    expect(testcaseOf(xml, "sample::c::revoked > node (process)")).not.toMatch(/<failure|<error|<skipped/);
    expect(testcaseOf(xml, "sample::c::revoked > node (process)")).toContain("<system-out>other reason: observed rejected:bad-certificate where the policy expects rejected:revoked: no alert for revocation (node#1)");
    expect(xml).toMatch(/<testsuites name="mtls-conformance" tests="11" failures="2" errors="3" skipped="1"/);
  });

  it("under strict deviations fixed is a failure of type fixed in junit.xml and not ok in TAP, the model says strict", async () => {
    const xml = await readFile(join(strictDir, "junit.xml"), "utf8");
    const model = JSON.parse(await readFile(join(strictDir, "results.json"), "utf8")) as ResultsModel;
    expect(model.strictDeviations).toBe(true);
    // Its test failed on purpose: still fixed, not error.
    expect(model.cases.find((entry) => entry.name.endsWith("sample::c::revoked > openssl (process)"))?.verdict).toBe("fixed");
    expect(testcaseOf(xml, "sample::c::revoked > openssl (process)")).toContain('type="fixed">');
    expect(xml).toMatch(/<testsuites name="mtls-conformance" tests="11" failures="3" errors="3" skipped="1"/);
    expect(tapText(model)).toMatch(/^not ok 8 - sample-c > sample::c::revoked > openssl \(process\) # fixed$/m);
    const plain = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as ResultsModel;
    expect(plain.strictDeviations).toBe(false);
    expect(tapText(plain)).toMatch(/^ok 8 - sample-c > sample::c::revoked > openssl \(process\) # fixed: the recorded deviation did not happen: accepted revoked leaves$/m);
  });

  it("TAP: not ok for fail, known violation and error, SKIP for skipped, ok for pass and other reason", async () => {
    const model = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as ResultsModel;
    const tap = tapText(model);
    const lines = tap.split("\n").filter((line) => /^(not )?ok /.test(line));
    expect(lines).toEqual([
      "ok 1 - sample-a > sample::a::valid > node (process)",
      "ok 2 - sample-a > sample::a::valid > openssl (process)",
      "ok 3 - sample-a > sample::a::expired > node (process)",
      "not ok 4 - sample-a > sample::a::expired > openssl (process)",
      "not ok 5 - sample-b > sample::b::cn-only > node (process) # known violation",
      "ok 6 - sample-b > sample::b::cn-only > openssl (process) # SKIP stack-cannot: cannot be configured",
      "ok 7 - sample-c > sample::c::revoked > node (process) # other reason: no alert for revocation",
      "ok 8 - sample-c > sample::c::revoked > openssl (process) # fixed: the recorded deviation did not happen: accepted revoked leaves",
      "not ok 9 - sample-c > sample::c::unplayed > node (process) # error",
      "not ok 10 - sample-c > sample::c::unplayed > openssl (process) # error",
      "not ok 11 - sample-helpers > reads the fixtures # error",
    ]);
    expect(tap).toContain('not ok 5 - sample-b > sample::b::cn-only > node (process) # known violation\n  ---\n  status: "known-violation"\n  expected: "rejected:hostname-mismatch"\n  observed: "accepted"\n  reason: "falls back to the CN"\n  reference: "RFC 6125 6.4.4"\n  ...');
    expect(tap).toContain('not ok 9 - sample-c > sample::c::unplayed > node (process) # error\n  ---\n  status: "error"\n  message: "failed to start node server: did not print ready within 5000 ms"\n  ...');
    // No TODO anywhere: a consumer would count it as passing.
    expect(tap).not.toMatch(/# TODO/i);
  });

  it("results.json agrees with junit.xml", async () => {
    const model = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as ResultsModel;
    expect(model.totals).toEqual({ ...Object.fromEntries(verdicts.map((verdict) => [verdict, 0])), pass: 3, fail: 1, "known-violation": 1, "other-reason": 1, fixed: 1, error: 3, skipped: 1 });
    const cells = new Map(model.cases.filter((entry) => entry.suitePath.length === 2).map((entry) => [entry.name.split(" > ").slice(1).join(" | "), entry.verdict]));
    expect(cells).toEqual(junitCells);
    expect(model.cases.find((entry) => entry.name === "sample-helpers > reads the fixtures")?.verdict).toBe("error");
    const failed = model.cases.find((entry) => entry.verdict === "fail");
    expect([failed?.expected, failed?.observed]).toEqual(["rejected:expired", "accepted"]);
    expect(model.cases.find((entry) => entry.verdict === "skipped")?.properties["skip-kind"]).toBe("stack-cannot");
  });

  it("every property in junit.xml and results.json is a key of the case record", async () => {
    const xml = await readFile(join(dir, "junit.xml"), "utf8");
    const model = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as ResultsModel;
    const names = new Set([...xml.matchAll(/<property name="([^"]+)"/g)].map((match) => match[1]!));
    for (const entry of model.cases) for (const key of Object.keys(entry.properties)) names.add(key);
    expect(names.size).toBeGreaterThan(0);
    expect([...names].filter((name) => !(casePropertyKeys as string[]).includes(name))).toEqual([]);
  });

  it("summary.md agrees with junit.xml cell for cell", async () => {
    const markdown = await readFile(join(dir, "summary.md"), "utf8");
    const cells = new Map<string, string>();
    let columns: string[] = [];
    let inMatrix = false;
    for (const line of markdown.split("\n").filter((row) => row.startsWith("| ") && !row.startsWith("| ---"))) {
      const [first, ...rest] = line.slice(2, -2).split(" | ");
      // A header row starts each table; only the matrix's says "scenario" (not the known violations').
      if (first === "scenario" || first === "stack") [inMatrix, columns] = [first === "scenario", rest];
      else if (inMatrix) rest.forEach((text, index) => text && cells.set(`${first} | ${columns[index]}`, text));
    }
    expect(cells).toEqual(new Map([...junitCells].map(([key, verdict]) => [key, cellText[verdict as keyof typeof cellText]])));
  });

  it("summary.md: counts per status in the header, then known violations, errors and failures before the matrix", async () => {
    const markdown = await readFile(join(dir, "summary.md"), "utf8");
    expect(markdown.split("\n")[2]).toMatch(/^3 pass, 1 fail, 1 known violation, 1 other reason, 1 fixed, 3 error, 1 skipped \(/);
    const headings = markdown.split("\n").filter((line) => line.startsWith("## "));
    expect(headings).toEqual([
      "## Known violations (policy not met, recorded)",
      "## Errors (the harness could not play the case; the run is incomplete)",
      "## Failures",
      "## Fixed (a recorded deviation did not happen)",
      "## sample-a",
      "## sample-b",
      "## sample-c",
      "## Other reason (policy met, a different refusal, recorded)",
      "## Skipped",
    ]);
    expect(markdown).toContain("| stack | row | observed | policy | reason | reference |\n| --- | --- | --- | --- | --- | --- |\n| node (process) | sample::b::cn-only | accepted | rejected:hostname-mismatch | falls back to the CN | RFC 6125 6.4.4 |\n");
    expect(markdown).toContain("- sample::c::unplayed, node (process): failed to start node server: did not print ready within 5000 ms\n");
    expect(markdown).toContain("- sample::c::unplayed, openssl (process): TypeError: cannot read the peer's log\n");
    expect(markdown).toContain("- sample-helpers > reads the fixtures: ENOENT: fixtures/catalogue.json\n");
    expect(markdown).toContain("- sample::c::revoked, openssl (process): observed rejected:revoked, policy rejected:revoked: accepted revoked leaves (openssl#2)\n");
    expect(markdown).toContain("- sample::b::cn-only, openssl (process): the stack cannot: cannot be configured\n");
    expect(markdown).toContain("| sample::b::cn-only | **KNOWN VIOLATION** | skip |");
    const strict = await readFile(join(strictDir, "summary.md"), "utf8");
    expect(strict).toContain("## Fixed (a recorded deviation did not happen; a failure under strict deviations)");
    expect(strict.split("\n")[2]).toContain("(strict deviations: fixed fails)");
  });

  it("matrix.html: a colour of its own and a legend entry for every status, the reason in each cell's tooltip", async () => {
    const html = await readFile(join(dir, "matrix.html"), "utf8");
    const colours = new Map([...statusStyles.matchAll(/^\.([a-z-]+) \{ background: (#[0-9a-f]{6});/gm)].map((match) => [match[1]!, match[2]!]));
    expect([...colours.keys()].sort()).toEqual([...verdicts].sort());
    expect(new Set(colours.values()).size).toBe(verdicts.length);
    expect(html).toContain(statusStyles);
    // A known violation is not the yellow that read as fine, and an error is not a fail's red.
    expect(colours.get("known-violation")).not.toBe(statusTable.advisory.colour);
    expect(colours.get("error")).not.toBe(colours.get("fail"));
    const legend = [...html.matchAll(/<span class="([a-z-]+)" data-status="\1">/g)].map((match) => match[1]);
    expect(legend).toEqual(verdicts.filter((verdict) => verdict !== "advisory"));
    const title = (verdict: string) => /title="([^"]*)"/.exec(html.slice(html.indexOf(`data-verdict="${verdict}"`)))?.[1];
    expect(title("known-violation")).toBe("known violation: expected rejected:hostname-mismatch, observed accepted (falls back to the CN (RFC 6125 6.4.4))");
    expect(title("error")).toBe("error: expected accepted, observed ? (failed to start node server: did not print ready within 5000 ms)");
    expect(title("skipped")).toContain("the stack cannot: cannot be configured");
    expect(html).toContain('<p id="totals">3 pass, 1 fail, 1 known violation, 1 other reason, 1 fixed, 3 error, 1 skipped &middot;');
  });

  it("docs/statuses.md holds the status table generated from statusTable", async () => {
    expect(await readFile("docs/statuses.md", "utf8")).toContain(statusDocTable());
  });

  it("matrix.html, rendered in headless Chromium with no network, agrees with junit.xml and shows a cell's detail on click", async ({ skip }) => {
    if (!chromiumPath) return skip(missingTools("chromium"));
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(join(dir, "matrix.html")).href);
    const cells = await page.$$eval("td.cell[data-verdict]", (elements) =>
      elements.map((element) => [`${(element as HTMLElement).dataset.scenario} | ${(element as HTMLElement).dataset.column}`, (element as HTMLElement).dataset.verdict!] as const),
    );
    expect(new Map(cells)).toEqual(junitCells);
    // Each status present in the grid shows its own colour.
    const colours = await page.$$eval("td.cell[data-verdict]", (elements) => [...new Set(elements.map((element) => `${(element as HTMLElement).dataset.verdict} ${getComputedStyle(element).backgroundColor}`))]);
    expect(colours).toHaveLength(new Set(junitCells.values()).size);
    expect(new Set(colours.map((entry) => entry.split(" ").slice(1).join(" "))).size).toBe(colours.length);
    await page.click('td.cell[data-verdict="fail"]');
    expect(await page.textContent("#detail")).toContain("expected: rejected:expired");
    expect(await page.getAttribute('td.cell[data-verdict="skipped"]', "title")).toContain("cannot be configured");
    expect(requests.filter((url) => !url.startsWith("file://"))).toEqual([]);
  }, 60_000);
});
