// Trust-anchor rotation from root A to root B, in phases, on both directions of trust.
import { serverName } from "../../fixtures/profiles.js";
import type { Outcome } from "../core/outcome.js";
import { defineCatalogue, type ClientSetup, type Resumption, type Scenario, type ServerSetup } from "../core/scenario.js";

const client = (trust: string, cert?: string) => ({ trust, serverName, cert });
const serverTrusting = (clientTrust: string): ServerSetup => ({ cert: "server", clientAuth: "required", clientTrust });

// Resumption after a trust change (docs/architecture.md "Resumption after a trust change"): a
// session from a full handshake under root A, offered again after the server's trust changed. The
// server speaks 1.2 and 1.3 (nginx 1.22 enables TLS 1.3 only when ssl_protocols names it).
const resumingServer: ServerSetup = { ...serverTrusting("trust-a"), minVersion: "TLSv1.2" };
const resumptionPaths: Array<{ name: string; via: Resumption["via"]; versions: Pick<ClientSetup, "minVersion" | "maxVersion">; how: string }> = [
  { name: "tls1.3", via: "ticket", versions: { minVersion: "TLSv1.3" }, how: "a TLS 1.3 ticket" },
  { name: "tls1.2-ticket", via: "ticket", versions: { maxVersion: "TLSv1.2" }, how: "a TLS 1.2 session ticket" },
  { name: "tls1.2-session-id", via: "session-id", versions: { maxVersion: "TLSv1.2" }, how: "a TLS 1.2 session ID" },
];
const trustChanges: Array<{ name: string; retrust: Resumption["retrust"]; cert: string; expect: Outcome; resumes?: boolean; what: string }> = [
  { name: "unchanged", retrust: {}, cert: "client", expect: "accepted", resumes: true, what: "a reload that keeps root A (control): the session resumes and is accepted" },
  { name: "moved-to-root-b", retrust: { clientTrust: "trust-b" }, cert: "client", expect: "rejected:unknown-ca", what: "the server moved to trusting root B only: the client on root A is refused" },
  { name: "revoked", retrust: { crls: ["issuer-a", "root-a"] }, cert: "client-revoked", expect: "rejected:revoked", what: "a CRL now revokes the client certificate: the client is refused" },
];
// Where a stack resumes anyway: OpenSSL keeps the client certificate's verify result in the
// session and restores it on reuse, so only a server that refuses the old session re-checks.
const resumedAnyway = (change: string, path: string): Scenario["deviations"] => {
  const deviations: NonNullable<Scenario["deviations"]> = {};
  if (change !== "unchanged" && path !== "tls1.2-session-id") {
    deviations.node = {
      outcome: "accepted",
      reason:
        "node:tls resumes a ticket without verifying the client certificate again: OpenSSL restores the certificate's verify result from the session and socket.authorized reads it, so a server that kept its ticket keys across setSecureContext (setTicketKeys, or ticketKeys shared by its instances) serves a session issued under the old trust until the ticket expires (measured with node 20.20.2; setSecureContext alone draws new ticket keys, which ends old sessions)",
      reference: "OpenSSL SSL_set_verify_result(3) notes (the verify result is part of the session and reappears on reuse); RFC 5246 appendix F.1.4; node docs tls server.setTicketKeys",
    };
  }
  if (change === "revoked") {
    deviations.nginx = {
      outcome: "accepted",
      reason:
        "nginx 1.22 derives the session ID context from its certificates and the client CA list (ngx_ssl_session_id_context), so moving ssl_client_certificate to root B ends old sessions, but the CRL is not part of it: after ssl_crl revokes the certificate and a reload, a session from the shared cache or a ticket under a kept ssl_session_ticket_key resumes with $ssl_client_verify SUCCESS and is served until ssl_session_timeout (measured with 1.22.1)",
      reference: "nginx src/event/ngx_event_openssl.c ngx_ssl_session_id_context; nginx docs ssl_crl, ssl_session_ticket_key; RFC 5246 appendix F.1.4",
    };
  }
  if (change === "moved-to-root-b") {
    deviations.haproxy = {
      outcome: "accepted",
      reason:
        "HAProxy 2.6's commit ssl ca-file rebuilds the bind's SSL contexts in the running process, keeping its shared session cache and its ticket keys, and a resumed session keeps the verify result of its full handshake: after the bind moved to root B, a TLS 1.3 ticket, a TLS 1.2 ticket and a TLS 1.2 session ID from before all resume and are served while a full handshake is refused (measured with 2.6.12)",
      reference: "HAProxy 2.6 management guide, set ssl ca-file / commit ssl ca-file; OpenSSL SSL_set_verify_result(3) notes; RFC 5246 appendix F.1.4",
    };
  }
  return deviations;
};
const resumptionRows = (): Scenario[] =>
  trustChanges.flatMap((change) =>
    resumptionPaths.map((path): Scenario => {
      const resumption: Resumption = { via: path.via, retrust: change.retrust, ...(change.resumes ? { resumes: true } : {}) };
      return {
        id: `rotation::resume::${change.name}::${path.name}`,
        title: `resuming ${path.how} after ${change.what}`,
        subject: "server",
        server: resumingServer,
        client: { ...client("trust-a", change.cert), ...path.versions },
        resumption,
        expect: change.expect,
        needs: ["reload-trust", ...(path.via === "session-id" ? (["resume-session-id"] as const) : []), ...(change.retrust.crls ? (["add-crl"] as const) : []), ...(path.versions.minVersion === "TLSv1.3" ? (["tls1.3"] as const) : [])],
        deviations: resumedAnyway(change.name, path.name),
      };
    }),
  );

