// Trust-anchor rotation from root A to root B, in phases, on both directions of trust.
import { serverName } from "../../fixtures/profiles.js";
import { defineCatalogue, type ServerSetup } from "../scenario.js";

const client = (trust: string, cert?: string) => ({ trust, serverName, cert });
const serverTrusting = (clientTrust: string): ServerSetup => ({ cert: "server", clientAuth: "required", clientTrust });

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
]);
