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
    expect(allocateLoopbackHost()).toMatch(/^127\.\d+\.\d+\.\d+$/);
  });

  it("refuses to allocate outside loopback", async () => {
    await expect(allocateEndpoint("10.1.2.3")).rejects.toThrow(NetworkError);
  });
});
