// The order a file defines its cases in: the rows that wait on purpose first, the rest as the table has them.
import { describe, expect, it } from "vitest";
import { modeScenarios } from "../scenarios/modes.js";
import { clientAuthScenarios } from "../scenarios/client-auth.js";
import { waitingRowsFirst, waitsOnPurpose } from "./run-scenario.js";

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
