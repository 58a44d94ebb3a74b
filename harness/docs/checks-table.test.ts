// The README's checks table is where a user learns what `mtls-conformance run` sends: every check
// the command defines has its row there, named as the reports name it.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { externalChecks } from "../external/checks.js";

const readme = readFileSync(resolve(import.meta.dirname, "../../README.md"), "utf8");

/** The check names in the first column of the README's table under "### The checks". */
function documentedChecks(markdown: string): Set<string> {
  const section = markdown.slice(markdown.indexOf("\n### The checks\n"));
  const rows = section.split("\n").filter((line) => line.startsWith("| `"));
  return new Set(rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([^`]+)`/g)].map((match) => match[1]!)));
}

describe("the README's checks table", () => {
  it("has a row for every check of harness/external/checks.ts", () => {
    const documented = documentedChecks(readme);
    expect(documented.size).toBeGreaterThan(20);
    expect(externalChecks.map((check) => check.id).filter((id) => !documented.has(id))).toEqual([]);
  });
});
