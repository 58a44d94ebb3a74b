// Authorization by identity: a server that admits only listed client identities, as Linkerd's
// MeshTLSAuthentication (identities) and Istio's AuthorizationPolicy (principals) do. The chain
// verifies in every row but the last two; what is refused is the identity: rejected:not-authorized
// ("authenticated, not authorized"). Authorization never stands in for authentication.
import { clientDnsName, clientIdentity, intruderIdentity, serverName } from "../../fixtures/profiles.js";
import { defineCatalogue, type ClientSetup, type ServerSetup } from "../core/scenario.js";

const admitting = (allowedIdentities: string[], clientTrust = "trust-a"): ServerSetup => ({ cert: "server", clientAuth: "required", clientTrust, allowedIdentities });
const clientWith = (cert?: string): ClientSetup => ({ trust: "trust-a", serverName, cert });
const needs = ["authorize-client-identity" as const];

export const authorizationScenarios = defineCatalogue("authorization", [
  { id: "authorization::spiffe::listed", title: "a client whose SPIFFE ID is listed is admitted", subject: "server", server: admitting([clientIdentity]), client: clientWith("client"), needs, expect: "accepted" },
  { id: "authorization::spiffe::second-listed", title: "a client whose SPIFFE ID is the second of two listed is admitted", subject: "server", server: admitting([intruderIdentity.replace("intruder", "web"), clientIdentity]), client: clientWith("client"), needs, expect: "accepted" },
  { id: "authorization::spiffe::unlisted", title: "a verified client with another SPIFFE ID of the same trust domain is refused", subject: "server", server: admitting([clientIdentity]), client: clientWith("client-intruder"), needs, expect: "rejected:not-authorized" },
  { id: "authorization::spiffe::foreign-trust-domain", title: "a verified client with the same path in another trust domain is refused", subject: "server", server: admitting([clientIdentity]), client: clientWith("client-foreign-trust-domain"), needs, expect: "rejected:not-authorized" },
  { id: "authorization::spiffe::listed-under-root-b", title: "during rotation (trust A+B) a listed client on a B leaf is admitted", subject: "server", server: admitting([clientIdentity], "trust-ab"), client: clientWith("client-b"), needs, expect: "accepted" },
  { id: "authorization::dns::listed", title: "a client whose DNS SAN is listed is admitted", subject: "server", server: admitting([clientDnsName]), client: clientWith("client-dns"), needs, expect: "accepted" },
  { id: "authorization::dns::unlisted", title: "a verified client with another DNS SAN is refused", subject: "server", server: admitting([clientDnsName]), client: clientWith("client-dns-intruder"), needs, expect: "rejected:not-authorized" },
  { id: "authorization::dns::uri-is-not-dns", title: "a listed DNS name is not matched by a client that carries only a SPIFFE ID", subject: "server", server: admitting([clientDnsName]), client: clientWith("client"), needs, expect: "rejected:not-authorized" },
  { id: "authorization::authn::no-client-cert", title: "a client without a certificate is refused before any allow-list", subject: "server", server: admitting([clientIdentity]), client: clientWith(), needs, expect: "rejected:client-cert-required" },
  { id: "authorization::authn::untrusted-listed-identity", title: "a listed SPIFFE ID on an untrusted chain is refused as untrusted", subject: "server", server: admitting([clientIdentity]), client: clientWith("client-untrusted"), needs, expect: "rejected:unknown-ca" },
  { id: "authorization::authn::expired-listed-identity", title: "a listed SPIFFE ID on an expired certificate is refused as expired", subject: "server", server: admitting([clientIdentity]), client: clientWith("client-expired"), needs, expect: "rejected:expired" },
]);
