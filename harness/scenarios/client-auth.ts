// Client certificates: what a server that requires (or merely requests) them lets through.
import { serverName } from "../../fixtures/profiles.js";
import { defineCatalogue, type ClientSetup, type Deviation, type ServerSetup } from "../core/scenario.js";

const strictServer: ServerSetup = { cert: "server", clientAuth: "required", clientTrust: "trust-a" };
const optionalServer: ServerSetup = { ...strictServer, clientAuth: "optional" };
const revocationCheckingServer: ServerSetup = { ...strictServer, crls: ["issuer-a", "root-a"] };
const clientWith = (cert?: string): ClientSetup => ({ trust: "trust-a", serverName, cert });
const optionalModeInNode: Deviation = {
  outcome: "accepted",
  reason: "node:tls has no verify-if-given mode: with requestCert and rejectUnauthorized false the handshake completes and socket.authorized is left to the application (Node docs, tls.createServer)",
  reference: "Node.js docs, tls.createServer (requestCert, rejectUnauthorized)",
};

export const clientAuthScenarios = defineCatalogue("client-auth", [
  { id: "client-auth::strict::valid-cert", title: "a strict server accepts a client certificate from its CA", subject: "server", server: strictServer, client: clientWith("client"), expect: "accepted" },
  { id: "client-auth::strict::no-client-cert", title: "a strict server rejects a client that sends no certificate", subject: "server", server: strictServer, client: clientWith(), expect: "rejected:client-cert-required" },
  { id: "client-auth::strict::untrusted-ca", title: "a strict server rejects a client certificate from a CA it does not trust", subject: "server", server: strictServer, client: clientWith("client-untrusted"), expect: "rejected:unknown-ca" },
  { id: "client-auth::strict::self-signed", title: "a strict server rejects a self-signed client certificate", subject: "server", server: strictServer, client: clientWith("client-self-signed"), expect: "rejected:unknown-ca" },
  {
    id: "client-auth::strict::server-auth-only-eku",
    title: "a strict server rejects a client certificate whose EKU is serverAuth only",
    subject: "server",
    server: strictServer,
    client: clientWith("client-eku-server-only"),
    expect: "rejected:unsupported-certificate",
    deviations: {
      gnutls: {
        outcome: "accepted",
        reason: "gnutls-serv verifies the client chain without a key purpose (no GNUTLS_KP_TLS_WWW_CLIENT), so an EKU of serverAuth only passes: its Status line says trusted (measured with 3.7.9); an application using GnuTLS must set the purpose itself",
        reference: "GnuTLS manual, gnutls_certificate_verify_peers: the key purpose is the application's to set",
      },
    },
  },
  { id: "client-auth::strict::missing-intermediate", title: "a strict server rejects a client leaf sent without its intermediate", subject: "server", server: strictServer, client: clientWith("client-no-chain"), expect: "rejected:unknown-ca" },
  {
    id: "client-auth::strict::revoked",
    title: "a server checking CRLs rejects a revoked client certificate",
    subject: "server",
    server: revocationCheckingServer,
    client: clientWith("client-revoked"),
    expect: "rejected:revoked",
    deviations: {
      go: {
        outcome: "accepted",
        reason: "Go 1.19's crypto/tls cannot check revocation: tls.Config has no CRL option and crypto/x509's Certificate.Verify never consults CRLs, so a Go server accepts a revoked client certificate unless the service checks it in VerifyPeerCertificate",
        reference: "Go 1.19 crypto/tls Config and crypto/x509 VerifyOptions documentation (no revocation fields)",
      },
      caddy: {
        outcome: "accepted",
        reason: "Caddy 2.6 has no CRL setting: tls client_authentication takes trusted CA and leaf certificates and a mode, and Go crypto/tls underneath never consults CRLs, so Caddy accepts a revoked client certificate (measured with 2.6.2; revocation needs a third-party plugin not in Debian's build)",
        reference: "Caddy 2.6 JSON config docs, apps/http/servers/tls_connection_policies/client_authentication; caddyserver/caddy issue #2341 (Allow revocation list for client cert auth, open)",
      },
    },
  },
  { id: "client-auth::strict::not-revoked", title: "a server checking CRLs accepts a client certificate that is not revoked (control)", subject: "server", server: revocationCheckingServer, client: clientWith("client"), expect: "accepted" },
  { id: "client-auth::strict::chain-with-root", title: "a strict server accepts a client chain sent with its root as well", subject: "server", server: strictServer, client: clientWith("client-chain-with-root"), expect: "accepted" },
  { id: "client-auth::optional::no-client-cert", title: "a server in optional mode accepts a client without a certificate", subject: "server", server: optionalServer, client: clientWith(), expect: "accepted" },
  { id: "client-auth::optional::valid-cert", title: "a server in optional mode accepts a valid client certificate", subject: "server", server: optionalServer, client: clientWith("client"), expect: "accepted" },
  {
    id: "client-auth::optional::untrusted-cert",
    title: "a server in optional mode still rejects a client certificate it cannot verify",
    subject: "server",
    server: optionalServer,
    client: clientWith("client-untrusted"),
    expect: "rejected:unknown-ca",
    deviations: {
      node: optionalModeInNode,
    },
  },
  {
    id: "client-auth::optional::expired-cert",
    title: "a server in optional mode still rejects an expired client certificate",
    subject: "server",
    server: optionalServer,
    client: clientWith("client-expired"),
    expect: "rejected:expired",
    deviations: { node: optionalModeInNode },
  },
  {
    id: "client-auth::optional::self-signed",
    title: "a server in optional mode still rejects a self-signed client certificate",
    subject: "server",
    server: optionalServer,
    client: clientWith("client-self-signed"),
    expect: "rejected:unknown-ca",
    deviations: { node: optionalModeInNode },
  },
]);
