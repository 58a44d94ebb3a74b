// The scenario model: plain data. A row names fixtures (by profile name), never files or ports,
// so the same row runs on any runtime and against any implementation that can play its subject.
import { capabilities, capabilitySkip, isCapability, type Capability, type CapabilityDeclarations, type CapabilitySkipKind } from "./capabilities.js";
import type { ConformanceVerdict } from "./case-record.js";
import type { Observation, PolicyMode, TlsVersion } from "./observation.js";
import type { ClientHelloShape, PlaintextApp, PlaintextPayload } from "./first-flight.js";
import { isOutcome, type Outcome } from "./outcome.js";

export interface ServerSetup {
  /** Fixture profile the server presents (with its chain). */
  cert: string;
  /** Client-certificate policy: none (no CertificateRequest), optional (request, verify if sent), required. */
  clientAuth?: "none" | "optional" | "required";
  /** Trust bundle for client certificates. */
  clientTrust?: string;
  /** CRLs (fixture names) checked for client certificates. */
  crls?: string[];
  /** Certificates chosen by SNI: server name -> fixture profile. */
  sniCerts?: Record<string, string>;
  /** A pinned loopback address (IP-SAN rows); otherwise the runtime allocates one. */
  listenHost?: string;
  /** Put a protocol-detecting sidecar in front of the TLS server, in this mode. */
  sidecarMode?: PolicyMode;
  /**
   * A second listener of the same detector, in this mode, for the same app and terminator (a
   * per-port mode); the probe goes to the sidecarMode listener.
   */
  sidecarOtherPort?: PolicyMode;
  /** The plaintext app behind the sidecar: HTTP (the default), or one that speaks first (a banner on connect). */
  sidecarApp?: PlaintextApp;
  /** The lowest protocol version the server accepts. */
  minVersion?: TlsVersion;
  /** The highest version the server speaks: the reference server only (rows whose subject is the client). */
  maxVersion?: TlsVersion;
  /** Client identities (URI or DNS SANs) the server admits; others are refused as not authorized. */
  allowedIdentities?: string[];
}

export interface ClientSetup {
  /** Send plain HTTP instead of TLS. */
  plaintext?: boolean;
  /** What a plaintext client sends instead of an HTTP request (probe.ts PlaintextPayload). */
  plaintextPayload?: PlaintextPayload;
  /** Connect, then wait this long before the first byte (past a detector's timeout). */
  firstByteDelayMs?: number;
  /** How the reference client cuts its ClientHello on the wire (probe.ts ClientHelloShape). */
  clientHelloShape?: ClientHelloShape;
  /** Fixture profile presented as the client certificate (with its chain). */
  cert?: string;
  /** Trust bundle used to verify the server. */
  trust?: string;
  /** SNI to send; null sends none. */
  serverName?: string | null;
  /** DNS name the server certificate must match; defaults to serverName. */
  verifyName?: string;
  /** IP address the server certificate must match (IP SAN). */
  verifyIp?: string;
  /** URI SAN (SPIFFE ID) the server certificate must carry. */
  expectIdentity?: string;
  /** Versions offered: the reference client only (rows whose subject is the server). */
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
}

/**
 * Resumption across a trust change (subject server): the reference client completes a full
 * handshake and keeps the session, the server then checks client certificates against `retrust`
 * (RunningServer.retrust; fixture names, unset keeps the setup's), and the client offers the kept
 * session with the same certificate. The second connection is what the row judges.
 */
export interface Resumption {
  /** How the client keeps its session: a ticket (TLS 1.2 or 1.3) or a TLS 1.2 session ID. */
  via: "ticket" | "session-id";
  retrust: { clientTrust?: string; crls?: string[] };
  /** The controls: the policy expects the session to be resumed, and a full handshake fails the row. */
  resumes?: boolean;
}

/**
 * How one implementation legitimately behaves differently from the policy, as data: the stack does
 * something else on purpose (documented, or a check it does not make); observing its `outcome` is
 * reported apart and does not fail the run. What a stack cannot do at all is not a deviation: it
 * is a capability the stack does not declare (StackDefinition.can, .cannot), and rows that need it are skipped.
 */
export interface Deviation {
  outcome: Outcome;
  reason: string;
  reference: string;
  /**
   * The stack shows the deviation in some runs only (a race of its own, measured): the status comes
   * from what this run saw, the policy's outcome is a pass (not `fixed`), and `npm run flake`
   * allows exactly this flip.
   */
  intermittent?: boolean;
}