export const rotationScenarios = defineCatalogue("rotation", [
  { id: "rotation::phase1::a-only", title: "phase 1: a client trusting A accepts a server on an A leaf", subject: "client", server: { cert: "server" }, client: client("trust-a"), expect: "accepted" },
  { id: "rotation::phase2::bundle-accepts-a-leaf", title: "phase 2: a client trusting A+B accepts a server still on an A leaf", subject: "client", server: { cert: "server" }, client: client("trust-ab"), expect: "accepted" },
  { id: "rotation::phase2::bundle-accepts-b-leaf", title: "phase 2: a client trusting A+B accepts a server already on a B leaf", subject: "client", server: { cert: "server-b" }, client: client("trust-ab"), expect: "accepted" },
  { id: "rotation::phase2::server-bundle-accepts-a-client", title: "phase 2: a server trusting A+B accepts a client on an A leaf", subject: "server", server: serverTrusting("trust-ab"), client: client("trust-a", "client"), expect: "accepted" },
  { id: "rotation::phase2::server-bundle-accepts-b-client", title: "phase 2: a server trusting A+B accepts a client on a B leaf", subject: "server", server: serverTrusting("trust-ab"), client: client("trust-a", "client-b"), expect: "accepted" },
  { id: "rotation::premature::b-leaf-a-client", title: "premature rotation: a server on a B leaf fails a client that trusts only A", subject: "client", server: { cert: "server-b" }, client: client("trust-a"), expect: "rejected:unknown-ca" },
  { id: "rotation::premature::b-client-a-server", title: "premature rotation: a client on a B leaf fails a server that trusts only A", subject: "server", server: serverTrusting("trust-a"), client: client("trust-a", "client-b"), expect: "rejected:unknown-ca" },
  { id: "rotation::phase3::b-only-rejects-a-leaf", title: "phase 3: a client trusting only B rejects a server left on an A leaf", subject: "client", server: { cert: "server" }, client: client("trust-b"), expect: "rejected:unknown-ca" },
  { id: "rotation::phase3::server-b-only-rejects-a-client", title: "phase 3: a server trusting only B rejects a client left on an A leaf", subject: "server", server: serverTrusting("trust-b"), client: client("trust-a", "client"), expect: "rejected:unknown-ca" },
  { id: "rotation::phase3::b-only-accepts-b-leaf", title: "phase 3: a client trusting only B accepts a server on a B leaf", subject: "client", server: { cert: "server-b" }, client: client("trust-b"), expect: "accepted" },
  { id: "rotation::phase3::server-b-only-accepts-b-client", title: "phase 3: a server trusting only B accepts a client on a B leaf", subject: "server", server: serverTrusting("trust-b"), client: client("trust-a", "client-b"), expect: "accepted" },
  { id: "rotation::cross-signed::ab-client-accepts-cross-chain", title: "cross-signed issuer B: a client trusting A+B accepts the cross-signed chain", subject: "client", server: { cert: "server-b-cross" }, client: client("trust-ab"), expect: "accepted" },
  // The cross-sign chains to A only: a client that already dropped A cannot use it (it would need issuer B as sent by B).
  { id: "rotation::cross-signed::b-only-client-rejects-cross-chain", title: "cross-signed issuer B: a client trusting only B rejects the chain that leads to A", subject: "client", server: { cert: "server-b-cross" }, client: client("trust-b"), expect: "rejected:unknown-ca" },
  { id: "rotation::cross-signed::a-server-accepts-cross-client", title: "cross-signed issuer B keeps servers that trust only A accepting B clients", subject: "server", server: serverTrusting("trust-a"), client: client("trust-a", "client-b-cross"), expect: "accepted" },
  { id: "rotation::cross-signed::ab-server-accepts-cross-client", title: "cross-signed issuer B: a server trusting A+B accepts a client sending the cross-signed chain", subject: "server", server: serverTrusting("trust-ab"), client: client("trust-a", "client-b-cross"), expect: "accepted" },
  { id: "rotation::cross-signed::b-only-server-rejects-cross-client", title: "cross-signed issuer B: a server trusting only B rejects a client chain that leads to A", subject: "server", server: serverTrusting("trust-b"), client: client("trust-a", "client-b-cross"), expect: "rejected:unknown-ca" },
  { id: "rotation::cross-signed::a-client-accepts-b-leaf", title: "cross-signed issuer B (by A) keeps clients that trust only A working", subject: "client", server: { cert: "server-b-cross" }, client: client("trust-a"), expect: "accepted" },
  ...resumptionRows(),
]);
