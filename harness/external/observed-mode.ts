// Derives the policy mode an endpoint enforces from what the checks observed, following the
// table in DESIGN.md "Policy modes". An endpoint that fits no row is inconsistent, with evidence.
import type { Observation } from "../peers/types.js";
import type { PolicyMode } from "../scenario.js";

export type ObservedMode = PolicyMode | "inconsistent" | "unreachable";

// From outside only "was my request served?" is certain; these name the classes of outcome.
/** The request was answered. */
export const served = (o: Observation | undefined): boolean => o?.outcome === "accepted" || o?.outcome === "plaintext-accepted";
/** No TLS was spoken: the reply was not TLS, or the connection closed mid-handshake. */
export const noTls = (o: Observation | undefined): boolean =>
  o?.outcome === "rejected:protocol-version" || (o?.outcome === "unclassified" && /during the handshake/.test(o.evidence.client ?? ""));
export const unreachable = (o: Observation | undefined): boolean => o?.outcome === "connection-refused" || o?.outcome === "timeout";
/** The endpoint spoke and did not serve the request (an alert, a close, plaintext refused). */
export const refused = (o: Observation | undefined): boolean => o !== undefined && !served(o) && !noTls(o) && !unreachable(o);

/** observations: keyed by check id (plaintext, tls::no-client-cert, client-cert::<credential>). */
export function deriveObservedMode(observations: ReadonlyMap<string, Observation>): { mode: ObservedMode; evidence: string[] } {
  const plaintext = observations.get("plaintext");
  const noCert = observations.get("tls::no-client-cert");
  const tlsChecks = [...observations].filter(([id]) => id !== "plaintext");
  const evidence = [...observations].map(([id, o]) => `${id}: ${o.outcome}`);

  if ([...observations.values()].every(unreachable)) return { mode: "unreachable", evidence };
  const mustRefuse = tlsChecks.filter(([id]) => id.startsWith("client-cert::") && id !== "client-cert::valid");
  const valid = observations.get("client-cert::valid");
  const badCertsRefused = mustRefuse.every(([, o]) => refused(o));
  const validServed = valid === undefined || served(valid);

  if (served(plaintext) && tlsChecks.every(([, o]) => noTls(o))) return { mode: "disabled", evidence };
  if (refused(plaintext) && refused(noCert) && badCertsRefused && validServed) return { mode: "strict", evidence };
  if (served(plaintext) && badCertsRefused && validServed && (served(noCert) || refused(noCert))) {
    const how = served(noCert) ? "TLS without a client certificate is passed through" : "TLS without a client certificate is rejected";
    return { mode: "permissive", evidence: [...evidence, how] };
  }
  const why: string[] = [];
  if (!badCertsRefused) why.push(`bad client certificates served: ${mustRefuse.filter(([, o]) => !refused(o)).map(([id]) => id).join(", ")}`);
  if (!validServed) why.push("a valid client certificate was not served");
  if (refused(plaintext) && served(noCert)) why.push("TLS is required but client certificates are not");
  if (served(plaintext) && !tlsChecks.every(([, o]) => noTls(o)) && tlsChecks.some(([, o]) => noTls(o))) why.push("TLS works for some probes only");
  return { mode: "inconsistent", evidence: [...evidence, ...why] };
}
