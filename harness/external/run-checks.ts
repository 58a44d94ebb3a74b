// Runs the external checks against one endpoint: mints the client certificates, probes the control
// first, then each group of checks with the control repeated after every group (tlsfuzzer's sanity
// probe), confirms every determined verdict with a second attempt, judges each check against the
// expected mode with the differential oracle, and derives the observed mode. Protocol paths are
// judged against the control forced onto the same path; with several --path values the whole run
// is repeated per path and the reports combined (combinePaths).
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkServerIdentity } from "node:tls";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { importIssuer } from "../../fixtures/import-issuer.js";
import type { CertSpec, PkiSpec } from "../../fixtures/spec.js";
import type { CheckVerdict } from "../core/case-record.js";
import type { KeyPairFiles } from "../core/observation.js";
import { forgetSecureContexts, uriSans } from "../core/probe.js";
import type { PolicyMode } from "../core/observation.js";
import { externalChecks, identityChecks, isModeEvidence, protocolPairs, type CheckDefinition, type ClientCredential, type Matcher, type NameVariant, type ProtocolPath } from "./checks.js";
import { probeEndpoint, type Exchange, type ProbeSpec } from "./endpoint-probe.js";
import { expiryHorizon, judgeExpiry, nearestExpiry, peerChain, type CertificateExpiry } from "./expiry.js";
import { deriveObservedMode, type ObservedMode } from "./observed-mode.js";
import { describeIdentity, identityFields, otherIdentity, type ClientIdentity } from "./identities.js";
import { isErrorAnswer, isPostHandshakeAuthRefusal, judge, shapeOf, type Classification, type Control, type Judgement } from "./oracle.js";
import type { Protocol } from "./protocols.js";
import { describeSavedCertificate, endpointText, readSessionFile, savedCertificate, sessionFileFormat, sessionFileWarning, sessionVersions, writeSessionFile, type SavedVersion, type SessionFile, type SessionVersion } from "./saved-sessions.js";
import { issuerKeyPassphrase, type ExternalSettings } from "./settings.js";

export type { CheckVerdict };

export interface CheckResult {
  id: string;
  title: string;
  expected: string;
  observed: string;
  /** True only for verdict pass: a check that was not probed, or only recorded, did not pass. */
  pass: boolean;
  verdict: CheckVerdict;
  /** How the oracle classified what was seen (probe checks). */
  classification?: Classification | "unstable";
  /** The answer seen on the first attempt, in one line. */
  answer?: string;
  /** Why it was classified so. */
  reason?: string;
  /** Every attempt: the first, its confirmation, and the retries when they disagreed. */
  attempts?: Judgement[];
  /** Set when the check's path was judged over this version only (the control is refused over the other; ExternalReport.judgedOver says why). */
  tlsVersion?: "TLSv1.2";
  detail: string;
}

/**
 * judged: every check ran against a working control. no-control: the control got no usable answer
 * (silence, or the connection ended before TLS). control-refused: the trusted client (the valid
 * certificate) was refused, on every TLS version tried, so nothing defines served. control-lost:
 * the control's answer changed during the run. unreachable: every connection was refused or timed out.
 */
export type RunStatus = "judged" | "no-control" | "control-refused" | "control-lost" | "unreachable";

/** A path judged over TLS 1.2 only: its control is refused over TLS 1.3 and served over TLS 1.2. */
export interface VersionFallback {
  path: string;
  tlsVersion: "TLSv1.2";
  reason: string;
}

