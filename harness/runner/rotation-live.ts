// Rotation under live traffic (docs/architecture.md "Live rotation"): one server under test moves
// from root A to root B while clients trusting A, A+B and B keep connecting. A server presents one
// chain at a time, so the phases are the server's chains:
//   a      the A leaf (issuer A, root A)              trusted by clients of A and A+B
//   cross  a B leaf sent with issuer B cross-signed  trusted by clients of A and A+B (it chains to A)
//          by root A
//   b      the B leaf with issuer B (root B)          trusted by clients of A+B and B; A-only refused
// The harness switches phases itself (RunningServer.rotate resolves once every new connection gets
// the new chain) and never sleeps: a phase ends when every client has finished enough handshakes
// that began and ended inside it. A handshake that straddles a switch is counted for the switch
// and must succeed for a client that trusts the chains on both sides of it; one the server reset
// there is counted apart (`reset`), a failure unless the stack records a deviation for the row.
import type { FixtureSet } from "../../fixtures/fixture-set.js";
import { serverName } from "../../fixtures/profiles.js";
import type { Implementation } from "../host/implementations.js";
import { referenceClient } from "../host/implementations.js";
import { allocateEndpoint } from "../core/network.js";
import type { KeyPairFiles, TlsClientConfig } from "../core/observation.js";
import { decisionCeilingMs } from "../runtime/deadlines.js";
import { probePlaintext } from "../core/probe.js";
import { startPlaintextApp, startSidecar } from "../stacks/common/sidecar.js";

export const trustPopulations = ["trust-a", "trust-ab", "trust-b"] as const;
export type TrustPopulation = (typeof trustPopulations)[number];
/** Behind a permissive detector, plaintext clients run beside the TLS ones: the app serves them in every phase. */
export type LivePopulation = TrustPopulation | "plaintext";

export interface LivePhase {
  name: "a" | "cross" | "b";
  /** The server's fixture profile in this phase. */
  cert: string;
  /** Populations whose trust covers the chain: every handshake of theirs must succeed. */
  covered: TrustPopulation[];
}

export const livePhases: LivePhase[] = [
  { name: "a", cert: "server", covered: ["trust-a", "trust-ab"] },
  { name: "cross", cert: "server-b-cross", covered: ["trust-a", "trust-ab"] },
  { name: "b", cert: "server-b", covered: ["trust-ab", "trust-b"] },
];

/** The live suite's row id, under which a stack records a deviation (stack `deviations`). */
export const liveRotationId = `rotation-live::${livePhases.map((phase) => phase.name).join("-")}::clients-a-ab-b`;
/** The same behind a permissive protocol detector, with plaintext clients beside the mTLS ones. */
export const permissiveLiveRotationId = `rotation-live::${livePhases.map((phase) => phase.name).join("-")}::permissive::mtls-a-ab-b-and-plaintext`;

export interface LiveOptions {
  /** Concurrent clients per trust population. */
  clientsPerPopulation: number;
  /** Handshakes each client completes wholly inside a phase before the harness moves on. */
  handshakesPerPhase: number;
  /** Bounds: the whole run, and the handshakes of all clients together. */
  timeoutMs: number;
  maxHandshakes: number;
  /**
   * Put a permissive protocol detector in front: the stack's own (haproxy, nginx) or else the
   * reference sidecar. The server then requires client certificates (trust-a), every TLS client
   * presents one, and plaintext clients join as a fourth population.
   */
  permissive?: boolean;
}

/** Counts for one phase (or the switch into it) and one population. */
export interface LiveCount {
  phase: string;
  population: LivePopulation;
  /** Whether the population's trust covers the server's chain (both sides, for a switch). */
  covered: boolean;
  accepted: number;
  /** Refused with the outcome expected of an uncovered client (rejected:unknown-ca). */
  refused: number;
  /** At a switch: the server reset the connection (ECONNRESET) during the handshake. */
  reset: number;
  /** Anything else: for a covered population any failure, for an uncovered one any acceptance. */
  failed: number;
  /** No decision within the client's deadline (ours): counted apart, it makes the case an error, not a fail. */
  undecided: number;
  failures: string[];
}

