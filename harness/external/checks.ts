// The checks run against an external endpoint, as data: what each sends, and what each policy
// mode expects of it (docs/external.md "Policy modes"). A matcher names a class of outcomes, because
// from outside only "was my request served?" is certain; the oracle (oracle.ts) decides served or
// refused against the control, and the reason is reported as observed.
import type { PolicyMode } from "../core/observation.js";
import { describeIdentity, otherIdentity, type ClientIdentity } from "./identities.js";

/** served: answered the way the control is; refused: alert, close during the handshake, or a refusing answer the control did not get; no-tls: no TLS spoken. */
export type Matcher = "served" | "refused" | "served-or-refused" | "no-tls" | "verified";

/** The client certificate a TLS check presents, minted by the harness for this run. */
export type ClientCredential =
  | "none"
  | "rogue-ca"
  | "self-signed"
  | "valid"
  | "expired"
  | "not-yet-valid"
  | "server-auth-eku"
  /** The i-th --allow-identity, from the trusted issuer. */
  | `allowed-${number}`
  /** An identity of that kind the endpoint was not told to admit, from the same issuer. */
  | "other-uri"
  | "other-dns";

/**
 * The name a TLS probe arrives under, when not --server-name as SNI and Host: none at all, the
 * same name in another case, a name the server does not serve (its default certificate and virtual
 * host), or the right SNI with another Host. Host stays --server-name unless the variant is Host's.
 */
export type NameVariant = "no-sni" | "sni-case" | "unknown-sni" | "host-differs";

/** A protocol path a TLS probe is forced onto: ALPN h2 or http/1.1 only, or TLS 1.2 or 1.3 only. */
export type ProtocolPath = "h2" | "http/1.1" | "tls1.2" | "tls1.3";

/** The paths that must agree: each is probed only when the endpoint accepts both of its pair. */
export const protocolPairs: Record<ProtocolPath, ProtocolPath> = { h2: "http/1.1", "http/1.1": "h2", "tls1.2": "tls1.3", "tls1.3": "tls1.2" };

export type CheckProbe =
  | { kind: "plaintext" }
  /**
   * Establish a session on --resume-from's name, then resume it on --server-name, that TLS version
   * forced: without a client certificate ("none"), or presenting the run's identity that was not
   * allowed ("other-identity", with --allow-identity) on both connections.
   */
  | { kind: "resume"; version: "tls1.2" | "tls1.3"; credential: "none" | "other-identity" }
  /** Offer a session an earlier run saved (--resume-sessions) with its certificate, beside a full handshake with that certificate now, that TLS version forced. */
  | { kind: "saved-session"; version: "tls1.2" | "tls1.3" }
  | { kind: "tls"; credential: ClientCredential; name?: NameVariant; over?: ProtocolPath }
  | { kind: "server-chain" }
  | { kind: "server-name" }
  | { kind: "server-identity" }
  | { kind: "expiry" }
  | { kind: "negotiated" }
  | { kind: "split-hello" }
  | { kind: "slow-first-byte" }
  | { kind: "server-first" };

export interface CheckDefinition {
  id: string;
  title: string;
  probe: CheckProbe;
  /** What each mode expects; undefined: the check makes no verdict in that mode. */
  expect: Partial<Record<PolicyMode, Matcher>>;
  /** A verdict made whatever mode is expected (unless disabled, where no TLS is spoken). */
  always?: Matcher;
  /** Which input the check needs; without it the check is not run. */
  needs?: "issuer" | "trust-bundle" | "server-name" | "expect-identity" | "allow-identity" | "issuer-and-http" | "allow-identity-and-server-name" | "resume-sessions" | "detect";
  /**
   * Probes run in groups with the control repeated after each (a changed control answer means the
   * endpoint stopped answering it during the run): 1 plaintext, 2 TLS without a trusted
   * certificate, 3 certificates from the trusted issuer, 4 protocol paths (each judged against the
   * control forced onto the same path), 5 resumption. Server checks read one inspection.
   */
  group?: 1 | 2 | 3 | 4 | 5;
}

const clientCertCheck = (credential: ClientCredential, title: string, needs?: "issuer"): CheckDefinition => ({
  id: `client-cert::${credential}`,
  title,
  probe: { kind: "tls", credential },
  expect: { strict: "refused", permissive: "refused", disabled: "no-tls" },
  needs,
  group: needs ? 3 : 2,
});

const nameTitles: Record<NameVariant, string> = {
  "no-sni": "TLS without a client certificate and without SNI (Host: the server name)",
  "sni-case": "TLS without a client certificate, the server name as SNI in another case",
  "unknown-sni": "TLS without a client certificate, SNI a name the server does not serve (its default certificate path)",
  "host-differs": "TLS without a client certificate, the server name as SNI, Host a name the server does not serve",
};

