// The server pool against real server processes: a shell "server" that prints log lines on a
// schedule stands for a stack whose account of a connection ends with lines after the settling one
// (gnutls prints "Error in handshake" after its "Status" line), and real TLS stacks through the
// scenario runner show a kept server's next case reads only its own connection's account.
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import type { FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueFixturesForTests } from "../../fixtures/for-tests.js";
import { allocateEndpoint } from "../core/network.js";
import { missingImplementations } from "../host/context.js";
import { implementationsFor } from "../host/implementations.js";
import { processRuntime } from "../runtime/process.js";
import { loggedServer } from "../stacks/common/logged-server.js";
import type { RunningServer } from "../stacks/types.js";
import { clientAuthScenarios } from "../scenarios/client-auth.js";
import { runScenario } from "./run-scenario.js";
import { inProcessQuietMs, keepAfter, quietMs, ServerPool } from "./server-pool.js";
import { nodeServer } from "../stacks/node/adapter.js";

/** A server process whose log says `line` `afterMs` after it is ready (a late line about a connection). */
async function scriptedServer(script: string): Promise<RunningServer & { pid: number }> {
  const endpoint = await allocateEndpoint();
  const child = await processRuntime.startProcess("sh", "sh", ["-c", `echo ready; ${script}`], { ready: /^ready$/m, readyTimeoutMs: 5_000, description: "a scripted server" });
  const server = loggedServer(endpoint, child, { name: "the scripted log", settled: /^settled$/m, classify: (text) => (/late line/.test(text) ? { outcome: "rejected:bad-certificate", raw: "late line", source: "local-verify" } : undefined) }, async () => undefined);
  return Object.assign(server, { pid: child.pid });
}

// One fixture PKI for the file's cases on real stacks.
let fixtures: FixtureSet;
catalogueFixturesForTests((issued) => (fixtures = issued));
const row = (id: string) => clientAuthScenarios.find((scenario) => scenario.id === id)!;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("server pool", () => {
  it("offers a kept server again only after it has said nothing for the quiet time, with what it said dropped", async () => {
    const pool = new ServerPool();
    const first = await scriptedServer("sleep 0.4; echo late line; sleep 30");
    await pool.give("setup", first, true);
    // Quiet for less than the quiet time, and the late line is still to come: a case now gets a
    // server of its own.
    await sleep(120);
    const during = await pool.take("setup", () => scriptedServer("sleep 30"));
    expect(during).not.toBe(first);
    await pool.give("setup", during, false);
    await sleep(400 + quietMs + 300);
    const after = await pool.take("setup", () => scriptedServer("sleep 30"));
    expect(after).toBe(first);
    // The late line was about the case before: the next case does not read it.
    await expect(after.takeRejection()).resolves.toBeUndefined();
    expect(pool.counts()).toEqual({ reused: 1, started: 1 });
    await pool.give("setup", after, false);
    expect(alive(first.pid)).toBe(false);
  });

  it("counts the quiet time from the server's last line, not from when its case gave it back", async () => {
    const pool = new ServerPool();
    const kept = await scriptedServer("sleep 0.3; echo late line; sleep 30");
    await pool.give("setup", kept, true);
    // Past the quiet time since it was given back, but its late line came about 150 ms ago.
    await sleep(450);
    const fresh = await pool.take("setup", () => scriptedServer("sleep 30"));
    expect(fresh).not.toBe(kept);
    await sleep(quietMs);
    await expect(pool.take("setup", () => scriptedServer("sleep 30"))).resolves.toBe(kept);
    await Promise.all([fresh.stop(), kept.stop()]);
  });

  it("offers a kept server only to cases with its key", async () => {
    const pool = new ServerPool();
    const kept = await scriptedServer("sleep 30");
    await pool.give("strict", kept, true);
    await sleep(quietMs + 150);
    const other = await pool.take("optional", () => scriptedServer("sleep 30"));
    expect(other).not.toBe(kept);
    await expect(pool.take("strict", () => scriptedServer("sleep 30"))).resolves.toBe(kept);
    await Promise.all([other.stop(), kept.stop()]);
  });

  it("stops a server given back with an incomplete account, and never offers one that exited", async () => {
    const pool = new ServerPool();
    const incomplete = await scriptedServer("sleep 30");
    await pool.give("setup", incomplete, false);
    expect(alive(incomplete.pid)).toBe(false);
    const exits = await scriptedServer("sleep 0.1");
    await pool.give("setup", exits, true);
    await sleep(quietMs + 300);
    const next = await pool.take("setup", () => scriptedServer("sleep 30"));
    expect(next).not.toBe(exits);
    expect(pool.counts()).toEqual({ reused: 0, started: 1 });
    await next.stop();
  });

  it("stops every kept server at the end, ready or still going quiet", async () => {
    const pool = new ServerPool();
    const ready = await scriptedServer("sleep 30");
    await pool.give("a", ready, true);
    await sleep(quietMs + 150);
    const settling = await scriptedServer("sleep 30");
    await pool.give("b", settling, true);
    await pool.stopAll();
    expect([alive(ready.pid), alive(settling.pid)]).toEqual([false, false]);
    // A case that outlived the file (its test timed out) gives its server back: it is stopped.
    const late = await scriptedServer("sleep 30");
    await pool.give("a", late, true);
    expect(alive(late.pid)).toBe(false);
  });

  it("keeps a server only when its account of the case is complete", () => {
    const processServer = { reuse: { running: () => true, saidAt: () => 0 } };
    const inProcess = { reuse: { running: () => true, saidAt: () => 0, inProcess: true } };
    const classified = { outcome: "rejected:unknown-ca", raw: "verify error", source: "local-verify" } as const;
    const silent = { outcome: "unclassified", raw: "said nothing within 3000 ms", source: "unknown" } as const;
    expect(keepAfter("accepted", undefined, processServer)).toBe(true);
    expect(keepAfter("refusal", classified, processServer)).toBe(true);
    expect(keepAfter("refusal", silent, processServer)).toBe(false);
    expect(keepAfter("other", undefined, processServer)).toBe(false);
    expect(keepAfter("own-refusal", undefined, processServer)).toBe(false);
    expect(keepAfter("own-refusal", undefined, inProcess)).toBe(true);
    expect(keepAfter("accepted", undefined, {})).toBe(false);
  });
});

