import { describe, expect, it } from "vitest";
import { startProcess } from "./process.js";
import { sharedPeer, stopSharedPeers } from "./shared-peers.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("shared peers", () => {
  it("starts one peer per key however many ask at once, and stopSharedPeers stops it", async () => {
    let starts = 0;
    const start = () => {
      starts += 1;
      return startProcess("sh", ["-c", "echo ready; exec sleep 60"], { ready: /^ready$/m, readyTimeoutMs: 10_000, description: "a sleeping peer" });
    };
    const [a, b, c] = await Promise.all([sharedPeer("sleeper", start), sharedPeer("sleeper", start), sharedPeer("sleeper", start)]);
    expect(starts).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(alive(a.pid)).toBe(true);
    await stopSharedPeers();
    expect(alive(a.pid)).toBe(false);
    // The next use starts a new one.
    const d = await sharedPeer("sleeper", start);
    expect(starts).toBe(2);
    expect(d.pid).not.toBe(a.pid);
    await stopSharedPeers();
  });

  it("forgets a start that failed, so the next use tries again", async () => {
    const failing = () => startProcess("sh", ["-c", "exit 3"], { ready: /^ready$/m, readyTimeoutMs: 2_000, description: "a peer that exits" });
    await expect(sharedPeer("broken", failing)).rejects.toThrow(/failed to start a peer that exits/);
    const working = () => startProcess("sh", ["-c", "echo ready; exec sleep 60"], { ready: /^ready$/m, readyTimeoutMs: 10_000, description: "a sleeping peer" });
    const peer = await sharedPeer("broken", working);
    expect(alive(peer.pid)).toBe(true);
    await stopSharedPeers();
  });
});
