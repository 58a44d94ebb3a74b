// The scenario model: plain data. A row names fixtures (by profile name), never files or ports,
// so the same row runs on any runtime and against any implementation that can play its subject.
import { isOutcome, type Outcome } from "./outcome.js";

export type PolicyMode = "strict" | "permissive" | "disabled";

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
}

export interface ClientSetup {
  /** Send plain HTTP instead of TLS. */
  plaintext?: boolean;
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
}

/** How one implementation legitimately differs from the policy: data, with the reason. */
/**
 * How one implementation legitimately differs from the policy, as data. `advisory`: the stack
 * does something else on purpose (documented, or a check it does not make); observing it is
 * reported apart and does not fail the run. `skip`: the stack cannot play the row at all.
 */
export type Deviation = { skip: string } | { advisory: Outcome; reason: string; reference: string };

export interface Scenario {
  /** Stable id, `<area>::<group>::<case>`; the test title. */
  id: string;
  title: string;
  /** Whose TLS stack is under test: the other side is the harness's reference (node:tls). */
  subject: "server" | "client";
  server: ServerSetup;
  client: ClientSetup;
  /** The policy's expected outcome. */
  expect: Outcome;
  /** Per implementation (adapter name): a different expected outcome with its reason, or a skip. */
  deviations?: Record<string, Deviation>;
}

export class CatalogueError extends Error {}

/** Validates a catalogue: unique ids in the area's namespace, known outcomes. */
export function defineCatalogue(area: string, rows: Scenario[]): Scenario[] {
  const seen = new Set<string>();
  for (const row of rows) {
    if (!row.id.startsWith(`${area}::`)) throw new CatalogueError(`failed to define catalogue "${area}": id "${row.id}" is outside the area`);
    if (seen.has(row.id)) throw new CatalogueError(`failed to define catalogue "${area}": duplicate scenario id "${row.id}"`);
    seen.add(row.id);
    const outcomes = [row.expect, ...Object.values(row.deviations ?? {}).flatMap((d) => ("advisory" in d ? [d.advisory] : []))];
    for (const outcome of outcomes) {
      if (!isOutcome(outcome)) throw new CatalogueError(`failed to define catalogue "${area}": "${row.id}" expects unknown outcome "${outcome}"`);
    }
  }
  return rows;
}

export type Expectation = { expect: Outcome; advisory?: { outcome: Outcome; reason: string; reference: string } } | { skip: string };

/** What the row expects of one implementation: the policy, and its advisory deviation if any. */
export function expectationFor(row: Scenario, implementation: string): Expectation {
  const deviation = row.deviations?.[implementation];
  if (!deviation) return { expect: row.expect };
  if ("skip" in deviation) return deviation;
  return { expect: row.expect, advisory: { outcome: deviation.advisory, reason: deviation.reason, reference: deviation.reference } };
}

export type Verdict = "pass" | "advisory" | "fail";

/** A required mismatch fails; the recorded advisory outcome is reported apart. */
export function judge(observed: Outcome, expectation: Exclude<Expectation, { skip: string }>): Verdict {
  if (observed === expectation.expect) return "pass";
  return observed === expectation.advisory?.outcome ? "advisory" : "fail";
}