export class LiveRotationError extends Error {}

function keyPair(fixtures: FixtureSet, name: string): KeyPairFiles {
  const files = fixtures.certs[name];
  if (!files) throw new LiveRotationError(`failed to resolve fixture "${name}": no such profile`);
  return { cert: files.cert, key: files.key, chain: files.chainLength > 0 ? files.chain : undefined };
}

/**
 * Runs the three phases against `implementation`'s server and returns the counts per phase, per
 * switch and per population. Client connections: populations x clients x (phases x handshakes +
 * the handshakes that straddle the two switches), bounded by `timeoutMs` overall.
 */
export async function runLiveRotation(implementation: Implementation, fixtures: FixtureSet, options: LiveOptions): Promise<LiveCount[]> {
  const adapter = implementation.server;
  if (!adapter) throw new LiveRotationError(`failed to run live rotation: ${implementation.name} cannot play the server`);
  const app = options.permissive ? await startPlaintextApp(await allocateEndpoint()) : undefined;
  const detectsItself = Boolean(app && adapter.detectsProtocol);
  const clientAuth = app ? ({ clientAuth: "required", clientTrust: fixtures.bundles["trust-a"] } as const) : ({ clientAuth: "none" } as const);
  const server = await adapter
    .startServer({ endpoint: await allocateEndpoint(), identity: keyPair(fixtures, livePhases[0]!.cert), ...clientAuth, crls: [], sniIdentities: {}, ...(detectsItself && app ? { sidecar: { mode: "permissive", app: app.endpoint } } : {}) })
    .catch(async (error: unknown) => {
      await app?.stop();
      throw error;
    });
  const sidecar = app && !detectsItself
    ? await allocateEndpoint()
        .then((endpoint) => startSidecar({ endpoint, mode: "permissive", terminator: server.endpoint, app: app.endpoint }))
        .catch(async (error: unknown) => {
          await server.stop();
          await app.stop();
          throw error;
        })
    : undefined;
  const target = sidecar?.endpoint ?? server.endpoint;
  const counts = new Map<string, LiveCount>();
  const count = (phase: string, population: LivePopulation, covered: boolean): LiveCount => {
    const key = `${phase}/${population}`;
    let entry = counts.get(key);
    if (!entry) counts.set(key, (entry = { phase, population, covered, accepted: 0, refused: 0, reset: 0, failed: 0, undecided: 0, failures: [] }));
    return entry;
  };
  // The phase in force: an index into livePhases, or a switch in progress (index + 0.5).
  let position = 0;
  let stopping = false;
  const deadline = Date.now() + options.timeoutMs;
  // Handshakes each client has completed inside the current phase; the controller waits on them.
  const inPhase = new Map<number, number>();
  let wake: (() => void) | undefined;
  // A client that has its handshakes inside a phase rests until every client has them: more
  // handshakes inside a phase prove nothing the first ones did not, and they take CPU from the
  // switches' traffic (measured: about a third of a stack's handshakes were such extras). Before a
  // switch starts, every client is back at work with a handshake begun (`begun`), so handshakes
  // are in flight across it as they were when no client rested.
  let releaseRested!: () => void;
  let rested = new Promise<void>((resolve) => (releaseRested = resolve));
  const begun = new Set<number>();
  // From the release before a switch to its end, no client rests.
  let switching = false;
  const backToWork = (): void => {
    switching = true;
    begun.clear();
    releaseRested();
    rested = new Promise<void>((resolve) => (releaseRested = resolve));
  };
  const restsNow = (id: number): boolean => !switching && (inPhase.get(id) ?? 0) >= options.handshakesPerPhase;

  let handshakes = 0;
  const attempt = async (population: LivePopulation, id: number, config: TlsClientConfig): Promise<void> => {
    if (++handshakes > options.maxHandshakes) throw new LiveRotationError(`failed to finish the phases within ${options.maxHandshakes} handshakes`);
    const startedAt = position;
    begun.add(id);
    wake?.();
    const observation = population === "plaintext" ? await probePlaintext(target, decisionCeilingMs) : await referenceClient.connect(target, config, decisionCeilingMs);
    const endedAt = position;
    const phase = livePhases[Math.floor(startedAt)]!;
    const straddled = startedAt !== endedAt || !Number.isInteger(startedAt);
    // A handshake across a switch may have met either chain: it must succeed only for a client
    // that trusts both, and an uncovered one may be accepted or refused.
    const next = livePhases[Math.min(Math.floor(startedAt) + 1, livePhases.length - 1)]!;
    const label = straddled ? `${phase.name}->${next.name}` : phase.name;
    const covers = (at: LivePhase) => population === "plaintext" || at.covered.includes(population);
    const covered = covers(phase) && (!straddled || covers(next));
    const entry = count(label, population, covered);
    const served = population === "plaintext" ? "plaintext-accepted" : "accepted";
    if (covered ? observation.outcome === served : observation.outcome === served && straddled) entry.accepted++;
    else if (!covered && observation.outcome === "rejected:unknown-ca") entry.refused++;
    else {
      if (straddled && observation.outcome === "unclassified" && /^ECONNRESET\b/.test(observation.evidence.client ?? "")) entry.reset++;
      else if (observation.outcome === "timeout") entry.undecided++;
      else entry.failed++;
      if (entry.failures.length < 3) entry.failures.push(`${observation.outcome}: ${Object.values(observation.evidence).filter(Boolean).join("; ")}`);
    }
    if (!straddled) {
      inPhase.set(id, (inPhase.get(id) ?? 0) + 1);
      wake?.();
    }
  };
  const client = async (population: LivePopulation, id: number): Promise<void> => {
    const config: TlsClientConfig = { trust: population === "plaintext" ? undefined : fixtures.bundles[population], serverName, ...(app ? { identity: keyPair(fixtures, "client") } : {}) };
    try {
      while (!stopping && Date.now() < deadline) {
        await attempt(population, id, config);
        if (restsNow(id)) await rested;
      }
    } finally {
      wake?.(); // the controller re-checks its deadline
    }
  };

  const clients: Promise<void>[] = [];
  try {
    let id = 0;
    const populations: LivePopulation[] = app ? [...trustPopulations, "plaintext"] : [...trustPopulations];
    for (const population of populations) for (let index = 0; index < options.clientsPerPopulation; index++) clients.push(client(population, id++));
    const total = clients.length;
    const phaseDone = () => inPhase.size === total && [...inPhase.values()].every((done) => done >= options.handshakesPerPhase);
    for (let index = 0; index < livePhases.length; index++) {
      while (!phaseDone()) {
        if (Date.now() >= deadline || handshakes > options.maxHandshakes) throw new LiveRotationError(`failed to finish phase ${livePhases[index]!.name} within ${options.timeoutMs} ms`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (index + 1 === livePhases.length) break;
      backToWork();
      while (begun.size < total) {
        if (Date.now() >= deadline) throw new LiveRotationError(`failed to start the switch from phase ${livePhases[index]!.name} within ${options.timeoutMs} ms`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
      position = index + 0.5;
      inPhase.clear();
      if (!server.rotate) throw new LiveRotationError(`failed to rotate ${implementation.name}: its server has no rotate`);
      await server.rotate(keyPair(fixtures, livePhases[index + 1]!.cert));
      position = index + 1;
      switching = false;
    }
  } finally {
    stopping = true;
    releaseRested(); // a resting client sees `stopping` and ends
    const settled = await Promise.allSettled(clients);
    await sidecar?.stop();
    await server.stop();
    await app?.stop();
    const thrown = settled.find((result) => result.status === "rejected");
    if (thrown) throw (thrown as PromiseRejectedResult).reason;
  }
  const order = (entry: LiveCount) => livePhases.findIndex((phase) => entry.phase.startsWith(phase.name)) * 2 + (entry.phase.includes("->") ? 1 : 0);
  const rank = (population: LivePopulation) => (population === "plaintext" ? trustPopulations.length : trustPopulations.indexOf(population));
  return [...counts.values()].sort((left, right) => order(left) - order(right) || rank(left.population) - rank(right.population));
}