/**
 * What a recorded deviation is: `other-reason` when the policy is still met (the row expects a
 * refusal and the stack refuses, for another reason), else `known-violation` (the policy is not
 * met: something the row refuses is accepted, or something it accepts is refused).
 */
export function deviationStatus(expected: Outcome, deviation: Pick<Deviation, "outcome">): "known-violation" | "other-reason" {
  return expected.startsWith("rejected:") && deviation.outcome.startsWith("rejected:") ? "other-reason" : "known-violation";
}

export interface Scenario {
  /** Stable id, `<area>::<group>::<case>`; the test title. */
  id: string;
  title: string;
  /** Whose TLS stack is under test: the other side is the harness's reference (node:tls). */
  subject: "server" | "client";
  server: ServerSetup;
  client: ClientSetup;
  /** Offer a session from an earlier handshake after the server's trust changed. */
  resumption?: Resumption;
  /** The policy's expected outcome. */
  expect: Outcome;
  /** What the row needs of the stack under test beyond a plain handshake (capabilities.ts). */
  needs?: Capability[];
  /** Per implementation (stack name): a different behaviour it shows on purpose, with the reason. */
  deviations?: Record<string, Deviation>;
  /**
   * The protocol detector in front of the TLS server decides this row alone (a plaintext probe, or
   * any probe in disabled mode: the TLS server never sees the connection). It is played by each
   * detector, named after it (the harness's reference sidecar, a stack that detects the protocol
   * itself), not repeated under every TLS stack's name.
   */
  detector?: boolean;
  /** Set on the benchmark's copies of a row (id suffixed #2): the id deviations are recorded under. */
  copyOf?: string;
}

/**
 * The capabilities a row's setup asks of the stack under test. A row must declare them in `needs`
 * (so the table says it), and defineCatalogue checks it does.
 */
function impliedNeeds(row: Scenario): Capability[] {
  const needs: Capability[] = [];
  // The other side speaks TLS 1.3 alone, or the server under test is set to it.
  const otherSideTls13Only = row.subject === "client" ? row.server.minVersion === "TLSv1.3" : row.client.minVersion === "TLSv1.3" || row.server.minVersion === "TLSv1.3";
  if (otherSideTls13Only) needs.push("tls1.3");
  if (row.subject === "client") {
    if (row.client.expectIdentity) needs.push("require-uri-san");
    const sni = row.client.serverName ?? undefined;
    if (row.client.verifyName !== undefined && row.client.verifyName !== sni) needs.push("verify-name-other-than-sni");
    if (row.client.verifyIp !== undefined) needs.push("verify-ip-san");
    if (row.client.cert !== undefined) needs.push("present-client-certificate");
  } else {
    if (Object.keys(row.server.sniCerts ?? {}).length > 1) needs.push("serve-several-sni-names");
    if (row.server.allowedIdentities) needs.push("authorize-client-identity");
    if (row.resumption) needs.push("reload-trust");
    if (row.resumption?.via === "session-id") needs.push("resume-session-id");
    // CRLs added to a server that started without any (haproxy can replace only a declared crl-file).
    if (row.resumption?.retrust.crls?.length && !row.server.crls?.length) needs.push("add-crl");
  }
  return needs;
}

/** Settings only the reference peer honours, set on the side under test. */
function referenceOnlyOnSubject(row: Scenario): string | undefined {
  if (row.subject === "server" && row.server.maxVersion) return "server.maxVersion";
  if (row.subject === "client" && (row.client.minVersion || row.client.maxVersion)) return "client.minVersion/maxVersion";
  if (row.subject === "client" && (row.client.firstByteDelayMs || row.client.clientHelloShape || row.client.plaintextPayload)) return "client.firstByteDelayMs/clientHelloShape/plaintextPayload";
  return undefined;
}

export class CatalogueError extends Error {}

