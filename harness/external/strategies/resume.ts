// resume: a session established on --resume-from's name (default a name the endpoint does not
// serve), without a certificate or presenting the identity not allowed, offered on the server name
// presenting the same; judged against the control, saying whether the server resumed it.
import type { ClientCredential } from "../checks.js";
import { confirm } from "../confirm.js";
import { probeEndpoint, type Exchange } from "../endpoint-probe.js";
import { describeIdentity, otherIdentity } from "../identities.js";
import { judge, type Control, type Judgement } from "../oracle.js";
import { protocolSpec, unservedName } from "../probe-specs.js";
import type { ProbeRun, ProbeStrategy } from "./strategy.js";

/** The oracle's judgement of a resumption attempt, saying whether the server resumed the session or made a full handshake. */
export function resumptionJudgement(exchange: Exchange, control: Control): Judgement {
  const judgement = judge(exchange, control);
  const how = exchange.tls ? (exchange.tls.resumed ? "resumed" : "not resumed (a full handshake)") : "no handshake";
  return { ...judgement, reason: `${how}: ${judgement.reason}`, shape: `${judgement.shape}${exchange.tls?.resumed ? " resumed" : ""}` };
}

/** Judged over TLS 1.2 only: a check forcing TLS 1.3 would meet the refused control's answer. */
export const fallbackExcludes = (version: "tls1.2" | "tls1.3", run: ProbeRun): string | undefined =>
  run.fallback && version === "tls1.3" ? `this path is judged over TLS 1.2 only: ${run.fallback.reason}` : undefined;

async function resumedExchange(version: "tls1.2" | "tls1.3", presented: "none" | "other-identity", run: ProbeRun): Promise<Exchange | string> {
  const { settings } = run;
  const from = settings.resumeFrom ?? unservedName;
  const credential: ClientCredential | "none" = presented === "none" ? "none" : `other-${settings.allowIdentities[0]!.kind}`;
  const established = await probeEndpoint({ ...run.specFor("tls", credential), ...protocolSpec[version], serverName: from, httpHost: from });
  if (!established.session) {
    const how = established.tls ? "completed but issued no session" : `did not complete (${established.alert ? `alert ${established.alert.name}` : established.raw})`;
    const withWhat = presented === "none" ? "without a client certificate" : `presenting ${describeIdentity(otherIdentity(settings.allowIdentities[0]!.kind, settings.allowIdentities))}`;
    return `no session to resume: the TLS ${version.slice(3)} handshake ${withWhat} on ${from} ${how}`;
  }
  return probeEndpoint({ ...run.specFor("tls", credential), ...protocolSpec[version], session: established.session });
}

export const resumeStrategy: ProbeStrategy<"resume"> = {
  kind: "resume",
  unprobed: async (check, run) => fallbackExcludes(check.probe.version, run),
  async probe(check, run) {
    const { version, credential } = check.probe;
    let noSession: string | undefined;
    const attempts = await confirm(async (index) => {
      const exchange = await resumedExchange(version, credential, run);
      if (typeof exchange !== "string") return resumptionJudgement(exchange, run.control);
      // No session on the first attempt: not probed (an undetermined first attempt ends confirm).
      if (index === 0) noSession = exchange;
      return { classification: "undetermined", answer: exchange, reason: exchange, shape: "no session" };
    });
    return noSession ? { notProbed: noSession } : { attempts };
  },
};