export interface ExternalReport {
  /** The HTTP paths probed (--path), each with its own control; check ids carry "@PATH" when there are several. */
  paths: string[];
  target: string;
  protocol: Protocol;
  expectMode: PolicyMode | null;
  /** null when the run could not judge the endpoint (status other than judged). */
  observedMode: ObservedMode | null;
  modeEvidence: string[];
  negotiated: { tlsVersion?: string; cipher?: string; alpn?: string };
  /** server::expiry's inputs: every certificate seen with its days left, and the nearest (null: no TLS session to read a chain from). */
  expiry: { minDays: number; nearest?: CertificateExpiry; certificates: CertificateExpiry[] } | null;
  control: { path: Control["path"]; answer: string; classification: Classification; reason: string; repeats: string[] };
  status: RunStatus;
  /** One line on why the run could not judge, when status is not judged. */
  problem?: string;
  /** False when every connection was refused or timed out: nothing could be judged. */
  judgeable: boolean;
  /** 0 every check met its expectation; 1 a determined check failed; 2 nothing (or not everything) could be judged. */
  exitCode: 0 | 1 | 2;
  checks: CheckResult[];
  /** Paths whose checks were judged over TLS 1.2 only, and why (absent when none). */
  judgedOver?: VersionFallback[];
  /** --save-sessions: the file written and how many sessions it holds per version (with why none, where none). */
  savedSessions?: { file: string; sessions: Record<SessionVersion, number>; problems: string[] };
}

/** raw protocol: this long after the handshake with no alert and no close is "stayed open" (a TLS 1.3 server alerts within milliseconds of the client's Finished, measured). */
export const settleMs = 1_500;
/** Attempts of one check at most: the first, its confirmation, and two more when those disagree. */
const maxAttempts = 4;
/** --save-sessions: sessions saved per TLS version, one per establishing connection, so each attempt of a later run offers a session no attempt offered before (a server may accept a ticket once). */
const savedSessionsPerVersion = maxAttempts;

const probeIdentity = (trustDomain: string) => `spiffe://${trustDomain}/ns/mtls-conformance/sa/probe`;

function trustDomainOf(identity: string | undefined): string {
  return identity?.startsWith("spiffe://") ? new URL(identity).host : "cluster.local";
}

/**
 * The client certificates the checks present, minted fresh for this run. With --allow-identity,
 * every certificate from the trusted issuer carries the first allowed identity (the control among
 * them), so a bad certificate is refused for its defect, not for its identity.
 */
function credentialSpec(trustDomain: string, withIssuer: boolean, allowed: ClientIdentity[]): PkiSpec {
  const leaf = (name: ClientCredential, issuer: string, extra: Partial<CertSpec> = {}): CertSpec => ({
    name,
    issuer,
    subject: { commonName: `mtls-conformance-${name}` },
    san: { uri: [probeIdentity(trustDomain)] },
    eku: ["clientAuth"],
    ...extra,
  });
  const certs: CertSpec[] = [
    { name: "rogue-root", issuer: "self", subject: { commonName: "mtls-conformance rogue CA" }, ca: {} },
    leaf("rogue-ca", "rogue-root"),
    leaf("self-signed", "self"),
  ];
  if (withIssuer) {
    const underIssuer = { chain: ["user-issuer"], ...(allowed.length ? identityFields(allowed[0]!) : {}) };
    certs.push(
      leaf("valid", "user-issuer", underIssuer),
      leaf("expired", "user-issuer", { ...underIssuer, validity: { notBeforeDays: -30, notAfterDays: -1 } }),
      leaf("not-yet-valid", "user-issuer", { ...underIssuer, validity: { notBeforeDays: 1, notAfterDays: 30 } }),
      leaf("server-auth-eku", "user-issuer", { ...underIssuer, eku: ["serverAuth"] }),
      ...allowed.map((identity, index) => leaf(`allowed-${index}`, "user-issuer", { ...underIssuer, ...identityFields(identity) })),
      ...(["uri", "dns"] as const)
        .filter((kind) => allowed.some((identity) => identity.kind === kind))
        .map((kind) => leaf(`other-${kind}`, "user-issuer", { ...underIssuer, ...identityFields(otherIdentity(kind, allowed)) })),
    );
  }
  return { certs };
}

function keyPair(fixtures: FixtureSet, name: string): KeyPairFiles {
  const files = fixtures.certs[name]!;
  return { cert: files.cert, key: files.key, chain: files.chainLength ? files.chain : undefined };
}