/** Validates a catalogue: unique ids in the area's namespace, known outcomes. */
export function defineCatalogue(area: string, rows: Scenario[]): Scenario[] {
  const seen = new Set<string>();
  for (const row of rows) {
    if (!row.id.startsWith(`${area}::`)) throw new CatalogueError(`failed to define catalogue "${area}": id "${row.id}" is outside the area`);
    if (seen.has(row.id)) throw new CatalogueError(`failed to define catalogue "${area}": duplicate scenario id "${row.id}"`);
    seen.add(row.id);
    for (const need of row.needs ?? []) {
      if (!isCapability(need)) throw new CatalogueError(`failed to define catalogue "${area}": "${row.id}" needs unknown capability "${need}" (known: ${Object.keys(capabilities).join(", ")})`);
    }
    for (const need of impliedNeeds(row)) {
      if (!row.needs?.includes(need)) throw new CatalogueError(`failed to define catalogue "${area}": "${row.id}" needs "${need}" by its setup but does not declare it`);
    }
    if (row.resumption && row.subject !== "server") throw new CatalogueError(`failed to define catalogue "${area}": "${row.id}" resumes a session, which only a server under test is asked to refuse`);
    const misplaced = referenceOnlyOnSubject(row);
    if (misplaced) throw new CatalogueError(`failed to define catalogue "${area}": "${row.id}" sets ${misplaced}, which only the reference peer honours, on the side under test`);
    const outcomes = [row.expect, ...Object.values(row.deviations ?? {}).map((deviation) => deviation.outcome)];
    for (const outcome of outcomes) {
      if (!isOutcome(outcome)) throw new CatalogueError(`failed to define catalogue "${area}": "${row.id}" expects unknown outcome "${outcome}"`);
    }
  }
  return rows;
}

/** A recorded deviation as one implementation's expectation carries it. */
export interface ExpectedDeviation {
  outcome: Outcome;
  reason: string;
  reference: string;
  /** What observing it means: the policy not met, or met by another refusal (deviationStatus). */
  status: "known-violation" | "other-reason";
  intermittent?: boolean;
}

/** Why a cell is not played: the stack cannot, our peer program does not drive it yet, or the stack does not declare it. */
export type SkipKind = CapabilitySkipKind;

export type Expectation = { expect: Outcome; deviation?: ExpectedDeviation; resumed?: boolean; fullHandshake?: Outcome } | { skip: string; skipKind: SkipKind };

/**
 * What the row expects of one implementation: a skip when the row needs what the stack does not
 * declare it can do (capabilitySkip: the stack's reason, or that it does not declare it), else the
 * policy and its recorded deviation if any.
 */
export function expectationFor(row: Scenario, implementation: CapabilityDeclarations & { name: string; deviations?: Record<string, Deviation> }): Expectation {
  const skip = capabilitySkip(implementation.name, implementation, row.needs ?? []);
  if (skip) return { skip: skip.reason, skipKind: skip.kind };
  // A stack may record its deviation on the row or, keyed by the row's id, in its own folder.
  const recorded = row.deviations?.[implementation.name] ?? implementation.deviations?.[row.copyOf ?? row.id];
  // A resumption row proves the trust change took effect: a fresh full handshake gets the policy's outcome.
  const resumed = row.resumption ? { fullHandshake: row.expect, ...(row.resumption.resumes ? { resumed: true } : {}) } : {};
  if (!recorded) return { expect: row.expect, ...resumed };
  const deviation: ExpectedDeviation = {
    outcome: recorded.outcome,
    reason: recorded.reason,
    reference: recorded.reference,
    status: deviationStatus(row.expect, recorded),
    ...(recorded.intermittent ? { intermittent: true } : {}),
  };
  return { expect: row.expect, deviation, ...resumed };
}

/**
 * The status of one played case from what was observed (harness/core/case-record.ts statusTable):
 * - error: no decision was observed ("timeout": a deadline of ours ran out), so nothing can be
 *   said of the stack;
 * - fail: a resumption row whose control session was not resumed, or whose full handshake after
 *   the trust change did not get the policy's outcome (the change did not take effect); or an
 *   outcome that is neither the policy's nor the recorded deviation's;
 * - pass: the policy's outcome; `fixed` instead when a deviation is recorded for this stack and
 *   is not intermittent (the record is stale);
 * - known-violation or other-reason: the recorded deviation's outcome.
 */
export function judge(observed: Outcome, expectation: Exclude<Expectation, { skip: string }>, seen: Pick<Observation, "resumed" | "fullHandshake"> = {}): ConformanceVerdict {
  if (observed === "timeout" || seen.fullHandshake === "timeout") return "error";
  if (expectation.resumed !== undefined && seen.resumed !== expectation.resumed) return "fail";
  if (expectation.fullHandshake !== undefined && seen.fullHandshake !== expectation.fullHandshake) return "fail";
  const deviation = expectation.deviation;
  if (observed === expectation.expect) return deviation && !deviation.intermittent ? "fixed" : "pass";
  return observed === deviation?.outcome ? deviation.status : "fail";
}
