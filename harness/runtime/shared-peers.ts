// Long-lived peers shared by every case of a run (one per test file's worker and runtime), such as
// the Java client JVM: started on first use, stopped by stopSharedPeers at the end of the suite.
// A peer's process group is also held by exit-cleanup.ts like any other, so SIGINT stops it.
interface Stoppable {
  stop(): Promise<void>;
}

const running = new Map<string, Promise<Stoppable>>();

/** The peer under `key`, started by `start` on first use; a start that failed is retried next time. */
export function sharedPeer<T extends Stoppable>(key: string, start: () => Promise<T>): Promise<T> {
  const existing = running.get(key);
  if (existing) return existing as Promise<T>;
  const peer = start();
  running.set(key, peer);
  peer.catch(() => running.delete(key));
  return peer;
}

/** Stops every shared peer (the suite's afterAll); the next use starts a new one. */
export async function stopSharedPeers(): Promise<void> {
  const peers = [...running.values()];
  running.clear();
  await Promise.all(peers.map(async (peer) => (await peer.catch(() => undefined))?.stop()));
}