function matcherFor(check: CheckDefinition, expectMode: PolicyMode | undefined): Matcher | undefined {
  if (check.always && expectMode !== "disabled") return check.always;
  return expectMode ? check.expect[expectMode] : undefined;
}

const determined = (classification: Classification) => classification === "served" || classification === "refused" || classification === "no-tls";

const meets: Record<Exclude<Matcher, "verified">, (classification: Classification) => boolean> = {
  served: (classification) => classification === "served",
  refused: (classification) => classification === "refused",
  "served-or-refused": (classification) => classification === "served" || classification === "refused",
  "no-tls": (classification) => classification === "no-tls",
};

/** One verdict from the attempts of a probe check. */
function verdictOf(matcher: Matcher | undefined, classification: Classification | "unstable"): CheckVerdict {
  if (classification === "unstable") return "unstable";
  if (!determined(classification)) return "undetermined";
  if (!matcher || matcher === "verified") return "recorded";
  return meets[matcher](classification) ? "pass" : "fail";
}

/**
 * The run's exit status from its checks' verdicts: 1 when a determined check failed; 2 when a check
 * could not be judged (undetermined, unstable, error) or when nothing was probed at all (every check
 * not probed); else 0. Recorded and not-probed checks never make a run pass or fail by themselves.
 */
export function exitCodeOf(checks: Array<Pick<CheckResult, "id" | "verdict" | "detail">>): { exitCode: 0 | 1 | 2; problem?: string } {
  const verdicts = checks.map((check) => check.verdict);
  if (verdicts.includes("fail")) return { exitCode: 1 };
  const unjudged = checks.filter((check) => check.verdict === "undetermined" || check.verdict === "unstable" || check.verdict === "error");
  if (unjudged.length) return { exitCode: 2, problem: `not every check could be judged: ${unjudged.map((check) => `${check.id} ${check.verdict}`).join(", ")}` };
  if (checks.length && verdicts.every((verdict) => verdict === "not-probed")) {
    return { exitCode: 2, problem: `nothing was probed: every check was not probed (${checks.map((check) => `${check.id}: ${check.detail}`).join("; ")})`.replace(/\s+/g, " ") };
  }
  return { exitCode: 0 };
}

/** Attempts agree when they are classified alike and got the same shape of answer (an alert, then a reset, is a disagreement). */
function summarize(attempts: Judgement[]): Classification | "unstable" {
  const [first] = attempts;
  return attempts.every((attempt) => attempt.classification === first!.classification && attempt.shape === first!.shape) ? first!.classification : "unstable";
}

function attemptsText(attempts: Judgement[]): string {
  if (attempts.length < 2) return "";
  const counts = new Map<string, number>();
  for (const attempt of attempts) counts.set(`${attempt.classification} (${attempt.shape})`, (counts.get(`${attempt.classification} (${attempt.shape})`) ?? 0) + 1);
  return ` [${attempts.length} attempts: ${[...counts].map(([classification, count]) => `${classification} ${count}`).join(", ")}]`;
}

/** Judges a server-side check from one inspection of the server. */
function judgeServer(check: CheckDefinition, inspection: Exchange | undefined, settings: ExternalSettings): { ok: boolean; observed: string; detail: string } {
  const view = inspection?.server;
  if (!view) return { ok: false, observed: "no TLS handshake", detail: inspection?.raw ?? "no certificate seen" };
  const certificate = view.certificate;
  switch (check.probe.kind) {
    case "server-chain":
      return view.authorized
        ? { ok: true, observed: "chain verified", detail: `subject ${certificate.subject?.CN ?? ""}, issuer ${certificate.issuer?.CN ?? ""}` }
        : { ok: false, observed: `chain not verified: ${view.authorizationError}`, detail: `issuer ${certificate.issuer?.CN ?? "?"}` };
    case "server-name": {
      const mismatch = checkServerIdentity(settings.serverName!, certificate);
      return mismatch
        ? { ok: false, observed: "name mismatch", detail: mismatch.message }
        : { ok: true, observed: `matches ${settings.serverName}`, detail: certificate.subjectaltname ?? `CN=${certificate.subject?.CN}` };
    }
    default: {
      const identities = uriSans(certificate);
      return identities.includes(settings.expectIdentity!)
        ? { ok: true, observed: settings.expectIdentity!, detail: `URI SANs: ${identities.join(", ")}` }
        : { ok: false, observed: identities.join(", ") || "no URI SAN", detail: `expected ${settings.expectIdentity}` };
    }
  }
}

