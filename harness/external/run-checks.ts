// Runs the external checks against one endpoint: mints the client certificates, probes, judges
// each check against the expected mode, and derives the observed mode.
import { readFileSync } from "node:fs";
import { checkServerIdentity, connect, type DetailedPeerCertificate } from "node:tls";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { importIssuer } from "../../fixtures/import-issuer.js";
import type { CertSpec, PkiSpec } from "../../fixtures/spec.js";
import type { Endpoint } from "../network.js";
import type { KeyPairFiles, Observation } from "../peers/types.js";
import { probePlaintext, probeTls, uriSans } from "../probe.js";
import type { PolicyMode } from "../scenario.js";
import { externalChecks, type CheckDefinition, type ClientCredential, type Matcher } from "./checks.js";
import { deriveObservedMode, noTls, refused, served, unreachable, type ObservedMode } from "./observed-mode.js";
import { issuerKeyPassphrase, type ExternalSettings } from "./settings.js";

export interface CheckResult {
  id: string;
  title: string;
  expected: string;
  observed: string;
  pass: boolean;
  detail: string;
}

export interface ExternalReport {
  target: string;
  expectMode: PolicyMode | null;
  observedMode: ObservedMode;
  modeEvidence: string[];
  negotiated: { tlsVersion?: string; cipher?: string; alpn?: string };
  /** False when every connection was refused or timed out: nothing could be judged. */
  judgeable: boolean;
  checks: CheckResult[];
}

/** After the request, this much silence on an open connection means the server accepted it. */
const acceptSilenceMs = 1_500;

const probeIdentity = (trustDomain: string) => `spiffe://${trustDomain}/ns/mtls-conformance/sa/probe`;

function trustDomainOf(identity: string | undefined): string {
  return identity?.startsWith("spiffe://") ? new URL(identity).host : "cluster.local";
}

/** The client certificates the checks present, minted fresh for this run. */
function credentialSpec(trustDomain: string, withIssuer: boolean): PkiSpec {
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
    const underIssuer = { chain: ["user-issuer"] };
    certs.push(
      leaf("valid", "user-issuer", underIssuer),
      leaf("expired", "user-issuer", { ...underIssuer, validity: { notBeforeDays: -30, notAfterDays: -1 } }),
      leaf("not-yet-valid", "user-issuer", { ...underIssuer, validity: { notBeforeDays: 1, notAfterDays: 30 } }),
      leaf("server-auth-eku", "user-issuer", { ...underIssuer, eku: ["serverAuth"] }),
    );
  }
  return { certs };
}

function keyPair(fixtures: FixtureSet, name: string): KeyPairFiles {
  const files = fixtures.certs[name]!;
  return { cert: files.cert, key: files.key, chain: files.chainLength ? files.chain : undefined };
}

interface ServerView {
  authorized?: boolean;
  authorizationError?: string;
  certificate?: DetailedPeerCertificate;
  failure?: string;
}

/** Handshakes once to look at the server: chain verdict against the bundle, its certificate. */
function inspectServer(target: Endpoint, settings: ExternalSettings, identity: KeyPairFiles | undefined): Promise<ServerView> {
  return new Promise((resolve) => {
    const socket = connect({
      host: target.host,
      port: target.port,
      servername: settings.serverName,
      ca: settings.trustBundle ? readFileSync(settings.trustBundle, "utf8") : undefined,
      // Verify, but do not hang up: the verdict is read from socket.authorized.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      cert: identity ? readFileSync(identity.cert, "utf8") + (identity.chain ? readFileSync(identity.chain, "utf8") : "") : undefined,
      key: identity ? readFileSync(identity.key, "utf8") : undefined,
      ALPNProtocols: settings.alpn.length ? settings.alpn : undefined,
    });
    const timer = setTimeout(() => done({ failure: `no handshake within ${settings.timeoutMs} ms` }), settings.timeoutMs);
    const done = (view: ServerView) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(view);
    };
    socket.on("secureConnect", () =>
      done({
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
        certificate: socket.getPeerCertificate(true),
      }),
    );
    socket.on("error", (error: NodeJS.ErrnoException) => done({ failure: `${error.code ?? ""} ${error.message}`.trim() }));
  });
}

const matchers: Record<Exclude<Matcher, "verified">, (observation: Observation) => boolean> = {
  served,
  refused,
  "served-or-refused": (observation) => served(observation) || refused(observation),
  "no-tls": noTls,
};

function matcherFor(check: CheckDefinition, expectMode: PolicyMode | undefined): Matcher | undefined {
  if (check.always && expectMode !== "disabled") return check.always;
  return expectMode ? check.expect[expectMode] : undefined;
}