/** A name path: the no-client-certificate policy must hold whatever name the client arrives under (a default virtual host without client auth fails it). */
const nameCheck = (variant: NameVariant): CheckDefinition => ({
  id: `name::${variant}`,
  title: nameTitles[variant],
  probe: { kind: "tls", credential: "none", name: variant },
  expect: { strict: "refused", permissive: "served-or-refused", disabled: "no-tls" },
  needs: "server-name",
  group: 2,
});

/**
 * A protocol path: the client-certificate checks must hold over h2 and http/1.1 alike, and over TLS
 * 1.2 and 1.3 alike (Apache CVE-2016-4979 skipped them over HTTP/2). Needs the issuer: only a
 * control that completes its handshake shows which paths the endpoint accepts.
 */
const protocolCheck = (over: ProtocolPath, credential: "none" | "rogue-ca"): CheckDefinition => ({
  id: `proto::${over}::${credential === "none" ? "no-client-cert" : credential}`,
  title: `${credential === "none" ? "TLS without a client certificate" : "a client certificate from a rogue CA"}, ${over.startsWith("tls") ? `TLS ${over.slice(3)} only` : `ALPN ${over} only`}`,
  probe: { kind: "tls", credential, over },
  expect: credential === "none" ? { strict: "refused", permissive: "served-or-refused", disabled: "no-tls" } : { strict: "refused", permissive: "refused", disabled: "no-tls" },
  needs: over.startsWith("tls") ? "issuer" : "issuer-and-http",
  group: 4,
});

/**
 * Resumption across names: a session from a name that needs no client certificate, resumed on the
 * server name, must not be served where a full handshake without a certificate is refused (nginx
 * CVE-2025-23419). Both connections send no certificate.
 */
const resumeCheck = (version: "tls1.2" | "tls1.3"): CheckDefinition => ({
  id: `resume::other-sni::${version}`,
  title: `a session from --resume-from's name (no client certificate) resumed on the server name, TLS ${version.slice(3)}`,
  probe: { kind: "resume", version, credential: "none" },
  expect: { strict: "refused", permissive: "served-or-refused", disabled: "no-tls" },
  needs: "server-name",
  group: 5,
});

/**
 * Resumption after presenting another identity: a session from --resume-from's name, where the
 * run's identity that was not allowed was presented, resumed on the server name, where that
 * identity must be refused (Envoy CVE-2022-21654: resumption across SAN-matching configs). Both
 * connections present that identity, so a server that declines the session refuses it afresh.
 */
const otherIdentityResumeCheck = (version: "tls1.2" | "tls1.3"): CheckDefinition => ({
  id: `resume::other-identity::${version}`,
  title: `a session from --resume-from's name presenting an identity not allowed, resumed on the server name, TLS ${version.slice(3)}`,
  probe: { kind: "resume", version, credential: "other-identity" },
  expect: { strict: "refused", permissive: "refused", disabled: "no-tls" },
  needs: "allow-identity-and-server-name",
  group: 5,
});

/**
 * Resumption after a trust change: a session an earlier run established with its valid
 * certificate (--save-sessions), offered now with that certificate, must be refused when a full
 * handshake with the same certificate is refused (the endpoint no longer trusts it). When the full
 * handshake is served the certificate is still trusted: recorded, nothing to judge.
 */
const savedSessionCheck = (version: "tls1.2" | "tls1.3"): CheckDefinition => ({
  id: `resume::saved-session::${version}`,
  title: `a session saved by an earlier run with its valid certificate, offered with that certificate, where a full handshake with it is refused, TLS ${version.slice(3)}`,
  probe: { kind: "saved-session", version },
  expect: { strict: "refused", permissive: "refused", disabled: "no-tls" },
  needs: "resume-sessions",
  group: 5,
});