const inputPresent: Record<NonNullable<CheckDefinition["needs"]>, (settings: ExternalSettings) => boolean> = {
  issuer: (settings) => settings.issuerCert !== undefined,
  "trust-bundle": (settings) => settings.trustBundle !== undefined,
  "server-name": (settings) => settings.serverName !== undefined,
  "expect-identity": (settings) => settings.expectIdentity !== undefined,
  "allow-identity": (settings) => settings.allowIdentities.length > 0 && settings.issuerCert !== undefined,
  "issuer-and-http": (settings) => settings.issuerCert !== undefined && (settings.protocol === "http" || settings.protocol === "h2"),
  "allow-identity-and-server-name": (settings) => settings.allowIdentities.length > 0 && settings.issuerCert !== undefined && settings.serverName !== undefined,
  "resume-sessions": (settings) => settings.resumeSessions !== undefined,
};

/** The checks that run with these settings (a check whose input is missing does not run). */
export function applicableChecks(settings: Pick<ExternalSettings, "issuerCert" | "trustBundle" | "serverName" | "expectIdentity" | "allowIdentities" | "resumeSessions">): CheckDefinition[] {
  return [...externalChecks, ...identityChecks(settings.allowIdentities)].filter((check) => !check.needs || inputPresent[check.needs](settings as ExternalSettings));
}

/** Which probe the control is, for these settings (docs/external.md, "The control"). */
export function controlPathFor(settings: Pick<ExternalSettings, "expectMode" | "issuerCert">): Control["path"] {
  if (settings.expectMode === "disabled") return "plaintext";
  return settings.issuerCert ? "valid-cert" : "no-client-cert";
}

/** The check whose probe is the control path's (its attempts are the control's answers). */
const controlCheckId: Record<Control["path"], string> = { "valid-cert": "client-cert::valid", "no-client-cert": "tls::no-client-cert", plaintext: "plaintext" };

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

/** A probe of the endpoint as the settings name it, at that HTTP path, presenting `identity` if any. */
const probeSpecOf = (settings: ExternalSettings, httpPath: string, transport: "plaintext" | "tls", identity?: KeyPairFiles): ProbeSpec => ({
  target: { host: settings.host, port: settings.port },
  http: { path: httpPath, headers: settings.headers },
  transport,
  protocol: settings.protocol,
  identity,
  serverName: settings.serverName,
  alpn: settings.alpn,
  timeoutMs: settings.timeoutMs,
  settleMs,
});

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

/** --resume-sessions: the session file and its certificate, written for this run. */
interface SavedSessions {
  file: SessionFile;
  identity: KeyPairFiles;
}

