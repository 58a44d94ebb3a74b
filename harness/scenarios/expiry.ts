// Validity periods: the leaf, the intermediate and the client certificate, against the real clock.
import { serverName } from "../../fixtures/profiles.js";
import { defineCatalogue, type ClientSetup, type ServerSetup } from "../core/scenario.js";

const verifyingClient: ClientSetup = { trust: "trust-a", serverName };
const strictServer = (clientCert: string): { server: ServerSetup; client: ClientSetup } => ({
  server: { cert: "server", clientAuth: "required", clientTrust: "trust-a" },
  client: { ...verifyingClient, cert: clientCert },
});

export const expiryScenarios = defineCatalogue("expiry", [
  { id: "expiry::server::valid-ecdsa", title: "a valid ECDSA P-256 server leaf is accepted (positive control)", subject: "client", server: { cert: "server" }, client: verifyingClient, expect: "accepted" },
  { id: "expiry::server::valid-rsa", title: "a valid RSA-2048 server leaf is accepted (positive control)", subject: "client", server: { cert: "server-rsa" }, client: verifyingClient, expect: "accepted" },
  { id: "expiry::server::valid-ed25519", title: "a valid Ed25519 server leaf is accepted (positive control)", subject: "client", server: { cert: "server-ed25519" }, client: verifyingClient, expect: "accepted" },
  { id: "expiry::server::expired-leaf", title: "a server leaf past notAfter is rejected by the client", subject: "client", server: { cert: "server-expired" }, client: verifyingClient, expect: "rejected:expired" },
  { id: "expiry::server::not-yet-valid", title: "a server leaf before notBefore is rejected by the client", subject: "client", server: { cert: "server-not-yet-valid" }, client: verifyingClient, expect: "rejected:not-yet-valid" },
  { id: "expiry::server::expired-intermediate", title: "a valid leaf under an expired intermediate is rejected", subject: "client", server: { cert: "server-under-expired-issuer" }, client: verifyingClient, expect: "rejected:expired" },
  { id: "expiry::client::valid", title: "a valid client certificate is accepted by a strict server (positive control)", subject: "server", ...strictServer("client"), expect: "accepted" },
  { id: "expiry::client::valid-ed25519", title: "a valid Ed25519 client certificate is accepted (positive control)", subject: "server", ...strictServer("client-ed25519"), expect: "accepted" },
  { id: "expiry::client::valid-rsa", title: "a valid RSA-2048 client certificate is accepted (positive control)", subject: "server", ...strictServer("client-rsa"), expect: "accepted" },
  { id: "expiry::client::expired-leaf", title: "an expired client certificate is rejected by the server", subject: "server", ...strictServer("client-expired"), expect: "rejected:expired" },
  {
    id: "expiry::client::not-yet-valid",
    title: "a not-yet-valid client certificate is rejected by the server",
    subject: "server",
    ...strictServer("client-not-yet-valid"),
    expect: "rejected:not-yet-valid",
    deviations: {
      haproxy: {
        outcome: "rejected:bad-certificate",
        reason: "haproxy 2.6 rejects it but does not say why: the client gets OpenSSL's alert for a not-yet-valid certificate (42 bad_certificate) and haproxy logs only \"SSL client certificate not trusted\" (a log format with the verify code, error-log-format, arrives in 2.7)",
        reference: 'HAProxy 2.6 configuration manual, bind "verify"; error-log-format in 2.7',
      },
    },
  },
]);