function describeObservation(observation: Observation): string {
  const by = observation.rejectedBy ? ` by the ${observation.rejectedBy}` : "";
  return `${observation.outcome}${by}`;
}

function evidenceOf(observation: Observation): string {
  return [observation.response, observation.evidence.client].filter(Boolean).join(" | ").replace(/\s+/g, " ").slice(0, 300);
}

/** Judges a server-side check from one inspection of the server. */
function judgeServer(check: CheckDefinition, view: ServerView, settings: ExternalSettings): { ok: boolean; observed: string; detail: string } {
  if (!view.certificate) return { ok: false, observed: "no TLS handshake", detail: view.failure ?? "no certificate seen" };
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
};

/** The checks that run with these settings (a check whose input is missing does not run). */
export function applicableChecks(settings: Pick<ExternalSettings, "issuerCert" | "trustBundle" | "serverName" | "expectIdentity">): CheckDefinition[] {
  return externalChecks.filter((check) => !check.needs || inputPresent[check.needs](settings as ExternalSettings));
}

export async function runExternalChecks(settings: ExternalSettings): Promise<ExternalReport> {
  const target: Endpoint = { host: settings.host, port: settings.port };
  const preissued = new Map();
  if (settings.issuerCert && settings.issuerKey) {
    const { issuer } = await importIssuer(settings.issuerCert, settings.issuerKey, { passphrase: await issuerKeyPassphrase(settings) });
    preissued.set("user-issuer", issuer);
  }
  const fixtures = await writeFixtureSet(credentialSpec(trustDomainOf(settings.expectIdentity), preissued.size > 0), new Date(), undefined, preissued);
  try {
    const checks = applicableChecks(settings);
    const observations = new Map<string, Observation>();
    // Sequential on purpose: an endpoint under test may rate-limit or have one worker.
    for (const check of checks) {
      if (check.probe.kind === "plaintext") observations.set(check.id, await probePlaintext(target, settings.timeoutMs));
      if (check.probe.kind === "tls") {
        const identity = check.probe.credential === "none" ? undefined : keyPair(fixtures, check.probe.credential);
        const config = { identity, serverName: settings.serverName, alpn: settings.alpn };
        observations.set(check.id, await probeTls(target, config, settings.timeoutMs, { acceptSilenceMs }));
      }
    }
    const view = await inspectServer(target, settings, preissued.size ? keyPair(fixtures, "valid") : undefined);
    const negotiatedFrom = [...observations.values()].find((observation) => observation.tlsVersion);
    const negotiated = { tlsVersion: negotiatedFrom?.tlsVersion, cipher: negotiatedFrom?.cipher, alpn: negotiatedFrom?.alpnProtocol };

    const results: CheckResult[] = checks.map((check) => {
      const matcher = matcherFor(check, settings.expectMode);
      const expected = matcher ?? "-";
      if (check.probe.kind === "negotiated") {
        const observed = negotiated.tlsVersion ? `${negotiated.tlsVersion} ${negotiated.cipher ?? ""}${negotiated.alpn ? ` alpn=${negotiated.alpn}` : ""}`.trim() : "no TLS session";
        return { id: check.id, title: check.title, expected, observed, pass: true, detail: "recorded only" };
      }
      if (matcher === "verified" || (!matcher && !observations.has(check.id))) {
        const verdict = judgeServer(check, view, settings);
        return { id: check.id, title: check.title, expected, observed: verdict.observed, pass: matcher ? verdict.ok : true, detail: verdict.detail };
      }
      const observation = observations.get(check.id)!;
      const pass = matcher ? matchers[matcher](observation) : true;
      return { id: check.id, title: check.title, expected, observed: describeObservation(observation), pass, detail: evidenceOf(observation) };
    });

    const mode = deriveObservedMode(observations);
    const judgeable = [...observations.values()].some((observation) => !unreachable(observation));
    if (settings.expectMode) {
      results.push({
        id: "mode",
        title: "the observed policy mode is the expected one",
        expected: settings.expectMode,
        observed: mode.mode,
        pass: mode.mode === settings.expectMode,
        detail: mode.evidence.join("; "),
      });
    }
    return {
      target: `${settings.host}:${settings.port}`,
      expectMode: settings.expectMode ?? null,
      observedMode: mode.mode,
      modeEvidence: mode.evidence,
      negotiated,
      judgeable,
      checks: results,
    };
  } finally {
    await removeFixtureSet(fixtures);
  }
}