export const externalChecks: CheckDefinition[] = [
  { id: "plaintext", title: "the protocol's request in plaintext on the TLS port", probe: { kind: "plaintext" }, expect: { strict: "refused", permissive: "served", disabled: "served" }, group: 1 },
  {
    id: "tls::no-client-cert",
    title: "TLS without a client certificate",
    probe: { kind: "tls", credential: "none" },
    // Permissive may pass TLS without a client certificate through or reject it; the report says which.
    expect: { strict: "refused", permissive: "served-or-refused", disabled: "no-tls" },
    group: 2,
  },
  clientCertCheck("rogue-ca", "a client certificate from a rogue CA the harness minted"),
  clientCertCheck("self-signed", "a self-signed client certificate"),
  {
    id: "client-cert::valid",
    title: "a valid client certificate from the trusted issuer, sent with its chain",
    probe: { kind: "tls", credential: "valid" },
    expect: { strict: "served", permissive: "served", disabled: "no-tls" },
    needs: "issuer",
    // The control itself when an issuer is given: its attempts are the control's first answer and every repeat.
    group: 3,
  },
  clientCertCheck("expired", "an expired client certificate from the trusted issuer", "issuer"),
  clientCertCheck("not-yet-valid", "a not-yet-valid client certificate from the trusted issuer", "issuer"),
  clientCertCheck("server-auth-eku", "a client certificate from the trusted issuer whose EKU is serverAuth only", "issuer"),
  { id: "server::chain", title: "the server's chain verifies against the trust bundle", probe: { kind: "server-chain" }, expect: {}, always: "verified", needs: "trust-bundle" },
  { id: "server::name", title: "the server certificate matches the server name", probe: { kind: "server-name" }, expect: {}, always: "verified", needs: "server-name" },
  { id: "server::identity", title: "the server's URI SAN is the expected identity", probe: { kind: "server-identity" }, expect: {}, always: "verified", needs: "expect-identity" },
  ...(["no-sni", "sni-case", "unknown-sni", "host-differs"] as const).map(nameCheck),
  ...(["h2", "http/1.1", "tls1.2", "tls1.3"] as const).flatMap((over) => [protocolCheck(over, "none"), protocolCheck(over, "rogue-ca")]),
  resumeCheck("tls1.2"),
  resumeCheck("tls1.3"),
  otherIdentityResumeCheck("tls1.2"),
  otherIdentityResumeCheck("tls1.3"),
  savedSessionCheck("tls1.2"),
  savedSessionCheck("tls1.3"),
  // No input needed: the chain comes from the control's own handshake, the anchor and issuer from --trust-bundle and --issuer-cert when given.
  { id: "server::expiry", title: "every certificate of the server's chain, its trust anchor and the client issuer has at least --min-days left", probe: { kind: "expiry" }, expect: {}, always: "verified" },
  { id: "detect::split-hello", title: "TLS without a client certificate and with a rogue CA's, the ClientHello in 1-byte TCP segments", probe: { kind: "split-hello" }, expect: { strict: "refused", permissive: "served-or-refused", disabled: "no-tls" }, needs: "detect", group: 2 },
  { id: "detect::slow-first-byte", title: "the plaintext request and TLS without a client certificate, each after a pause of min(11 s, --timeout-ms)", probe: { kind: "slow-first-byte" }, expect: { strict: "refused", permissive: "served", disabled: "served" }, needs: "detect", group: 1 },
  { id: "detect::server-first", title: "a client that says nothing for min(11 s, --timeout-ms): the endpoint must not speak plaintext first", probe: { kind: "server-first" }, expect: { strict: "refused", permissive: "served-or-refused", disabled: "served-or-refused" }, needs: "detect", group: 1 },
  { id: "tls::negotiated", title: "negotiated TLS version, cipher and ALPN (recorded, no verdict)", probe: { kind: "negotiated" }, expect: {} },
];

/** Whether a check's classification is evidence for the observed policy mode (docs/external.md "Policy modes"). */
export const isModeEvidence = (id: string): boolean => id === "plaintext" || id === "tls::no-client-cert" || id.startsWith("client-cert::");

/**
 * The identity authorization checks for --allow-identity: one per allowed identity (must be
 * served), and one per SAN kind with an identity from the same issuer that was not allowed (must be
 * refused). The control then presents the first allowed identity, so "served" is what an allowed
 * client gets.
 */
export function identityChecks(allowed: ClientIdentity[]): CheckDefinition[] {
  const admitted = allowed.map((identity, index): CheckDefinition => ({
    id: `identity::allowed::${describeIdentity(identity)}`,
    title: `a valid client certificate for the allowed identity ${describeIdentity(identity)}`,
    probe: { kind: "tls", credential: `allowed-${index}` },
    expect: { strict: "served", permissive: "served", disabled: "no-tls" },
    needs: "allow-identity",
    group: 3,
  }));
  const kinds = (["uri", "dns"] as const).filter((kind) => allowed.some((identity) => identity.kind === kind));
  const others = kinds.map((kind): CheckDefinition => {
    const other = otherIdentity(kind, allowed);
    return {
      id: `identity::other::${describeIdentity(other)}`,
      title: `a valid client certificate from the trusted issuer for ${describeIdentity(other)}, an identity not allowed`,
      probe: { kind: "tls", credential: `other-${kind}` },
      expect: { strict: "refused", permissive: "refused", disabled: "no-tls" },
      needs: "allow-identity",
      group: 3,
    };
  });
  return [...admitted, ...others];
}
