// Runs the external checks against one endpoint as a pipeline: plan the checks (plan.ts), probe the
// control first, then each group of checks with the control repeated after every group (tlsfuzzer's
// sanity probe), each check by the probe strategy of its kind (strategies/registry.ts) confirmed by
// repetition (confirm.ts), judge each against the expected mode with the differential oracle, and
// report with the observed mode. Protocol paths are judged against the control forced onto the same
// path; with several --path values the whole run is repeated per path and the reports combined
// (combinePaths).
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { importIssuer } from "../../fixtures/import-issuer.js";
import type { CheckVerdict } from "../core/case-record.js";
import type { KeyPairFiles } from "../core/observation.js";
import { forgetSecureContexts } from "../core/probe.js";
import { exitCodeOf, notProbedResult, probeResult, type CheckResult } from "./check-result.js";
import { isModeEvidence, type CheckDefinition, type ClientCredential, type ProtocolPath } from "./checks.js";
import { maxAttempts } from "./confirm.js";
import { probeEndpoint, type Exchange, type ProbeSpec } from "./endpoint-probe.js";
import { expiryHorizon, nearestExpiry, peerChain } from "./expiry.js";
import type { ExternalReport, RunStatus, VersionFallback } from "./external-report.js";
import { deriveObservedMode } from "./observed-mode.js";
import { isErrorAnswer, isPostHandshakeAuthRefusal, judge, shapeOf, type Classification, type Control, type Judgement } from "./oracle.js";
import { applicableChecks, controlCheckId, controlPathFor, credentialSpec, keyPair, trustDomainOf } from "./plan.js";
import { probeSpecOf, protocolPathAccepted, protocolSpec } from "./probe-specs.js";
import { endpointText, readSessionFile, savedCertificate, sessionFileFormat, sessionFileWarning, sessionVersions, writeSessionFile, type SavedVersion, type SessionFile, type SessionVersion } from "./saved-sessions.js";
import { issuerKeyPassphrase, type ExternalSettings } from "./settings.js";
import { strategyOf } from "./strategies/registry.js";
import type { JudgeView, ProbeOutcome, ProbeRun, SavedSessions } from "./strategies/strategy.js";

export type { CheckVerdict, CheckResult, ExternalReport, RunStatus, VersionFallback };
export { applicableChecks, controlPathFor, exitCodeOf };
export { settleMs, unservedName } from "./probe-specs.js";

/** --save-sessions: sessions saved per TLS version, one per establishing connection, so each attempt of a later run offers a session no attempt offered before (a server may accept a ticket once). */
const savedSessionsPerVersion = maxAttempts;

export async function runExternalChecks(settings: ExternalSettings): Promise<ExternalReport> {
  const preissued = new Map();
  if (settings.issuerCert && settings.issuerKey) {
    const { issuer } = await importIssuer(settings.issuerCert, settings.issuerKey, { passphrase: await issuerKeyPassphrase(settings) });
    preissued.set("user-issuer", issuer);
  }
  const saved = settings.resumeSessions ? await readSessionFile(settings.resumeSessions, settings) : undefined;
  const fixtures = await writeFixtureSet(credentialSpec(trustDomainOf(settings.expectIdentity), preissued.size > 0, settings.allowIdentities), new Date(), undefined, preissued);
  try {
    const savedIdentity = saved ? await writeSavedIdentity(fixtures, saved) : undefined;
    const reports: ExternalReport[] = [];
    for (const path of settings.paths) reports.push(await judgeEndpoint(settings, fixtures, path, saved && savedIdentity ? { file: saved, identity: savedIdentity } : undefined));
    const report = reports.length === 1 ? reports[0]! : combinePaths(settings, reports);
    if (settings.saveSessions && report.status !== "unreachable") report.savedSessions = await saveSessions(settings, fixtures, settings.saveSessions);
    return report;
  } finally {
    forgetSecureContexts(fixtures.dir);
    await removeFixtureSet(fixtures);
  }
}

/** The certificate of a session file, written beside the run's own (removed with them). */
async function writeSavedIdentity(fixtures: FixtureSet, saved: SessionFile): Promise<KeyPairFiles> {
  const files = { cert: join(fixtures.dir, "saved-session.crt"), key: join(fixtures.dir, "saved-session.key"), chain: saved.certificate.chainPem ? join(fixtures.dir, "saved-session.chain.pem") : undefined };
  await writeFile(files.cert, saved.certificate.pem);
  await writeFile(files.key, saved.certificate.keyPem, { mode: 0o600 });
  if (files.chain) await writeFile(files.chain, saved.certificate.chainPem!);
  return files;
}

