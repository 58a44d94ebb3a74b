// `npm run docs:deviations`: writes docs/deviations.md's tables of recorded deviations and of skips
// by capability from the data they describe (rows' `deviations`, stacks' `deviations` and `cannot`),
// between marker comments, so the page cannot drift from what the suites judge by
// (deviations.test.ts fails when it has).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Outcome } from "../core/outcome.js";
import { liveRotationId } from "../runner/rotation-live.js";
import { deviationStatus, type Deviation, type Scenario } from "../core/scenario.js";
import { authorizationScenarios } from "../scenarios/authorization.js";
import { chainScenarios } from "../scenarios/chain.js";
import { clientAuthScenarios } from "../scenarios/client-auth.js";
import { clientScenarios } from "../scenarios/client.js";
import { expiryScenarios } from "../scenarios/expiry.js";
import { identityScenarios } from "../scenarios/identity.js";
import { modeScenarios } from "../scenarios/modes.js";
import { protocolScenarios } from "../scenarios/protocol.js";
import { rotationScenarios } from "../scenarios/rotation.js";
import { stacks as registry } from "../stacks/registry.js";
import { referenceSidecar } from "../host/implementations.js";
import type { StackDefinition } from "../stacks/types.js";

export class DeviationDocsError extends Error {}

/** The harness's reference sidecar plays the detector rows under its own name and records deviations there too. */
const referenceDetector = { ...referenceSidecar, roles: { server: referenceSidecar.server } };

/** What the generator reads of a stack (tests pass their own). */
export type StackData = Pick<StackDefinition, "name" | "cannot" | "deviations"> & { roles: Partial<Record<"server" | "client", unknown>> };

/** A row as the generator reads it: id, subject, policy, and what it needs and records. */
export type RowData = Pick<Scenario, "id" | "subject" | "expect" | "needs" | "deviations">;

/**
 * Every row a stack can record a deviation on, in the suites' order. The live rotation suite has
 * no catalogue row: its id is the one stacks record under, its policy that every covered
 * handshake is served, and it needs a server that reloads its identity (conformance-suite.ts).
 */
export function allRows(): RowData[] {
  return [
    ...expiryScenarios,
    ...identityScenarios,
    ...clientAuthScenarios,
    ...rotationScenarios,
    { id: liveRotationId, subject: "server", expect: "accepted", needs: ["reload-identity"] },
    ...chainScenarios,
    ...protocolScenarios,
    ...authorizationScenarios,
    ...modeScenarios,
    ...clientScenarios,
  ];
}

export interface DeviationEntry {
  stack: string;
  row: string;
  expected: Outcome;
  status: "known-violation" | "other-reason";
  deviation: Deviation;
}

/**
 * Every recorded deviation, by row then by stack in registry order; a stack's own record is taken
 * where the row has none for it, as expectationFor does. A record for a stack or row that does not
 * exist is an error: the table would document a deviation no case can show.
 */
export function deviationEntries(rows: RowData[] = allRows(), stacks: readonly StackData[] = [...registry, referenceDetector]): DeviationEntry[] {
  const names = new Set(stacks.map((stack) => stack.name));
  const ids = new Set(rows.map((row) => row.id));
  for (const row of rows) {
    for (const name of Object.keys(row.deviations ?? {})) if (!names.has(name)) throw new DeviationDocsError(`failed to list deviations: ${row.id} records one for ${name}, which is no stack`);
  }
  for (const stack of stacks) {
    for (const id of Object.keys(stack.deviations ?? {})) if (!ids.has(id)) throw new DeviationDocsError(`failed to list deviations: ${stack.name} records one for ${id}, which is no row`);
  }
  const entries: DeviationEntry[] = [];
  for (const row of rows) {
    for (const stack of stacks) {
      const deviation = row.deviations?.[stack.name] ?? stack.deviations?.[row.id];
      if (deviation) entries.push({ stack: stack.name, row: row.id, expected: row.expect, status: deviationStatus(row.expect, deviation), deviation });
    }
  }
  return entries;
}

/** A table cell: one line, with the pipe that would end it escaped. */
const cell = (text: string): string => text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");

