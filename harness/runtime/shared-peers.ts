// Long-lived peers shared by cases, such as the Java and Python peer services: started on first use
// in this process and stopped by stopSharedPeers at the end of the test file, or started once for
// the whole run by the suites' global setup and adopted here (adoptSharedPeer), which this process
// uses but never stops. A peer's process group is also held by exit-cleanup.ts like any other, so
// SIGINT stops it.
interface Stoppable {
  stop(): Promise<void>;
}

const running = new Map<string, Promise<Stoppable>>();
const adopted = new Map<string, Stoppable>();

/** Uses `peer`, started and stopped by another process (the run's global setup), for `key`. */
export function adoptSharedPeer<T extends Stoppable>(key: string, peer: T): void {
  adopted.set(key, peer);
}

/** The peer under `key`, started by `start` on first use; a start that failed is retried next time. */
export function sharedPeer<T extends Stoppable>(key: string, start: () => Promise<T>): Promise<T> {
  const owned = adopted.get(key);
  if (owned) return Promise.resolve(owned as T);
  const existing = running.get(key);
  if (existing) return existing as Promise<T>;
  const peer = start();
  running.set(key, peer);
  peer.catch(() => running.delete(key));
  return peer;
}

/** Stops every shared peer this process started (the suite's afterAll); the next use starts a new one. */
export async function stopSharedPeers(): Promise<void> {
  const peers = [...running.values()];
  running.clear();
  await Promise.all(peers.map(async (peer) => (await peer.catch(() => undefined))?.stop()));
}
