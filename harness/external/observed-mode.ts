// Derives the policy mode an endpoint enforces from how each probe was classified (docs/modes.md,
// "Policy modes"). An endpoint that fits no row is inconsistent, with evidence; a mode that would
// rest on a classification the oracle could not make is undetermined, never strict.
import type { PolicyMode } from "../core/observation.js";
import type { Classification } from "./oracle.js";

export type ObservedMode = PolicyMode | "inconsistent" | "undetermined";

/** classifications: keyed by check id (plaintext, tls::no-client-cert, client-cert::<credential>); "unstable" where attempts disagreed. */
export function deriveObservedMode(classifications: ReadonlyMap<string, Classification | "unstable">): { mode: ObservedMode; evidence: string[] } {
  const evidence = [...classifications].map(([id, classification]) => `${id}: ${classification}`);
  const unsure = [...classifications].filter(([, classification]) => classification === "undetermined" || classification === "unstable" || classification === "unreachable");
  if (unsure.length) {
    return { mode: "undetermined", evidence: [...evidence, `no mode while ${unsure.map(([id, classification]) => `${id} is ${classification}`).join(", ")}`] };
  }
  const is = (id: string, classification: Classification) => classifications.get(id) === classification;
  const tls = [...classifications].filter(([id]) => id !== "plaintext");
  const badCerts = tls.filter(([id]) => id.startsWith("client-cert::") && id !== "client-cert::valid");
  const badCertsRefused = badCerts.every(([, classification]) => classification === "refused");
  const validServed = !classifications.has("client-cert::valid") || is("client-cert::valid", "served");
  const noTls = tls.length > 0 && tls.every(([, classification]) => classification === "no-tls");

  if (noTls) {
    const spoken = ["the endpoint speaks no TLS on any probe"];
    return is("plaintext", "served") ? { mode: "disabled", evidence: [...evidence, ...spoken] } : { mode: "inconsistent", evidence: [...evidence, ...spoken, "and it does not serve plaintext either"] };
  }
  if (is("plaintext", "refused") && is("tls::no-client-cert", "refused") && badCertsRefused && validServed) return { mode: "strict", evidence };
  if (is("plaintext", "served") && badCertsRefused && validServed && !is("tls::no-client-cert", "no-tls")) {
    const how = is("tls::no-client-cert", "served") ? "TLS without a client certificate is passed through" : "TLS without a client certificate is rejected";
    return { mode: "permissive", evidence: [...evidence, how] };
  }
  const why: string[] = [];
  const served = badCerts.filter(([, classification]) => classification === "served").map(([id]) => id);
  if (served.length) why.push(`bad client certificates served: ${served.join(", ")}`);
  if (!validServed) why.push(`a valid client certificate was not served (${classifications.get("client-cert::valid")})`);
  if (is("plaintext", "refused") && is("tls::no-client-cert", "served")) why.push("TLS is required but client certificates are not");
  if (tls.some(([, classification]) => classification === "no-tls")) why.push("TLS works for some probes only");
  return { mode: "inconsistent", evidence: [...evidence, ...why] };
}