/**
 * --save-sessions: establishes sessions with the run's valid certificate under TLS 1.2 and 1.3
 * (each version forced, on the first --path) and writes them, with the certificate and its key, to
 * the session file (mode 0600).
 */
async function saveSessions(settings: ExternalSettings, fixtures: FixtureSet, path: string): Promise<NonNullable<ExternalReport["savedSessions"]>> {
  const identity = keyPair(fixtures, "valid");
  const versions = {} as Record<SessionVersion, SavedVersion>;
  for (const version of sessionVersions) {
    const saved: SavedVersion = { sessions: [], answer: "" };
    for (let index = 0; index < savedSessionsPerVersion; index++) {
      const exchange = await probeEndpoint({ ...probeSpecOf(settings, settings.paths[0]!, "tls", identity), ...protocolSpec[version] });
      if (index === 0) saved.answer = exchange.answer?.text ?? exchange.raw;
      if (!exchange.session) {
        if (index === 0) saved.problem = `the TLS ${version.slice(3)} handshake with the valid certificate ${exchange.tls ? "completed but issued no session" : `did not complete (${exchange.alert ? `alert ${exchange.alert.name}` : exchange.raw})`}`;
        break;
      }
      saved.sessions.push(exchange.session.toString("base64"));
    }
    versions[version] = saved;
  }
  const [pem, keyPem] = await Promise.all([readFile(identity.cert, "utf8"), readFile(identity.key, "utf8")]);
  const chainPem = identity.chain ? await readFile(identity.chain, "utf8") : undefined;
  const file: SessionFile = {
    format: sessionFileFormat,
    warning: sessionFileWarning,
    savedAt: new Date().toISOString(),
    target: endpointText(settings),
    serverName: settings.serverName ?? null,
    certificate: savedCertificate(pem, chainPem, keyPem),
    versions,
  };
  await writeSessionFile(path, file);
  return {
    file: path,
    sessions: { "tls1.2": versions["tls1.2"].sessions.length, "tls1.3": versions["tls1.3"].sessions.length },
    problems: sessionVersions.flatMap((version) => (versions[version].problem ? [versions[version].problem!] : [])),
  };
}

