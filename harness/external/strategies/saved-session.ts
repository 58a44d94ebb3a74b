// saved-session: each attempt offers a session an earlier run saved (--resume-sessions), beside a
// full handshake with its certificate now; judged only where that full handshake is refused.
import { confirm, determined } from "../confirm.js";
import type { CheckResult } from "../check-result.js";
import { probeEndpoint, type Exchange, type ProbeSpec } from "../endpoint-probe.js";
import { judge, type Classification, type Control, type Judgement } from "../oracle.js";
import { protocolSpec } from "../probe-specs.js";
import { describeSavedCertificate, type SessionFile } from "../saved-sessions.js";
import { fallbackExcludes, resumptionJudgement } from "./resume.js";
import type { ProbeRun, ProbeStrategy } from "./strategy.js";

/**
 * One attempt of a saved-session check: the full handshake with the saved certificate now, and the
 * saved session offered with it. Both must agree on a repeat. A session that was not resumed but
 * served where the full handshake was refused means two full handshakes disagreed: undetermined.
 */
function savedSessionJudgement(full: Judgement, offered: Exchange, control: Control): Judgement {
  const judgement = resumptionJudgement(offered, control);
  const shape = `full ${full.shape}; offered ${judgement.shape}`;
  const fullText = `a full handshake with the saved certificate is ${full.classification} (${full.answer})`;
  if (!determined(full.classification)) return { classification: "undetermined", answer: judgement.answer, reason: `${fullText}: ${full.reason}`, shape };
  if (full.classification === "refused" && judgement.classification === "served" && !offered.tls?.resumed) {
    return { classification: "undetermined", answer: judgement.answer, reason: `${fullText}, yet offering the session made another full handshake that was served: the two disagree`, shape };
  }
  return { ...judgement, reason: `${fullText}; the saved session ${judgement.reason}`, shape };
}

/** Judged only where the full handshake is refused; where it is served the certificate is still trusted and nothing is judged. */
function savedSessionResult(result: CheckResult, fulls: Classification[], file: SessionFile): CheckResult {
  const age = Math.round((Date.now() - Date.parse(file.savedAt)) / 1000);
  const origin = `session saved ${age} s ago with ${describeSavedCertificate(file)}`;
  if (fulls[0] === "served" && determined(result.observed as Classification)) {
    return {
      ...result,
      observed: `still trusted (${result.observed})`,
      pass: false,
      verdict: "recorded",
      detail: `the endpoint still trusts the saved certificate (a full handshake with it is served), so this run cannot show whether a session outlives that trust; ${origin}; ${result.detail}`.slice(0, 600),
    };
  }
  return { ...result, detail: `${origin}; ${result.detail}`.slice(0, 600) };
}

const savedSpec = (version: "tls1.2" | "tls1.3", run: ProbeRun): ProbeSpec => ({ ...run.specFor("tls"), identity: run.saved!.identity, ...protocolSpec[version] });

export const savedSessionStrategy: ProbeStrategy<"saved-session"> = {
  kind: "saved-session",
  async unprobed(check, run) {
    const { version } = check.probe;
    const excluded = fallbackExcludes(version, run);
    if (excluded) return excluded;
    const { sessions, problem } = run.saved!.file.versions[version];
    return sessions.length ? undefined : `no TLS ${version.slice(3)} session in ${run.settings.resumeSessions}: ${problem ?? "the saving run saved none"}`;
  },
  async probe(check, run) {
    const { version } = check.probe;
    const { sessions } = run.saved!.file.versions[version];
    const fulls: Classification[] = [];
    // The i-th attempt offers the i-th session saved for that version.
    const attempts = await confirm(async (index) => {
      const full = judge(await probeEndpoint(savedSpec(version, run)), run.control);
      const offered = await probeEndpoint({ ...savedSpec(version, run), session: Buffer.from(sessions[index % sessions.length]!, "base64") });
      fulls.push(full.classification);
      return savedSessionJudgement(full, offered, run.control);
    });
    return { attempts, result: (common) => savedSessionResult(common, fulls, run.saved!.file) };
  },
};
