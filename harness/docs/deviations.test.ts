// docs/deviations.md's deviation and skip tables are what the generator writes from the data, and the
// generator groups, orders and refuses data as it says.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { deviationStatus } from "../core/scenario.js";
import { allRows, deviationEntries, deviationTables, DeviationDocsError, endMarker, generatedSection, readGenerated, deviationsDocPath, skipTable, startMarker, withGenerated, type RowData, type StackData } from "./deviations.js";

const rows: RowData[] = [
  { id: "t::a::refused", subject: "server", expect: "rejected:revoked", needs: ["add-crl"], deviations: { one: { outcome: "accepted", reason: "one | accepts", reference: "ref a" } } },
  { id: "t::a::other", subject: "server", expect: "rejected:expired", deviations: { one: { outcome: "rejected:bad-certificate", reason: "another alert", reference: "ref b", intermittent: true } } },
  { id: "t::c::client", subject: "client", expect: "accepted", needs: ["add-crl"] },
];
const stacks: StackData[] = [
  { name: "one", roles: { server: true }, cannot: { "add-crl": "no CRL reload" } },
  { name: "two", roles: { server: true, client: true }, deviations: { "t::a::refused": { outcome: "accepted", reason: "two accepts", reference: "ref c" } }, cannot: { "add-crl": "neither" } },
];

describe("docs/deviations.md's recorded deviations", () => {
  it("are the tables npm run docs:deviations writes from the data", () => {
    const page = readFileSync(deviationsDocPath, "utf8");
    const stale = readGenerated(page).text !== generatedSection();
    expect(stale, "docs/deviations.md's deviation tables differ from the data: run npm run docs:deviations").toBe(false);
  });

  it("list every row's and every stack's record, known violations first, each with deviationStatus", () => {
    const entries = deviationEntries();
    const recorded = allRows().reduce((count, row) => count + Object.keys(row.deviations ?? {}).length, 0);
    expect(entries.length).toBeGreaterThan(recorded);
    for (const entry of entries) expect(entry.status).toBe(deviationStatus(entry.expected, entry.deviation));
    const tables = deviationTables(entries);
    const otherAt = tables.indexOf("**Other reasons");
    expect(otherAt).toBeGreaterThan(0);
    const violation = entries.find((entry) => entry.stack === "go" && entry.row === "client-auth::strict::revoked");
    const other = entries.find((entry) => entry.stack === "haproxy" && entry.row === "expiry::client::not-yet-valid");
    expect(violation?.status).toBe("known-violation");
    expect(other?.status).toBe("other-reason");
    expect(tables.indexOf("| go | `client-auth::strict::revoked` |")).toBeLessThan(otherAt);
    expect(tables.indexOf("| haproxy | `expiry::client::not-yet-valid` |")).toBeGreaterThan(otherAt);
  });
});

describe("the generator", () => {
  it("takes a row's record before the stack's, and a stack's own record for the row otherwise", () => {
    expect(deviationEntries(rows, stacks).map((entry) => [entry.stack, entry.row, entry.status])).toEqual([
      ["one", "t::a::refused", "known-violation"],
      ["two", "t::a::refused", "known-violation"],
      ["one", "t::a::other", "other-reason"],
    ]);
  });

  it("writes the columns, marks intermittent ones and escapes a pipe in a cell", () => {
    const tables = deviationTables(deviationEntries(rows, stacks));
    expect(tables).toContain("**Known violations: the policy is not met (the stack accepts what the row refuses, or refuses what it accepts)** (2):");
    expect(tables).toContain("| stack | row | expected | observed instead | intermittent | reason | reference |");
    expect(tables).toContain("| one | `t::a::refused` | rejected:revoked | accepted |  | one \\| accepts | ref a |");
    expect(tables).toContain("| one | `t::a::other` | rejected:expired | rejected:bad-certificate | yes | another alert | ref b |");
  });

  it("counts a skip only where the stack plays the row's subject", () => {
    expect(skipTable(rows, stacks).split("\n").slice(2)).toEqual(["| one | `add-crl` | 1 | no CRL reload |", "| two | `add-crl` | 2 | neither |"]);
  });

  it("refuses a record for a stack or a row that does not exist", () => {
    expect(() => deviationEntries([{ ...rows[0]!, deviations: { three: rows[0]!.deviations!.one! } }], stacks)).toThrow(
      new DeviationDocsError("failed to list deviations: t::a::refused records one for three, which is no stack"),
    );
    expect(() => deviationEntries(rows.slice(1), stacks)).toThrow("failed to list deviations: two records one for t::a::refused, which is no row");
  });

  it("replaces only what is between the markers, and says so in one line when they are missing", () => {
    const page = `# title\n\n${startMarker}\nold\n${endMarker}\n\nafter\n`;
    expect(withGenerated(page, "\nnew\n")).toBe(`# title\n\n${startMarker}\nnew\n${endMarker}\n\nafter\n`);
    expect(() => withGenerated("# title\n", "x")).toThrow(/^failed to find the deviation table in docs\/deviations\.md: it needs the lines <!-- deviations:start[^\n]* and <!-- deviations:end -->, in that order$/);
    expect(() => withGenerated(`${endMarker}\n${startMarker}\n`, "x")).toThrow(DeviationDocsError);
  });
});