async function judgeEndpoint(settings: ExternalSettings, fixtures: FixtureSet, httpPath: string, saved?: SavedSessions): Promise<ExternalReport> {
  // Set when the control is refused over TLS 1.3 and served over TLS 1.2: every TLS probe of this
  // path is then forced onto TLS 1.2 (a check forcing another version says so itself).
  let fallback: VersionFallback | undefined;
  const specFor = (transport: "plaintext" | "tls", credential: ClientCredential | "none" = "none"): ProbeSpec => {
    const spec = probeSpecOf(settings, httpPath, transport, credential === "none" ? undefined : keyPair(fixtures, credential));
    return fallback && transport === "tls" ? { ...spec, ...protocolSpec["tls1.2"] } : spec;
  };

  const checks = applicableChecks(settings);
  let path = controlPathFor(settings);
  const controlSpecs: Record<Control["path"], () => ProbeSpec> = { "valid-cert": () => specFor("tls", "valid"), "no-client-cert": () => specFor("tls"), plaintext: () => specFor("plaintext") };
  // The first control also records the server's chain: server::expiry reads it, no extra connection.
  let first = await probeEndpoint({ ...controlSpecs[path](), inspectServer: true });
  let firstJudgement = judge(first, undefined, path);
  // An endpoint that answers the TLS control in something else speaks no TLS: plaintext is then the control.
  if (firstJudgement.classification === "no-tls") {
    path = "plaintext";
    first = await probeEndpoint(controlSpecs.plaintext());
    firstJudgement = judge(first, undefined, path);
  }
  // The trusted client refused (docs/external.md "A refused control"): a refused control cannot
  // define served. Where that happened over TLS 1.3 and the control forced onto TLS 1.2 is served
  // (Apache's per-location SSLVerifyClient needs post-handshake auth under TLS 1.3, which node's
  // client never offers, and renegotiates under TLS 1.2), the path is judged over TLS 1.2;
  // otherwise the run stops with the answer.
  let refusedControl: string | undefined;
  if (path === "valid-cert" && firstJudgement.classification === "refused") {
    const refused = firstJudgement;
    const over12 = first.tls?.version === "TLSv1.3" ? await probeEndpoint({ ...controlSpecs[path](), ...protocolSpec["tls1.2"], inspectServer: true }) : undefined;
    const over12Judgement = over12 && judge(over12, undefined, path);
    if (over12 && over12Judgement?.classification === "served" && over12.tls?.version === "TLSv1.2") {
      const why = isPostHandshakeAuthRefusal(first)
        ? "the endpoint asks for the client certificate after the handshake, which under TLS 1.3 needs post-handshake auth, which node's TLS client never offers"
        : "the endpoint refuses the trusted client over TLS 1.3 and serves it over TLS 1.2";
      fallback = { path: httpPath, tlsVersion: "TLSv1.2", reason: `the control (a valid client certificate) is refused over TLS 1.3 (${refused.answer}) and served over TLS 1.2 (${over12Judgement.answer}): ${why}; this path is judged over TLS 1.2` };
      first = over12;
      firstJudgement = over12Judgement;
    } else {
      const tried = over12 ? `; forced onto TLS 1.2: ${over12Judgement!.answer}` : "";
      refusedControl = `the endpoint refused the control, a valid client certificate from the issuer${settings.paths.length > 1 || httpPath !== "/" ? ` at ${httpPath}` : ""}: ${refused.answer} (${refused.reason})${tried}; nothing can be judged against a refused control`;
    }
  }
  const control: Control = { path, exchange: first, judgement: firstJudgement };
  const controlSummary = (repeats: string[]): ExternalReport["control"] => ({ path, answer: firstJudgement.answer, classification: firstJudgement.classification, reason: firstJudgement.reason, repeats });
  const base = {
    paths: [httpPath],
    target: endpointText(settings),
    protocol: settings.protocol,
    expectMode: settings.expectMode ?? null,
    negotiated: { tlsVersion: first.tls?.version, cipher: first.tls?.cipher, alpn: first.tls?.alpn },
    expiry: first.server ? await horizonOf(first.server.certificate, settings) : null,
  };
  const unjudged = (status: RunStatus, problem: string, repeats: string[], results: CheckResult[] = []): ExternalReport => ({
    ...base,
    observedMode: null,
    modeEvidence: [],
    control: controlSummary(repeats),
    status,
    problem,
    judgeable: status !== "unreachable",
    exitCode: 2,
    // The control as a check of its own, so every report (JUnit, TAP, JSON) says why nothing was judged.
    checks: [
      ...results,
      { id: "control", title: "the control probe is answered the same way throughout the run", expected: firstJudgement.answer, observed: status, pass: false, verdict: "undetermined", detail: problem },
    ],
  });

  if (firstJudgement.classification === "unreachable") return unjudged("unreachable", `failed to reach ${base.target}: ${firstJudgement.reason} (${first.raw})`, []);
  // A control that gets silence, an unknown error, or a hang-up without a word (no alert, no answer)
  // during the handshake says nothing about policy: the endpoint is broken or not what was named.
  // A control refused with an alert is an answer, and the checks say what it means.
  const controlUnanswered =
    first.event === "timeout" || first.stage === "connect" || first.stage === "preamble" || (first.event === "error" && !first.tls) || ((first.event === "closed" || first.event === "reset") && first.stage === "handshake");
  if (controlUnanswered) return unjudged("no-control", `the endpoint did not answer the control (${path}): ${firstJudgement.answer}`, []);
  if (refusedControl) return unjudged("control-refused", refusedControl.replace(/\s+/g, " "), []);

  // Probe checks, in groups, each group followed by the control again.
  const outcomes = new Map<string, ProbeOutcome>();
  const repeats: string[] = [];
  const controlId = controlCheckId[path];
  const controlAttempts: Judgement[] = [firstJudgement];
  outcomes.set(controlId, { attempts: controlAttempts });
  const groups = [1, 2, 3, 4, 5].map((group) => checks.filter((check) => check.group === group && check.id !== controlId)).filter((group) => group.length);
  // Protocol paths: the control forced onto each path, probed once, says whether the endpoint
  // accepts it and is the reference of that path's checks.
  const pathControls = new Map<ProtocolPath, Control | string>();
  const run: ProbeRun = {
    settings,
    control,
    fallback,
    saved,
    specFor,
    async pathControl(over) {
      if (!pathControls.has(over)) {
        const exchange = await probeEndpoint({ ...controlSpecs[path](), ...protocolSpec[over] });
        const judgement = judge(exchange, undefined, path);
        // A path where the trusted client is refused has no served answer to compare with.
        const refused = path === "valid-cert" && judgement.classification === "refused" ? `the control forced onto ${over.startsWith("tls") ? `TLS ${over.slice(3)}` : `ALPN ${over}`} is refused (${judgement.answer}): there is no served answer on that path to compare with` : undefined;
        pathControls.set(over, protocolPathAccepted(over, exchange) ?? refused ?? { path, exchange, judgement });
      }
      return pathControls.get(over)!;
    },
  };
  for (const group of groups) {
    for (const check of group) outcomes.set(check.id, await probeCheck(check, run));
    const repeat = await probeEndpoint(controlSpecs[path]());
    repeats.push(repeat.answer?.text ?? repeat.raw);
    controlAttempts.push(judge(repeat, undefined, path));
    if (shapeOf(repeat) !== shapeOf(first)) {
      const results = checks.flatMap((check) => {
        const outcome = outcomes.get(check.id);
        return outcome && "attempts" in outcome ? [probeResult(check, outcome.attempts, settings.expectMode)] : [];
      });
      return unjudged("control-lost", `the endpoint stopped answering the control during the run: first "${firstJudgement.answer}", then "${repeat.answer?.text ?? repeat.raw}"`, repeats, results);
    }
  }
  // Only the control probe: confirm it once like any other verdict.
  if (!groups.length) {
    const repeat = await probeEndpoint(controlSpecs[path]());
    repeats.push(repeat.answer?.text ?? repeat.raw);
    controlAttempts.push(judge(repeat, undefined, path));
  }

  const view: JudgeView = {
    settings,
    path,
    negotiated: base.negotiated,
    expiry: base.expiry,
    inspection: checks.some((check) => strategyOf(check).inspects) && path !== "plaintext" ? await probeEndpoint({ ...controlSpecs[path](), trustBundle: settings.trustBundle, inspectServer: true }) : undefined,
  };
  const results: CheckResult[] = checks.map((check) => {
    const strategy = strategyOf(check);
    if (strategy.judge) return strategy.judge(check, view);
    const outcome = outcomes.get(check.id)!;
    if ("notProbed" in outcome) return notProbedResult(check, settings.expectMode, outcome.notProbed);
    const common = probeResult(check, outcome.attempts, settings.expectMode);
    return outcome.result ? outcome.result(common) : common;
  });

  const classifications = new Map<string, Classification | "unstable">();
  for (const result of results) if (result.classification && isModeEvidence(result.id)) classifications.set(result.id, result.classification);
  const mode = deriveObservedMode(classifications);
  if (settings.expectMode) {
    const modeVerdict: CheckVerdict = mode.mode === "undetermined" ? "undetermined" : mode.mode === settings.expectMode ? "pass" : "fail";
    results.push({
      id: "mode",
      title: "the observed policy mode is the expected one",
      expected: settings.expectMode,
      observed: mode.mode,
      pass: modeVerdict === "pass",
      verdict: modeVerdict,
      detail: mode.evidence.join("; "),
    });
  }
  const { exitCode, problem } = exitCodeOf(results);
  return {
    ...base,
    observedMode: mode.mode,
    modeEvidence: mode.evidence,
    control: controlSummary(repeats),
    status: "judged",
    problem,
    judgeable: true,
    exitCode,
    checks: fallback ? results.map((result) => (probedOverFallback(result) ? { ...result, tlsVersion: fallback.tlsVersion, detail: `over TLS 1.2 only (the control is refused over TLS 1.3); ${result.detail}` } : result)) : results,
    ...(fallback ? { judgedOver: [fallback] } : {}),
  };
}

