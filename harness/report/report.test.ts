// The reports agree with each other cell for cell: a small run with every verdict (sample/) is
// reported, then junit.xml, results.json, summary.md and matrix.html (rendered in headless
// Chromium) are read back and compared.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { casePropertyKeys, verdicts } from "../case-record.js";
import { missingTools, toolPath } from "../host-context.js";
import type { ResultsModel } from "./results.js";
import { cellText } from "./summary.js";

// Debian's chromium, Ubuntu's or Google's Chrome, or MTLS_CHROMIUM (harness/host.ts findChromium).
const chromiumPath = toolPath("chromium");
let dir: string;
let junitCells: Map<string, string>;
let browser: Browser | undefined;

/** "<area> > <scenario> > <column>" and verdict of every junit testcase. */
function parseJunit(xml: string): Map<string, string> {
  const cells = new Map<string, string>();
  for (const match of xml.matchAll(/<testcase [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/testcase>/g)) {
    const name = match[1]!.replaceAll("&gt;", ">");
    const verdict = /<property name="verdict" value="([^"]+)"\/>/.exec(match[2]!)?.[1];
    cells.set(name.split(" > ").slice(1).join(" | "), verdict!);
  }
  return cells;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mtls-report-test-"));
  const run = await execa("node_modules/.bin/vitest", ["run", "--config", "harness/report/sample/vitest.config.ts"], {
    reject: false,
    timeout: 60_000,
    env: { MTLS_REPORTS_DIR: dir, CI: "true" },
  });
  expect(run.exitCode, "the sample run has one failing case on purpose").toBe(1);
  junitCells = parseJunit(await readFile(join(dir, "junit.xml"), "utf8"));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("reports from one results model", () => {
  it("junit.xml holds every verdict, with expected and observed in the failure and reasons kept", async () => {
    const xml = await readFile(join(dir, "junit.xml"), "utf8");
    expect([...junitCells.values()].sort()).toEqual(["advisory", "fail", "pass", "pass", "pass", "skipped"]);
    expect(xml).toContain('<failure message="expected rejected:expired, observed accepted');
    expect(xml).toContain('<skipped message="cannot be configured"/>');
    expect(xml).toContain("advisory: observed accepted where the policy expects rejected:hostname-mismatch: falls back to the CN");
    expect(xml).toMatch(/<testsuites name="mtls-conformance" tests="6" failures="1" errors="0" skipped="1"/);
  });

  it("results.json agrees with junit.xml", async () => {
    const model = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as ResultsModel;
    expect(model.totals).toEqual({ ...Object.fromEntries(verdicts.map((verdict) => [verdict, 0])), pass: 3, fail: 1, advisory: 1, skipped: 1 });
    const cells = new Map(model.cases.map((entry) => [entry.name.split(" > ").slice(1).join(" | "), entry.verdict]));
    expect(cells).toEqual(junitCells);
    const failed = model.cases.find((entry) => entry.verdict === "fail");
    expect([failed?.expected, failed?.observed]).toEqual(["rejected:expired", "accepted"]);
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
    for (const line of markdown.split("\n").filter((row) => row.startsWith("| ") && !row.startsWith("| ---"))) {
      const [first, ...rest] = line.slice(2, -2).split(" | ");
      if (first === "scenario") columns = rest;
      else rest.forEach((text, index) => text && cells.set(`${first} | ${columns[index]}`, text));
    }
    expect(cells).toEqual(new Map([...junitCells].map(([key, verdict]) => [key, cellText[verdict as keyof typeof cellText]])));
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
    const colours = await page.$$eval("td.cell.fail, td.cell.pass", (elements) => [...new Set(elements.map((element) => getComputedStyle(element).backgroundColor))]);
    expect(colours).toHaveLength(2);
    await page.click('td.cell[data-verdict="fail"]');
    expect(await page.textContent("#detail")).toContain("expected: rejected:expired");
    expect(await page.getAttribute('td.cell[data-verdict="skipped"]', "title")).toContain("cannot be configured");
    expect(requests.filter((url) => !url.startsWith("file://"))).toEqual([]);
  }, 60_000);
});
