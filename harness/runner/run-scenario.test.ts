// The order a file defines its cases in (the rows that wait on purpose first, the rest as the table
// has them), and what such a row does outside its slot: its client's wait and the server's account.
import { describe, expect, it } from "vitest";
import type { FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueFixturesForTests } from "../../fixtures/for-tests.js";
import { missingImplementations } from "../host/context.js";
import { implementationsFor } from "../host/implementations.js";
import { processRuntime } from "../runtime/process.js";
import { modeScenarios } from "../scenarios/modes.js";
import { clientAuthScenarios } from "../scenarios/client-auth.js";
import { runScenario, waitingRowsFirst, waitsOnPurpose } from "./run-scenario.js";

describe("waitingRowsFirst", () => {
  it("puts the modes table's waiting rows (a late first byte, a client that only reads) first, each part in table order", () => {
    const ordered = waitingRowsFirst(modeScenarios);
    const waiting = modeScenarios.filter((row) => row.client.firstByteDelayMs !== undefined || (row.client.plaintext && row.client.plaintextPayload === "nothing"));
    expect(waiting.length).toBeGreaterThan(0);
    expect(ordered.map((row) => row.id)).toEqual([...waiting, ...modeScenarios.filter((row) => !waiting.includes(row))].map((row) => row.id));
    expect(ordered.slice(0, waiting.length).every((row) => waitsOnPurpose(row.client))).toBe(true);
  });

  it("keeps a table without waiting rows as it is", () => {
    expect(waitingRowsFirst(clientAuthScenarios)).toEqual(clientAuthScenarios);
  });
});

describe("a row that waits on purpose", () => {
  let fixtures: FixtureSet;
  catalogueFixturesForTests((issued) => (fixtures = issued));

  // nginx and haproxy close a connection whose ClientHello has not come within their detection
  // timeout (1 s) and say nothing a client could be told: the server's account is awaited its 3 s.
  it.for(["nginx", "haproxy"])("%s: waits for its client and for the server's account outside its slot", async (name, { skip }) => {
    const missing = missingImplementations(name);
    if (missing) skip(missing);
    const implementation = implementationsFor("server", processRuntime).find((candidate) => candidate.name === name)!;
    const row = modeScenarios.find((scenario) => scenario.id === "modes::detection::strict::late-mtls")!;
    let asideMs = 0;
    const aside = async <U>(wait: () => Promise<U>): Promise<U> => {
      const startedAt = Date.now();
      try {
        return await wait();
      } finally {
        asideMs += Date.now() - startedAt;
      }
    };
    const startedAt = Date.now();
    const observation = await runScenario(row, implementation, { fixtures, timeoutMs: 10_000, aside });
    const totalMs = Date.now() - startedAt;
    expect(observation.outcome).toBe(row.deviations?.[name]?.outcome ?? row.expect);
    // Outside the aside: only starting and stopping the peers (with the client's wait alone
    // aside, 1 s of 4 s was).
    expect(asideMs).toBeGreaterThanOrEqual(3_000);
    expect(totalMs - asideMs).toBeLessThan(1_500);
  });
});
