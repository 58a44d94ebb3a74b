import { createServer, type Server } from "node:net";
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
  it("is leased: a process whose block, and every other, is held by others takes the one left", async () => {
    // Hold the lease marker of every block but one (this process's own is held already, by its
    // first allocation), then let another process allocate: it must land in the free block.
    const own = Number((await allocateEndpoint()).host.split(".")[1]);
    const free = 1 + ((own + 124) % 250);
    const held: Server[] = [];
    for (let block = 1; block <= 250; block++) {
      if (block === free) continue;
      const marker = createServer();
      await new Promise<void>((resolve) => {
        marker.once("error", () => resolve());
        marker.listen({ host: `127.${block}.0.1`, port: 47_991, exclusive: true }, () => (held.push(marker), resolve()));
      });
    }
    try {
      const child = await execa(process.execPath, ["--import", "tsx", "-e", `import("${new URL("./network.ts", import.meta.url).href}").then(async (m) => console.log((await m.allocateEndpoint()).host))`], { timeout: 20_000 });
      expect(child.stdout.trim()).toMatch(new RegExp(`^127\\.${free}\\.\\d+\\.\\d+$`));
    } finally {
      await Promise.all(held.map((marker) => new Promise((resolve) => marker.close(resolve))));
    }
  });
});