/** One probe check by its strategy: not probed when the strategy says why, undetermined when the control cannot tell identities apart, else its confirmed attempts. */
async function probeCheck(check: CheckDefinition, run: ProbeRun): Promise<ProbeOutcome> {
  const strategy = strategyOf(check);
  const unprobed = await strategy.unprobed?.(check, run);
  if (unprobed) return { notProbed: unprobed };
  // The control presents the first allowed identity: when even it gets an error answer, an
  // identity refusal would look just like it, and an other identity's 403 would count as served.
  if ((check.needs === "allow-identity" || check.needs === "allow-identity-and-server-name") && isErrorAnswer(run.control.exchange)) {
    const reason = `the control (the allowed identity ${run.settings.allowIdentities[0]!.value}) itself got an error answer, so served and refused cannot be told apart`;
    return { attempts: [{ classification: "undetermined", answer: run.control.judgement.answer, reason, shape: run.control.judgement.shape }] };
  }
  return strategy.probe!(check, run);
}

async function horizonOf(peer: NonNullable<Exchange["server"]>["certificate"], settings: ExternalSettings): Promise<NonNullable<ExternalReport["expiry"]>> {
  const certificates = await expiryHorizon(peerChain(peer), settings);
  return { minDays: settings.minDays, nearest: nearestExpiry(certificates), certificates };
}

