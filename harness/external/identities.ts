// Client identities for the authorization checks (--allow-identity): an endpoint that trusts a CA
// must still admit only the identities it names, not every certificate the CA signed. An identity
// is a URI SAN (a SPIFFE ID, or any scheme://...) or a DNS SAN; a minted certificate carries it as
// its SAN and, when it fits (64 characters, RFC 5280's ub-common-name), as its CN too, since many
// servers (nginx's $ssl_client_s_dn, HAProxy's ssl_c_s_dn) can only see the subject.
import type { CertSpec } from "../../fixtures/spec.js";

export interface ClientIdentity {
  kind: "uri" | "dns";
  value: string;
}

const uriPattern = /^[a-z][a-z0-9+.-]*:\/\/[^\s,]+$/i;
const dnsPattern = /^(?=.{1,253}$)(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A URI ("spiffe://td/ns/x/sa/y") or a DNS name ("client.mesh.test", or "dns:client.mesh.test"); undefined when neither. */
export function parseIdentity(text: string): ClientIdentity | undefined {
  if (uriPattern.test(text) && !/^dns:/i.test(text)) return { kind: "uri", value: text };
  const name = text.replace(/^dns:/i, "");
  return dnsPattern.test(name) ? { kind: "dns", value: name.toLowerCase() } : undefined;
}

export const describeIdentity = (identity: ClientIdentity): string => (identity.kind === "uri" ? identity.value : `dns:${identity.value}`);

/**
 * An identity of the same kind, from the same trust domain or parent domain, that none of `allowed`
 * is: spiffe://TD/ns/mtls-conformance/sa/not-allowed, or not-allowed.PARENT for a DNS name.
 */
export function otherIdentity(kind: ClientIdentity["kind"], allowed: ClientIdentity[]): ClientIdentity {
  const sameKind = allowed.filter((identity) => identity.kind === kind);
  const taken = new Set(sameKind.map((identity) => identity.value));
  const first = sameKind[0]!.value;
  const base =
    kind === "dns"
      ? `not-allowed.${first.replace(/^\*\./, "").split(".").slice(1).join(".") || "mtls-conformance.test"}`
      : first.startsWith("spiffe://")
        ? `spiffe://${new URL(first).host}/ns/mtls-conformance/sa/not-allowed`
        : `${first.split("://")[0]}://${new URL(first).host}/mtls-conformance/not-allowed`;
  let value = base;
  for (let suffix = 2; taken.has(value); suffix++) value = kind === "dns" ? `${suffix}-${base}` : `${base}-${suffix}`;
  return { kind, value };
}

/** The subject and SAN a client certificate carries for `identity`. */
export function identityFields(identity: ClientIdentity): Pick<CertSpec, "subject" | "san"> {
  return {
    subject: { commonName: identity.value.length <= 64 ? identity.value : "mtls-conformance identity probe" },
    san: identity.kind === "uri" ? { uri: [identity.value] } : { dns: [identity.value] },
  };
}