const groups = [
  { status: "known-violation", title: "Known violations: the policy is not met (the stack accepts what the row refuses, or refuses what it accepts)" },
  { status: "other-reason", title: "Other reasons: the policy is met, the stack refuses for another reason" },
] as const;

/** The deviation tables, known violations first, as markdown. */
export function deviationTables(entries: DeviationEntry[] = deviationEntries()): string {
  const out: string[] = [];
  for (const { status, title } of groups) {
    const mine = entries.filter((entry) => entry.status === status);
    out.push(`**${title}** (${mine.length}):`, "");
    out.push("| stack | row | expected | observed instead | intermittent | reason | reference |", "| --- | --- | --- | --- | --- | --- | --- |");
    for (const entry of mine) {
      const { outcome, intermittent, reason, reference } = entry.deviation;
      out.push(`| ${entry.stack} | \`${entry.row}\` | ${entry.expected} | ${outcome} | ${intermittent ? "yes" : ""} | ${cell(reason)} | ${cell(reference)} |`);
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}

/**
 * What each stack cannot do and how many rows that skips, as markdown: a row is skipped for a stack
 * that plays its subject when it needs a capability the stack declares it lacks (the first one, as
 * expectationFor takes it).
 */
export function skipTable(rows: RowData[] = allRows(), stacks: readonly StackData[] = registry): string {
  const out = ["| stack | cannot | rows skipped | reason |", "| --- | --- | --- | --- |"];
  for (const stack of stacks) {
    const counts = new Map<string, number>();
    for (const row of rows) {
      if (!stack.roles[row.subject]) continue;
      const missing = (row.needs ?? []).find((need) => stack.cannot?.[need] !== undefined);
      if (missing) counts.set(missing, (counts.get(missing) ?? 0) + 1);
    }
    for (const [capability, reason] of Object.entries(stack.cannot ?? {})) {
      out.push(`| ${stack.name} | \`${capability}\` | ${counts.get(capability) ?? 0} | ${cell(reason!)} |`);
    }
  }
  return out.join("\n");
}

export const startMarker = "<!-- deviations:start: generated by `npm run docs:deviations` from the data; edit the data, not this table -->";
export const endMarker = "<!-- deviations:end -->";

/** The generated part of docs/deviations.md, between and without the markers. */
export function generatedSection(): string {
  return [
    "",
    "",
    deviationTables(),
    "",
    "Skips by capability: what each stack declares it `cannot` do, and how many rows of the suites that skips for it (0: no row needs it today):",
    "",
    skipTable(),
    "",
  ].join("\n");
}

/** The generated part of `page`, or a one-line error when its markers are missing or out of order. */
export function readGenerated(page: string): { start: number; end: number; text: string } {
  const start = page.indexOf(startMarker);
  const end = page.indexOf(endMarker);
  if (start < 0 || end < start) throw new DeviationDocsError(`failed to find the deviation table in ${deviationsDocName}: it needs the lines ${startMarker} and ${endMarker}, in that order`);
  return { start: start + startMarker.length, end, text: page.slice(start + startMarker.length, end) };
}

/** `page` with its generated part replaced by `section`. */
export function withGenerated(page: string, section: string): string {
  const { start, end } = readGenerated(page);
  return page.slice(0, start) + section + page.slice(end);
}

export const deviationsDocName = "docs/deviations.md";
export const deviationsDocPath = fileURLToPath(new URL(`../../${deviationsDocName}`, import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    if (process.argv.length > 2) throw new DeviationDocsError(`failed to read the arguments: ${process.argv.slice(2).join(" ")} (usage: npm run docs:deviations)`);
    const page = readFileSync(deviationsDocPath, "utf8");
    const updated = withGenerated(page, generatedSection());
    if (updated !== page) writeFileSync(deviationsDocPath, updated);
    console.log(`docs:deviations: ${deviationsDocName} ${updated === page ? "was up to date" : "updated"} (${deviationEntries().length} deviations)`);
  } catch (error) {
    console.error(`docs:deviations: ${(error as Error).message}`);
    process.exit(1);
  }
}
