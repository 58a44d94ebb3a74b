// The checks run against an external endpoint, as data: what each sends, and what each policy
// mode expects of it (DESIGN.md "Policy modes"). A matcher names a class of outcomes, because
// from outside only "was my request served?" is certain; the reason is reported as observed.
import type { PolicyMode } from "../scenario.js";

/** served: the request was answered; refused: the endpoint did not serve it (alert, close, refusal of plaintext); no-tls: no TLS spoken. */
export type Matcher = "served" | "refused" | "served-or-refused" | "no-tls" | "verified";

/** The client certificate a TLS check presents, minted by the harness for this run. */
export type ClientCredential = "none" | "rogue-ca" | "self-signed" | "valid" | "expired" | "not-yet-valid" | "server-auth-eku";

export type CheckProbe =
  | { kind: "plaintext" }
  | { kind: "tls"; credential: ClientCredential }
  | { kind: "server-chain" }
  | { kind: "server-name" }
  | { kind: "server-identity" }
  | { kind: "negotiated" };

export interface CheckDefinition {
  id: string;
  title: string;
  probe: CheckProbe;
  /** What each mode expects; undefined: the check makes no verdict in that mode. */
  expect: Partial<Record<PolicyMode, Matcher>>;
  /** A verdict made whatever mode is expected (unless disabled, where no TLS is spoken). */
  always?: Matcher;
  /** Which input the check needs; without it the check is not run. */
  needs?: "issuer" | "trust-bundle" | "server-name" | "expect-identity";
}

const clientCertCheck = (credential: ClientCredential, title: string, needs?: "issuer"): CheckDefinition => ({
  id: `client-cert::${credential}`,
  title,
  probe: { kind: "tls", credential },
  expect: { strict: "refused", permissive: "refused", disabled: "no-tls" },
  needs,
});

export const externalChecks: CheckDefinition[] = [
  { id: "plaintext", title: "plain HTTP on the raw socket", probe: { kind: "plaintext" }, expect: { strict: "refused", permissive: "served", disabled: "served" } },
  {
    id: "tls::no-client-cert",
    title: "TLS without a client certificate",
    probe: { kind: "tls", credential: "none" },
    // Permissive may pass TLS without a client certificate through or reject it; the report says which.
    expect: { strict: "refused", permissive: "served-or-refused", disabled: "no-tls" },
  },
  clientCertCheck("rogue-ca", "a client certificate from a rogue CA the harness minted"),
  clientCertCheck("self-signed", "a self-signed client certificate"),
  {
    id: "client-cert::valid",
    title: "a valid client certificate from the trusted issuer, sent with its chain",
    probe: { kind: "tls", credential: "valid" },
    expect: { strict: "served", permissive: "served", disabled: "no-tls" },
    needs: "issuer",
  },
  clientCertCheck("expired", "an expired client certificate from the trusted issuer", "issuer"),
  clientCertCheck("not-yet-valid", "a not-yet-valid client certificate from the trusted issuer", "issuer"),
  clientCertCheck("server-auth-eku", "a client certificate from the trusted issuer whose EKU is serverAuth only", "issuer"),
  { id: "server::chain", title: "the server's chain verifies against the trust bundle", probe: { kind: "server-chain" }, expect: {}, always: "verified", needs: "trust-bundle" },
  { id: "server::name", title: "the server certificate matches the server name", probe: { kind: "server-name" }, expect: {}, always: "verified", needs: "server-name" },
  { id: "server::identity", title: "the server's URI SAN is the expected identity", probe: { kind: "server-identity" }, expect: {}, always: "verified", needs: "expect-identity" },
  { id: "tls::negotiated", title: "negotiated TLS version, cipher and ALPN (recorded, no verdict)", probe: { kind: "negotiated" }, expect: {} },
];
