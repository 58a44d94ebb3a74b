// The mesh runner's bounds and the shard split, without the command around them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec } from "../../fixtures/profiles.js";
import { parseSettings } from "../external/settings.js";
import { cachedSecureContextCount } from "../core/probe.js";
import { startLocalMesh, type LocalMesh } from "./local-mesh.js";
import { progressOn } from "./progress.js";
import { runMesh } from "./run-mesh.js";
import { parseShard, shardOf } from "./shard.js";

describe("--shard I/N", () => {
  const names = ["web", "api", "db", "cache", "queue", "auth", "search"].map((name) => ({ name }));

  it("splits by name: disjoint, every target once, whatever the file's order", () => {
    const shards = [0, 1, 2].map((index) => shardOf(names, { index, count: 3 }).map((item) => item.name));
    expect(shards).toEqual([["api", "db", "web"], ["auth", "queue"], ["cache", "search"]]);
    expect([0, 1, 2].map((index) => shardOf([...names].reverse(), { index, count: 3 }).map((item) => item.name))).toEqual(shards);
  });

  it.each([
    ["4/4", "I must be 0 to 3"],
    ["1/0", "N must be 1-10000"],
    ["1-4", "expected I/N"],
  ])("refuses %s", (text, message) => {
    expect(() => parseShard(text)).toThrow(message);
  });
});

describe("runMesh", () => {
  let fixtures: FixtureSet;
  let mesh: LocalMesh;
  beforeAll(async () => {
    fixtures = await writeFixtureSet(catalogueSpec, new Date());
    mesh = await startLocalMesh(fixtures, 2, ["strict"]);
  }, 60_000);
  afterAll(async () => {
    await mesh?.stop();
    if (fixtures) await removeFixtureSet(fixtures);
  });

  const targets = () =>
    mesh.endpoints.map((endpoint) => ({
      name: endpoint.name,
      settings: parseSettings({ target: endpoint.address, issuerCert: fixtures.certs["issuer-a"]!.cert, issuerKey: fixtures.certs["issuer-a"]!.key, expectMode: "strict" }),
    }));

  it("reports each finished target once, outcomes in the file's order; progress is a line per target in a log, a bar on a terminal", async () => {
    const finished: string[] = [];
    const written = { log: "", tty: "" };
    const log = progressOn({ write: (text: string) => ((written.log += text), true) } as unknown as NodeJS.WritableStream);
    const tty = progressOn({ isTTY: true, columns: 80, write: (text: string) => ((written.tty += text), true) } as unknown as NodeJS.WritableStream & { isTTY: boolean });
    const outcomes = await runMesh(targets(), {
      concurrency: 1,
      onFinished: (outcome, count, total) => {
        finished.push(`${count}/${total} ${outcome.name}`);
        log.finished(outcome, count, total);
        tty.finished(outcome, count, total);
      },
    });
    tty.end();
    // Each target's client certificates are its own: their cached contexts go with them, so a
    // second run over the same targets leaves as many cached as the first (those of no file).
    const contextsAfterOne = cachedSecureContextCount();
    await runMesh(targets(), { concurrency: 2 });
    expect(cachedSecureContextCount()).toBe(contextsAfterOne);
    expect(finished).toEqual(mesh.endpoints.map((endpoint, index) => `${index + 1}/2 ${endpoint.name}`));
    expect(outcomes.map((outcome) => [outcome.name, outcome.report?.observedMode])).toEqual(mesh.endpoints.map((endpoint) => [endpoint.name, "strict"]));
    expect(written.log.split("\n").filter(Boolean).map((line) => line.replace(/ \(\d+\.\d s\)$/, ""))).toEqual(
      mesh.endpoints.map((endpoint, index) => `mtls-conformance: [${index + 1}/2] ${endpoint.name} (${endpoint.address}): observed strict, expected strict, 0 checks failing`),
    );
    // A bar redrawn in place (carriage return, erase line), no newline, cleared at the end.
    expect(written.tty).not.toContain("\n");
    expect(written.tty.split("\r\u001b[2K").filter(Boolean)).toEqual([
      `[${"#".repeat(15)}${"-".repeat(15)}] 1/2 targets, 0 not passing, last: ${mesh.endpoints[0]!.name}`,
      `[${"#".repeat(30)}] 2/2 targets, 0 not passing, last: ${mesh.endpoints[1]!.name}`,
    ]);
  });

  it("bounds each target in time: a run past its deadline is reported without a verdict", async () => {
    const outcomes = await runMesh(targets(), { deadlineMs: () => 30 });
    expect(outcomes.map((outcome) => [outcome.report, outcome.problem])).toEqual(mesh.endpoints.map(() => [undefined, "did not finish within 30 ms"]));
  });
});
