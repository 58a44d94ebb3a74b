// The client gallery: servers that a correct TLS client must refuse (and the few it must accept),
// for any client: `mtls-conformance client --command ...` runs the user's command against each row
// (harness/client/), and the conformance matrix runs them with its client stacks (suites/client.test.ts).
// Every row's subject is the client. The downgrade row's server speaks no TLS (a sidecar in disabled
// mode: the command's own plaintext server records whether the client sent its request in the clear).
import { serverIdentity, serverName } from "../../fixtures/profiles.js";
import { defineCatalogue, type ClientSetup } from "../core/scenario.js";

/**
 * The client of every row: trusts root A and dials the service's name. The command always gets the
 * client identity ({cert}, {key}, {p12}); the row names it where the server asks for it.
 */
const client = (extra: Partial<ClientSetup> = {}): ClientSetup => ({ trust: "trust-a", serverName, ...extra });

/** The row every other row is judged against: a client that refuses it cannot be judged. */
export const clientControlId = "client::control::valid";

export const clientScenarios = defineCatalogue("client", [
  { id: clientControlId, title: "a valid server for the name dialled, under the trusted root, is accepted (the control)", subject: "client", server: { cert: "server" }, client: client(), expect: "accepted" },
  { id: "client::expiry::expired", title: "an expired server certificate is refused", subject: "client", server: { cert: "server-expired" }, client: client(), expect: "rejected:expired" },
  { id: "client::expiry::not-yet-valid", title: "a server certificate that is not valid yet is refused", subject: "client", server: { cert: "server-not-yet-valid" }, client: client(), expect: "rejected:not-yet-valid" },
  { id: "client::name::wrong-dns-name", title: "a certificate for another DNS name is refused", subject: "client", server: { cert: "server-wrong-san" }, client: client(), expect: "rejected:hostname-mismatch" },
  {
    id: "client::name::sni-selected",
    title: "the right name only on the certificate the server selects by SNI is accepted (the client must send SNI)",
    subject: "client",
    server: { cert: "server-wrong-san", sniCerts: { [serverName]: "server" } },
    client: client(),
    expect: "accepted",
  },
  { id: "client::trust::untrusted-ca", title: "a server certificate from a CA the client does not trust is refused", subject: "client", server: { cert: "server-untrusted" }, client: client(), expect: "rejected:unknown-ca" },
  { id: "client::trust::self-signed", title: "a self-signed server certificate with the right name is refused", subject: "client", server: { cert: "server-self-signed" }, client: client(), expect: "rejected:unknown-ca" },
  { id: "client::trust::missing-intermediate", title: "a server that sends its leaf without the intermediate is refused", subject: "client", server: { cert: "server-no-chain" }, client: client(), expect: "rejected:unknown-ca" },
  {
    id: "client::identity::wrong-uri-san",
    title: "a server with the right name and chain but another workload identity (URI SAN) is refused",
    subject: "client",
    server: { cert: "server-foreign-identity" },
    client: client({ expectIdentity: serverIdentity }),
    needs: ["require-uri-san"],
    expect: "rejected:identity-mismatch",
  },
  {
    id: "client::client-auth::required",
    title: "a server that requires a client certificate accepts the client's (the client must present it)",
    subject: "client",
    server: { cert: "server", clientAuth: "required", clientTrust: "trust-a" },
    client: client({ cert: "client" }),
    needs: ["present-client-certificate"],
    expect: "accepted",
  },
  { id: "client::rotation::b-only-client-trusts-a", title: "rotation: a server already on root B is refused by a client that trusts only A", subject: "client", server: { cert: "server-b" }, client: client(), expect: "rejected:unknown-ca" },
  { id: "client::rotation::bundle-accepts-b", title: "rotation: a server on root B is accepted by a client given the bundle A+B", subject: "client", server: { cert: "server-b" }, client: client({ trust: "trust-ab" }), expect: "accepted" },
  { id: "client::rotation::cross-signed", title: "rotation: a server on B whose issuer is cross-signed by A is accepted by a client that trusts A", subject: "client", server: { cert: "server-b-cross" }, client: client(), expect: "accepted" },
  {
    id: "client::downgrade::plaintext-only",
    title: "a server that answers only in plaintext gets no request in the clear from a client configured for TLS",
    subject: "client",
    // A sidecar in disabled mode passes everything to a plaintext app: a ClientHello is answered in HTTP.
    server: { cert: "server", sidecarMode: "disabled" },
    client: client(),
    expect: "rejected:protocol-version",
  },
]);
