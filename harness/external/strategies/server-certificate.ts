// server-chain, server-name, server-identity: the server's certificate, read from one inspection
// handshake after the groups, verified against the trust bundle, the server name or the expected
// URI SAN.
import { checkServerIdentity } from "node:tls";
import { uriSans } from "../../core/probe.js";
import { matcherFor, type CheckResult } from "../check-result.js";
import type { Exchange } from "../endpoint-probe.js";
import type { ExternalSettings } from "../settings.js";
import type { CheckOf, JudgeView, ProbeStrategy } from "./strategy.js";

type ServerKind = "server-chain" | "server-name" | "server-identity";

type Verify = (view: NonNullable<Exchange["server"]>, settings: ExternalSettings) => { ok: boolean; observed: string; detail: string };

const verifiers: Record<ServerKind, Verify> = {
  "server-chain": ({ authorized, authorizationError, certificate }) =>
    authorized
      ? { ok: true, observed: "chain verified", detail: `subject ${certificate.subject?.CN ?? ""}, issuer ${certificate.issuer?.CN ?? ""}` }
      : { ok: false, observed: `chain not verified: ${authorizationError}`, detail: `issuer ${certificate.issuer?.CN ?? "?"}` },
  "server-name": ({ certificate }, settings) => {
    const mismatch = checkServerIdentity(settings.serverName!, certificate);
    return mismatch
      ? { ok: false, observed: "name mismatch", detail: mismatch.message }
      : { ok: true, observed: `matches ${settings.serverName}`, detail: certificate.subjectaltname ?? `CN=${certificate.subject?.CN}` };
  },
  "server-identity": ({ certificate }, settings) => {
    const identities = uriSans(certificate);
    return identities.includes(settings.expectIdentity!)
      ? { ok: true, observed: settings.expectIdentity!, detail: `URI SANs: ${identities.join(", ")}` }
      : { ok: false, observed: identities.join(", ") || "no URI SAN", detail: `expected ${settings.expectIdentity}` };
  },
};

function judgeServer(check: CheckOf<ServerKind>, view: JudgeView): CheckResult {
  const matcher = matcherFor(check, view.settings.expectMode);
  const expected = matcher ?? "-";
  if (!matcher) return { id: check.id, title: check.title, expected, observed: "no TLS spoken", pass: false, verdict: "recorded", detail: "no verdict where no TLS is expected" };
  const server = view.inspection?.server;
  const verdict = server ? verifiers[check.probe.kind as ServerKind](server, view.settings) : { ok: false, observed: "no TLS handshake", detail: view.inspection?.raw ?? "no certificate seen" };
  return { id: check.id, title: check.title, expected, observed: verdict.observed, pass: verdict.ok, verdict: verdict.ok ? "pass" : "fail", detail: verdict.detail };
}

const serverStrategy = <K extends ServerKind>(kind: K): ProbeStrategy<K> => ({ kind, inspects: true, judge: judgeServer });

export const serverChainStrategy = serverStrategy("server-chain");
export const serverNameStrategy = serverStrategy("server-name");
export const serverIdentityStrategy = serverStrategy("server-identity");