/** Whether a check's result came from this path's TLS probes, which a fallback forces onto TLS 1.2 (not plaintext, not the mode row, not a check left unprobed). */
const probedOverFallback = (result: CheckResult): boolean => result.verdict !== "not-probed" && result.id !== "plaintext" && result.id !== "mode";

/** Whether a check is probed once per path (the server checks read one handshake and run once). */
const perPath = (id: string, settings: ExternalSettings): boolean =>
  id === "control" || applicableChecks(settings).some((check) => check.id === id && (check.probe.kind === "tls" || check.probe.kind === "plaintext"));

/**
 * One report from the runs of several paths: probe checks and the control once per path, named
 * CHECK@PATH; the server checks from the first path's run; one mode row, passing only when every
 * path shows the expected mode (a policy that holds on one path and not another is inconsistent).
 */
function combinePaths(settings: ExternalSettings, reports: ExternalReport[]): ExternalReport {
  const [first] = reports as [ExternalReport, ...ExternalReport[]];
  const pathOf = (index: number) => settings.paths[index]!;
  const checks = reports.flatMap((report, index) =>
    report.checks.filter((check) => check.id !== "mode" && (perPath(check.id, settings) || index === 0)).map((check) => (perPath(check.id, settings) ? { ...check, id: `${check.id}@${pathOf(index)}` } : check)),
  );
  const modes = reports.map((report) => report.observedMode);
  const observedMode = modes.some((mode) => mode === null) ? null : modes.every((mode) => mode === modes[0]) ? modes[0]! : modes.includes("undetermined") ? "undetermined" : "inconsistent";
  const perPathModes = reports.map((report, index) => `${pathOf(index)}: ${report.observedMode ?? report.status}`).join(", ");
  const modeEvidence = reports.flatMap((report, index) => report.modeEvidence.map((line) => `${pathOf(index)}: ${line}`));
  if (settings.expectMode && observedMode !== null) {
    const verdict: CheckVerdict = observedMode === "undetermined" ? "undetermined" : observedMode === settings.expectMode ? "pass" : "fail";
    checks.push({ id: "mode", title: "the observed policy mode is the expected one on every path", expected: settings.expectMode, observed: observedMode, pass: verdict === "pass", verdict, detail: `per path: ${perPathModes}` });
  }
  const unjudged = reports.find((report) => report.status !== "judged");
  const exitCode = unjudged ? 2 : exitCodeOf(checks).exitCode;
  const problems = reports.map((report, index) => (report.problem ? `${pathOf(index)}: ${report.problem}` : "")).filter(Boolean);
  const judgedOver = reports.flatMap((report) => report.judgedOver ?? []);
  return {
    ...first,
    paths: settings.paths,
    observedMode,
    modeEvidence: [...modeEvidence, ...(new Set(modes).size > 1 ? [`the paths disagree: ${perPathModes}`] : [])],
    status: unjudged?.status ?? "judged",
    problem: problems.length ? problems.join("; ") : undefined,
    judgeable: reports.every((report) => report.judgeable),
    exitCode,
    checks,
    judgedOver: judgedOver.length ? judgedOver : undefined,
  };
}