async function judgeEndpoint(settings: ExternalSettings, fixtures: FixtureSet, httpPath: string, saved?: SavedSessions): Promise<ExternalReport> {
  // Set when the control is refused over TLS 1.3 and served over TLS 1.2: every TLS probe of this
  // path is then forced onto TLS 1.2 (a check forcing another version says so itself).
  let fallback: VersionFallback | undefined;
  const specFor = (transport: "plaintext" | "tls", credential: ClientCredential | "none" = "none"): ProbeSpec => {
    const spec = probeSpecOf(settings, httpPath, transport, credential === "none" ? undefined : keyPair(fixtures, credential));
    return fallback && transport === "tls" ? { ...spec, ...protocolSpec["tls1.2"] } : spec;
  };
  const specOfCheck = (check: CheckDefinition): ProbeSpec => {
    if (check.probe.kind === "plaintext") return specFor("plaintext");
    const spec = specFor("tls", check.probe.kind === "tls" ? check.probe.credential : "none");
    if (check.probe.kind === "tls" && check.probe.over) return { ...spec, ...protocolSpec[check.probe.over] };
    return check.probe.kind === "tls" && check.probe.name ? { ...spec, ...nameSpec(check.probe.name, settings.serverName!) } : spec;
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
  const attemptsById = new Map<string, Judgement[]>();
  const repeats: string[] = [];
  const controlId = controlCheckId[path];
  const controlAttempts: Judgement[] = [firstJudgement];
  attemptsById.set(controlId, controlAttempts);
  const groups = [1, 2, 3, 4, 5].map((group) => checks.filter((check) => check.group === group && check.id !== controlId)).filter((group) => group.length);
  // Protocol paths: the control forced onto each path, probed once, says whether the endpoint
  // accepts it and is the reference of that path's checks.
  const pathControls = new Map<ProtocolPath, Control | string>();
  const pathControl = async (over: ProtocolPath): Promise<Control | string> => {
    if (!pathControls.has(over)) {
      const exchange = await probeEndpoint({ ...controlSpecs[path](), ...protocolSpec[over] });
      const judgement = judge(exchange, undefined, path);
      // A path where the trusted client is refused has no served answer to compare with.
      const refused = path === "valid-cert" && judgement.classification === "refused" ? `the control forced onto ${over.startsWith("tls") ? `TLS ${over.slice(3)}` : `ALPN ${over}`} is refused (${judgement.answer}): there is no served answer on that path to compare with` : undefined;
      pathControls.set(over, protocolPathAccepted(over, exchange) ?? refused ?? { path, exchange, judgement });
    }
    return pathControls.get(over)!;
  };
  const notProbed = new Map<string, CheckResult>();
  // Resumption: a session established on --resume-from's name (default a name the endpoint does
  // not serve), without a certificate or presenting the identity not allowed, offered on the server
  // name presenting the same.
  const resumedExchange = async (version: "tls1.2" | "tls1.3", presented: "none" | "other-identity"): Promise<Exchange | string> => {
    const from = settings.resumeFrom ?? unservedName;
    const credential: ClientCredential | "none" = presented === "none" ? "none" : `other-${settings.allowIdentities[0]!.kind}`;
    const established = await probeEndpoint({ ...specFor("tls", credential), ...protocolSpec[version], serverName: from, httpHost: from });
    if (!established.session) {
      const how = established.tls ? "completed but issued no session" : `did not complete (${established.alert ? `alert ${established.alert.name}` : established.raw})`;
      const withWhat = presented === "none" ? "without a client certificate" : `presenting ${describeIdentity(otherIdentity(settings.allowIdentities[0]!.kind, settings.allowIdentities))}`;
      return `no session to resume: the TLS ${version.slice(3)} handshake ${withWhat} on ${from} ${how}`;
    }
    return probeEndpoint({ ...specFor("tls", credential), ...protocolSpec[version], session: established.session });
  };
  // Saved sessions: the i-th attempt offers the i-th session saved for that version, beside a full handshake with the saved certificate.
  const savedSpec = (version: "tls1.2" | "tls1.3"): ProbeSpec => ({ ...specFor("tls"), identity: saved!.identity, ...protocolSpec[version] });
  const fullHandshakes = new Map<string, Classification[]>();
  for (const group of groups) {
    for (const check of group) {
      const ownPath = check.probe.kind === "plaintext" ? "plaintext" : undefined;
      let reference: Control | undefined = check.probe.kind === "plaintext" && path === "plaintext" ? undefined : control;
      const over = check.probe.kind === "tls" ? check.probe.over : undefined;
      if (over) {
        const [own, pair] = [await pathControl(over), await pathControl(protocolPairs[over])];
        const refusal = [own, pair].find((entry): entry is string => typeof entry === "string");
        if (refusal) {
          notProbed.set(check.id, notProbedResult(check, settings, refusal));
          continue;
        }
        reference = own as Control;
      }
      // Judged over TLS 1.2 only: a check forcing TLS 1.3 would meet the refused control's answer.
      if (fallback && (check.probe.kind === "resume" || check.probe.kind === "saved-session") && check.probe.version === "tls1.3") {
        notProbed.set(check.id, notProbedResult(check, settings, `this path is judged over TLS 1.2 only: ${fallback.reason}`));
        continue;
      }
      const attempts: Judgement[] = [];
      // The control presents the first allowed identity: when even it gets an error answer, an
      // identity refusal would look just like it, and an other identity's 403 would count as served.
      if ((check.needs === "allow-identity" || check.needs === "allow-identity-and-server-name") && isErrorAnswer(control.exchange)) {
        const reason = `the control (the allowed identity ${settings.allowIdentities[0]!.value}) itself got an error answer, so served and refused cannot be told apart`;
        attemptsById.set(check.id, [{ classification: "undetermined", answer: firstJudgement.answer, reason, shape: firstJudgement.shape }]);
        continue;
      }
      if (check.probe.kind === "saved-session") {
        const { version } = check.probe;
        const { sessions, problem } = saved!.file.versions[version];
        if (!sessions.length) {
          const detail = `no TLS ${version.slice(3)} session in ${settings.resumeSessions}: ${problem ?? "the saving run saved none"}`;
          notProbed.set(check.id, notProbedResult(check, settings, detail));
          continue;
        }
        const fulls: Classification[] = [];
        do {
          const full = judge(await probeEndpoint(savedSpec(version)), control);
          const offered = await probeEndpoint({ ...savedSpec(version), session: Buffer.from(sessions[attempts.length % sessions.length]!, "base64") });
          fulls.push(full.classification);
          attempts.push(savedSessionJudgement(full, offered, control));
        } while (determined(attempts[0]!.classification) && attempts.length < (summarize(attempts) === "unstable" ? maxAttempts : 2));
        attemptsById.set(check.id, attempts);
        fullHandshakes.set(check.id, fulls);
        continue;
      }
      if (check.probe.kind === "resume") {
        const { version, credential } = check.probe;
        do {
          const exchange = await resumedExchange(version, credential);
          if (typeof exchange === "string" && !attempts.length) {
            notProbed.set(check.id, notProbedResult(check, settings, exchange));
            break;
          }
          attempts.push(typeof exchange === "string" ? { classification: "undetermined", answer: exchange, reason: exchange, shape: "no session" } : resumptionJudgement(exchange, control));
        } while (determined(attempts[0]!.classification) && attempts.length < (summarize(attempts) === "unstable" ? maxAttempts : 2));
        if (attempts.length) attemptsById.set(check.id, attempts);
        continue;
      }
      do {
        attempts.push(judge(await probeEndpoint(specOfCheck(check)), reference, ownPath));
      } while (determined(attempts[0]!.classification) && attempts.length < (summarize(attempts) === "unstable" ? maxAttempts : 2));
      attemptsById.set(check.id, attempts);
    }
    const repeat = await probeEndpoint(controlSpecs[path]());
    repeats.push(repeat.answer?.text ?? repeat.raw);
    controlAttempts.push(judge(repeat, undefined, path));
    if (shapeOf(repeat) !== shapeOf(first)) {
      const results = checks.filter((check) => attemptsById.has(check.id)).map((check) => probeResult(check, attemptsById.get(check.id)!, settings));
      return unjudged("control-lost", `the endpoint stopped answering the control during the run: first "${firstJudgement.answer}", then "${repeat.answer?.text ?? repeat.raw}"`, repeats, results);
    }
  }
  // Only the control probe: confirm it once like any other verdict.
  if (!groups.length) {
    const repeat = await probeEndpoint(controlSpecs[path]());
    repeats.push(repeat.answer?.text ?? repeat.raw);
    controlAttempts.push(judge(repeat, undefined, path));
  }

  const inspection = checks.some((check) => check.always === "verified" && check.probe.kind !== "expiry") && path !== "plaintext"
    ? await probeEndpoint({ ...controlSpecs[path](), trustBundle: settings.trustBundle, inspectServer: true })
    : undefined;

  const results: CheckResult[] = checks.map((check) => {
    const matcher = matcherFor(check, settings.expectMode);
    const expected = matcher ?? "-";
    if (check.probe.kind === "negotiated") {
      const observed = base.negotiated.tlsVersion ? `${base.negotiated.tlsVersion} ${base.negotiated.cipher ?? ""}${base.negotiated.alpn ? ` alpn=${base.negotiated.alpn}` : ""}`.trim() : "no TLS session";
      return { id: check.id, title: check.title, expected, observed, pass: false, verdict: "recorded", detail: "recorded only" };
    }
    if (check.probe.kind === "expiry") return expiryResult(check, expected, base.expiry, path);
    if (check.always) {
      if (!matcher) return { id: check.id, title: check.title, expected, observed: "no TLS spoken", pass: false, verdict: "recorded", detail: "no verdict where no TLS is expected" };
      const verdict = judgeServer(check, inspection, settings);
      return { id: check.id, title: check.title, expected, observed: verdict.observed, pass: verdict.ok, verdict: verdict.ok ? "pass" : "fail", detail: verdict.detail };
    }
    if (check.probe.kind === "saved-session" && !notProbed.has(check.id)) return savedSessionResult(check, attemptsById.get(check.id)!, fullHandshakes.get(check.id)!, settings, saved!.file);
    return notProbed.get(check.id) ?? probeResult(check, attemptsById.get(check.id)!, settings);
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

async function horizonOf(peer: NonNullable<Exchange["server"]>["certificate"], settings: ExternalSettings): Promise<NonNullable<ExternalReport["expiry"]>> {
  const certificates = await expiryHorizon(peerChain(peer), settings);
  return { minDays: settings.minDays, nearest: nearestExpiry(certificates), certificates };
}

function expiryResult(check: CheckDefinition, matcher: string, expiry: ExternalReport["expiry"], path: Control["path"]): CheckResult {
  const expected = matcher === "-" ? "-" : `>= ${expiry?.minDays ?? "?"} days`;
  if (matcher === "-" || path === "plaintext") return { id: check.id, title: check.title, expected, observed: "no TLS session", pass: false, verdict: "recorded", detail: "no certificate where no TLS is spoken" };
  // The control's handshake did not complete (a TLS 1.2 server refusing it mid-handshake): no chain was seen, which is neither a pass nor a fail.
  if (!expiry) return { id: check.id, title: check.title, expected, observed: "no chain seen", pass: false, verdict: "undetermined", detail: "the control's handshake did not complete, so the server's chain could not be read" };
  const verdict = judgeExpiry(expiry.certificates, expiry.minDays);
  return { id: check.id, title: check.title, expected, observed: verdict.observed, pass: verdict.ok, verdict: verdict.ok ? "pass" : "fail", detail: verdict.detail };
}

/** Whether a check's result came from this path's TLS probes, which a fallback forces onto TLS 1.2 (not plaintext, not the mode row, not a check left unprobed). */
const probedOverFallback = (result: CheckResult): boolean => result.verdict !== "not-probed" && result.id !== "plaintext" && result.id !== "mode";

/** The oracle's judgement of a resumption attempt, saying whether the server resumed the session or made a full handshake. */
function resumptionJudgement(exchange: Exchange, control: Control): Judgement {
  const judgement = judge(exchange, control);
  const how = exchange.tls ? (exchange.tls.resumed ? "resumed" : "not resumed (a full handshake)") : "no handshake";
  return { ...judgement, reason: `${how}: ${judgement.reason}`, shape: `${judgement.shape}${exchange.tls?.resumed ? " resumed" : ""}` };
}

/** A check that could not be probed (its path, session or input was not there): not probed, with the reason; never a pass or a failure of the endpoint. */
const notProbedResult = (check: CheckDefinition, settings: ExternalSettings, detail: string): CheckResult => ({
  id: check.id,
  title: check.title,
  expected: matcherFor(check, settings.expectMode) ?? "-",
  observed: "not probed",
  pass: false,
  verdict: "not-probed",
  detail,
});

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

/** A saved-session check's result: judged only where the full handshake is refused; where it is served the certificate is still trusted and nothing is judged. */
function savedSessionResult(check: CheckDefinition, attempts: Judgement[], fulls: Classification[], settings: ExternalSettings, file: SessionFile): CheckResult {
  const result = probeResult(check, attempts, settings);
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

/** How a probe is forced onto a protocol path. */
const protocolSpec: Record<ProtocolPath, Partial<Pick<ProbeSpec, "alpn" | "tlsVersions">>> = {
  h2: { alpn: ["h2"] },
  "http/1.1": { alpn: ["http/1.1"] },
  "tls1.2": { tlsVersions: { min: "TLSv1.2", max: "TLSv1.2" } },
  "tls1.3": { tlsVersions: { min: "TLSv1.3", max: "TLSv1.3" } },
};

/**
 * Whether the control forced onto a path completed its handshake on that path: undefined when it
 * did, else why the path is not probed (the endpoint chose another protocol, refused the version,
 * or the control did not get through the handshake at all).
 */
function protocolPathAccepted(over: ProtocolPath, exchange: Exchange): string | undefined {
  const tls = exchange.tls;
  const where = over.startsWith("tls") ? `TLS ${over.slice(3)}` : `ALPN ${over}`;
  if (!tls) return `the control forced onto ${where} did not complete its handshake (${exchange.alert ? `alert ${exchange.alert.name}` : exchange.raw}): not accepted, so there is no pair to compare`;
  const accepted = { h2: tls.alpn === "h2", "http/1.1": tls.alpn === "http/1.1" || !tls.alpn, "tls1.2": tls.version === "TLSv1.2", "tls1.3": tls.version === "TLSv1.3" }[over];
  return accepted ? undefined : `the endpoint does not accept ${where} (negotiated ${tls.version ?? "?"}${tls.alpn ? `, ALPN ${tls.alpn}` : ""}): there is no pair to compare`;
}

/** A name that no endpoint serves (RFC 6761 reserves .invalid). */
export const unservedName = "not-served.mtls-conformance.invalid";

/** SNI and Host of a name path (checks.ts NameVariant); Host stays the server name unless the variant is Host's. */
function nameSpec(variant: NameVariant, serverName: string): Pick<ProbeSpec, "serverName" | "httpHost"> {
  switch (variant) {
    case "no-sni":
      return { serverName: "", httpHost: serverName };
    case "sni-case": {
      // Upper case, unless it is upper case already: then lower.
      const other = serverName.toUpperCase() === serverName ? serverName.toLowerCase() : serverName.toUpperCase();
      return { serverName: other, httpHost: serverName };
    }
    case "unknown-sni":
      return { serverName: unservedName, httpHost: serverName };
    case "host-differs":
      return { serverName, httpHost: unservedName };
  }
}

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

function probeResult(check: CheckDefinition, attempts: Judgement[], settings: ExternalSettings): CheckResult {
  const matcher = matcherFor(check, settings.expectMode);
  const classification = summarize(attempts);
  const verdict = verdictOf(matcher, classification);
  const first = attempts[0]!;
  return {
    id: check.id,
    title: check.title,
    expected: matcher ?? "-",
    observed: classification,
    pass: verdict === "pass",
    verdict,
    classification,
    answer: first.answer,
    reason: first.reason,
    attempts,
    detail: `${first.answer}; ${classification === "unstable" ? "attempts disagreed" : first.reason}${attemptsText(attempts)}`.replace(/\s+/g, " ").slice(0, 400),
  };
}
