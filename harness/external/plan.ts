// The plan of an external run: which checks run with these settings, which probe is the control,
// and the client certificates the checks present, minted fresh for the run.
import type { FixtureSet } from "../../fixtures/fixture-set.js";
import type { CertSpec, PkiSpec } from "../../fixtures/spec.js";
import type { KeyPairFiles } from "../core/observation.js";
import { externalChecks, identityChecks, type CheckDefinition, type ClientCredential } from "./checks.js";
import { identityFields, otherIdentity, type ClientIdentity } from "./identities.js";
import type { Control } from "./oracle.js";
import type { ExternalSettings } from "./settings.js";

const probeIdentity = (trustDomain: string) => `spiffe://${trustDomain}/ns/mtls-conformance/sa/probe`;

export function trustDomainOf(identity: string | undefined): string {
  return identity?.startsWith("spiffe://") ? new URL(identity).host : "cluster.local";
}

/**
 * The client certificates the checks present, minted fresh for this run. With --allow-identity,
 * every certificate from the trusted issuer carries the first allowed identity (the control among
 * them), so a bad certificate is refused for its defect, not for its identity.
 */
export function credentialSpec(trustDomain: string, withIssuer: boolean, allowed: ClientIdentity[]): PkiSpec {
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

export function keyPair(fixtures: FixtureSet, name: string): KeyPairFiles {
  const files = fixtures.certs[name]!;
  return { cert: files.cert, key: files.key, chain: files.chainLength ? files.chain : undefined };
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
  detect: (settings) => settings.detect === true,
};

/** The checks that run with these settings (a check whose input is missing does not run). */
export function applicableChecks(settings: Pick<ExternalSettings, "issuerCert" | "trustBundle" | "serverName" | "expectIdentity" | "allowIdentities" | "resumeSessions" | "detect">): CheckDefinition[] {
  return [...externalChecks, ...identityChecks(settings.allowIdentities)].filter((check) => !check.needs || inputPresent[check.needs](settings as ExternalSettings));
}

/** Which probe the control is, for these settings (docs/external.md, "The control"). */
export function controlPathFor(settings: Pick<ExternalSettings, "expectMode" | "issuerCert">): Control["path"] {
  if (settings.expectMode === "disabled") return "plaintext";
  return settings.issuerCert ? "valid-cert" : "no-client-cert";
}

/** The check whose probe is the control path's (its attempts are the control's answers). */
export const controlCheckId: Record<Control["path"], string> = { "valid-cert": "client-cert::valid", "no-client-cert": "tls::no-client-cert", plaintext: "plaintext" };