describe("cases on a kept server of a real stack", () => {
  // gnutls-serv writes more lines after the one that settles a refusal; OpenSSL's s_server is the
  // stack most rows run on.
  const stacks = ["gnutls", "openssl"] as const;
  const missing = missingImplementations(...stacks);
  beforeEach((context) => {
    if (missing) context.skip(missing);
  });

  it.each(stacks)("%s: a refused case, then an accepted one on the same server, each read as its own", async (name) => {
    const implementation = implementationsFor("server", processRuntime).find((candidate) => candidate.name === name)!;
    const pool = new ServerPool();
    const context = { fixtures, timeoutMs: 10_000, servers: pool };
    try {
      const refused = await runScenario(row("client-auth::strict::untrusted-ca"), implementation, context);
      expect(refused.outcome).toBe("rejected:unknown-ca");
      expect(refused.evidence.server).toBeTruthy();
      await sleep(quietMs + 300);
      const accepted = await runScenario(row("client-auth::strict::valid-cert"), implementation, context);
      expect(pool.counts()).toEqual({ reused: 1, started: 1 });
      expect(accepted.outcome).toBe("accepted");
      expect(accepted.evidence.server).toBeUndefined();
      const refusedAgain = await runScenario(row("client-auth::strict::no-client-cert"), implementation, context);
      expect(refusedAgain.outcome).toBe("rejected:client-cert-required");
    } finally {
      await pool.stopAll();
    }
  });
});

describe("cases on a kept node server (in the harness's process)", () => {
  const node = () => implementationsFor("server", processRuntime).find((candidate) => candidate.name === "node")!;

  it("offers it to the next case as soon as its connections are closed, and each case reads only its own refusal", async () => {
    const pool = new ServerPool();
    const context = { fixtures, timeoutMs: 10_000, servers: pool };
    try {
      const refused = await runScenario(row("client-auth::strict::untrusted-ca"), node(), context);
      expect(refused.outcome).toBe("rejected:unknown-ca");
      // Well within the 250 ms a server process must be quiet.
      await sleep(inProcessQuietMs + 30);
      const accepted = await runScenario(row("client-auth::strict::valid-cert"), node(), context);
      expect(accepted.outcome).toBe("accepted");
      expect(accepted.evidence.server).toBeUndefined();
      await sleep(inProcessQuietMs + 30);
      const refusedAgain = await runScenario(row("client-auth::strict::no-client-cert"), node(), context);
      expect(refusedAgain.outcome).toBe("rejected:client-cert-required");
      expect(pool.counts()).toEqual({ reused: 2, started: 1 });
    } finally {
      await pool.stopAll();
    }
  });

  it("does not offer it while a connection to it is open", async () => {
    const pool = new ServerPool();
    const files = fixtures.certs.server!;
    const start = async () => nodeServer.startServer({ endpoint: await allocateEndpoint(), identity: { cert: files.cert, chain: files.chain, key: files.key }, clientAuth: "none", crls: [], sniIdentities: {} });
    const kept = await pool.take("node", start);
    await pool.give("node", kept, true);
    const open = connect({ host: kept.endpoint.host, port: kept.endpoint.port });
    await new Promise((resolve) => open.once("connect", resolve));
    await sleep(inProcessQuietMs + 50);
    const other = await pool.take("node", start);
    expect(other).not.toBe(kept);
    await other.stop();
    open.destroy();
    await sleep(inProcessQuietMs + 50);
    await expect(pool.take("node", start)).resolves.toBe(kept);
    await kept.stop();
  });
});
