// Servers kept for the next case that starts the same stack with the same configuration. Most
// server rows of a policy area differ only in what the client presents (107 server rows, 24 server
// setups), and a server start is most of such a case's cost (a process, its config files, its
// readiness wait). A kept server serves one case at a time: a case takes it whole and gives it
// back, and it is offered again only once it has gone quiet and its unread log is dropped, so the
// log a case reads is about its own connection. It is kept only when its account of the case was
// complete (keepAfter) and it still runs; every other server is stopped, as before.
import type { Classification } from "../core/outcome.js";
import type { AccountWait, RunningServer } from "../stacks/types.js";

/**
 * How long a given-back server must say nothing before it is offered again: a line about the last
 * case (gnutls's "Error in handshake" after its settling "Status" line) comes within a few ms of
 * the one before it (measured); this is that gap on a loaded machine, with room.
 */
export const quietMs = 250;
/**
 * The same for a server in the harness's own process that counts its open connections (the node
 * server): once none is open, what it records about them comes in the same turn of the event loop
 * (measured); this leaves a loaded event loop room. The reference server of a client row is
 * played by every client stack at once: with 250 ms, 48 of its 873 cases a run took a kept one.
 */
export const inProcessQuietMs = 20;
/** Kept servers per configuration: a worker runs a few cases at once (the budget), no more are needed. */
const keptPerKey = 4;

export class KeptServersError extends Error {}

/** MTLS_KEEP_SERVERS: 1 (the default) keeps servers between cases, 0 starts one for every case. */
export function keepServersFrom(value: string | undefined): boolean {
  if (value === undefined || value === "" || value === "1") return true;
  if (value === "0") return false;
  throw new KeptServersError(`failed to plan the servers: MTLS_KEEP_SERVERS=${value} is not 0 or 1`);
}

interface Kept {
  server: RunningServer;
  givenAt: number;
}

/** Whether a given-back server has been quiet long enough to be offered again. */
function quiet(reuse: NonNullable<RunningServer["reuse"]>, silentForMs: number): boolean {
  if (reuse.inProcess && reuse.openConnections) return reuse.openConnections() === 0 && silentForMs >= inProcessQuietMs;
  return silentForMs >= quietMs;
}

export class ServerPool {
  readonly #kept = new Map<string, Kept[]>();
  #reused = 0;
  #started = 0;
  #closed = false;

  /**
   * A kept server of `key` that still runs and has said nothing for quietMs since its case gave it
   * back, with what it said until then dropped; else a new one from `start`. One still going quiet
   * stays kept for a later case.
   */
  async take(key: string, start: () => Promise<RunningServer>): Promise<RunningServer> {
    const kept = this.#kept.get(key) ?? [];
    const now = Date.now();
    for (const entry of [...kept]) {
      const reuse = entry.server.reuse!;
      if (!reuse.running()) {
        kept.splice(kept.indexOf(entry), 1);
        await entry.server.stop();
      } else if (quiet(reuse, now - Math.max(entry.givenAt, reuse.saidAt()))) {
        kept.splice(kept.indexOf(entry), 1);
        await entry.server.takeRejection();
        this.#reused++;
        return entry.server;
      }
    }
    this.#started++;
    return start();
  }

  /** Gives the server back after a case: kept when `keep` (and it can serve again), else stopped. */
  async give(key: string, server: RunningServer, keep: boolean): Promise<void> {
    const kept = this.#kept.get(key) ?? [];
    // After stopAll (a case that outlived its file, its test timed out) nothing is kept.
    if (!keep || this.#closed || !server.reuse?.running() || kept.length >= keptPerKey) return server.stop();
    kept.push({ server, givenAt: Date.now() });
    this.#kept.set(key, kept);
  }

  /** How many cases took a kept server, and how many servers were started. */
  counts(): { reused: number; started: number } {
    return { reused: this.#reused, started: this.#started };
  }

  /** Stops every kept server, and keeps none given back after (the end of a test file). */
  async stopAll(): Promise<void> {
    this.#closed = true;
    const servers = [...this.#kept.values()].flat().map((entry) => entry.server);
    this.#kept.clear();
    await Promise.allSettled(servers.map((server) => server.stop()));
  }
}

/**
 * Whether the server's account of a case is complete, so nothing it writes later is about that
 * case: the client's exchange was accepted or it saw the server refuse, and the server's account is
 * either nothing or a classified one. After a timeout or an account the server did not give in
 * time, lines about the case may still come: that server is stopped. So is a server process after
 * the client's own refusal (it may log the alert it got at any time); a server in the harness's own
 * process has recorded it by the time it goes quiet.
 */
export function keepAfter(seen: AccountWait["seen"], account: Classification | undefined, server: Pick<RunningServer, "reuse">): boolean {
  if (!server.reuse) return false;
  if (seen === "own-refusal") return server.reuse.inProcess === true;
  return (seen === "accepted" || seen === "refusal") && account?.outcome !== "unclassified";
}
