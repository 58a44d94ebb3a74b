import { createServer, type Server } from "node:net";
import { createInterface } from "node:readline";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { allocateEndpoint, allocateLoopbackHost, isLoopback, NetworkError } from "./network.js";

describe("loopback endpoints", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.200.3.4", true],
    ["::1", true],
    ["10.0.0.1", false],
    ["192.168.1.1", false],
    ["8.8.8.8", false],
  ])("%s is loopback: %s", (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });

  it("gives each peer its own 127.x.y.z host and a free port there", async () => {
    const first = await allocateEndpoint();
    const second = await allocateEndpoint();
    expect(first.host).not.toBe(second.host);
    expect(isLoopback(first.host)).toBe(true);
    expect(first.port).toBeGreaterThan(0);
    expect(await allocateLoopbackHost()).toMatch(/^127\.\d+\.\d+\.\d+$/);
  });

  it("refuses to allocate outside loopback", async () => {
    await expect(allocateEndpoint("10.1.2.3")).rejects.toThrow(NetworkError);
  });
});

describe("a block of hosts a process", () => {
  it("is leased: a process whose first block is held by another takes another one", async () => {
    // The child says its pid before it allocates anything; this process then holds the block that
    // pid points to (the first one the child tries) and lets the child go on. Holding only that
    // block leaves every other one to the other processes of the run (holding all but one starved
    // them, and one of them could take the one left: seen once in CI).
    const script = `const m = await import("${new URL("./network.ts", import.meta.url).href}");
console.log(process.pid);
process.stdin.once("data", async () => { console.log((await m.allocateEndpoint()).host); process.exit(0); });`;
    const child = execa(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeout: 20_000, stdin: "pipe" });
    // Its stdout line by line; a line that never comes ends the wait when execa's timeout kills it.
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const line = async () => String((await lines.next()).value);
    const first = 1 + (Number(await line()) % 250);
    const marker: Server = createServer();
    // Held by this process, or already by another: either way the child must not take it.
    await new Promise<void>((resolve) => {
      marker.once("error", () => resolve());
      marker.listen({ host: `127.${first}.0.1`, port: 47_991, exclusive: true }, () => resolve());
    });
    try {
      child.stdin!.write("go\n");
      const host = await line();
      expect(host).toMatch(/^127\.\d+\.\d+\.\d+$/);
      expect(Number(host.split(".")[1])).not.toBe(first);
      await child;
    } finally {
      await new Promise((resolve) => marker.close(resolve));
    }
  });
});
