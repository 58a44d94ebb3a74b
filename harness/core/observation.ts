// The core of a probe, shared by the prober, every stack and the external checks: the key pair
// files a peer presents, what a client or server is configured with, and what one connection was
// observed to do. Configs hold file paths and an endpoint already chosen by the runtime: a peer
// never picks addresses or reads fixtures. Nothing here knows a particular TLS stack.
import type { Classification, Outcome, Side } from "./outcome.js";
import type { Endpoint } from "./network.js";

/** What a protocol-detecting proxy in front of a TLS server admits: only mTLS, mTLS and plaintext, or plaintext. */
export type PolicyMode = "strict" | "permissive" | "disabled";

export interface KeyPairFiles {
  /** The certificate alone. */
  cert: string;
  /** Intermediates to send after it; undefined when there are none. */
  chain?: string;
  key: string;
}

/** Protocol versions by node:tls's names (tls.connect minVersion/maxVersion). */
export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
export const tlsVersions: readonly TlsVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
/** `minVersion` and every later version, oldest first. */
export const versionsFrom = (minVersion: TlsVersion): TlsVersion[] => tlsVersions.slice(tlsVersions.indexOf(minVersion));

export interface TlsServerConfig {
  endpoint: Endpoint;
  /** The lowest protocol version the server accepts (a floor); undefined: the stack's default. */
  minVersion?: TlsVersion;
  /** The highest version it speaks: only the reference server honours it (an old peer, for a client row). */
  maxVersion?: TlsVersion;
  /**
   * Client identities the server admits after verifying the chain (URI SANs such as SPIFFE IDs, or
   * DNS SANs); a verified client with none of them is refused as not authorized. Undefined: any
   * verified client.
   */
  allowedIdentities?: string[];
  /**
   * Only the reference peer sets it: OpenSSL security level 0, so it can present a SHA-1-signed or
   * RSA-1024 certificate or speak TLS 1.0 when a row asks it to. A stack under test keeps its defaults.
   */
  lowestSecurityLevel?: boolean;
  identity: KeyPairFiles;
  clientAuth: "none" | "optional" | "required";
  /** PEM bundle trusted for client certificates. */
  clientTrust?: string;
  crls: string[];
  /** SNI name -> the key pair served for it. */
  sniIdentities: Record<string, KeyPairFiles>;
  /**
   * Only for servers that detect the protocol themselves: listen on `endpoint` as a sidecar in
   * `mode`, terminating TLS itself and sending plaintext to `app` (see stacks/common/sidecar.ts);
   * with `otherPort`, a second listener of the same detector in front of the same app and
   * terminator, in its own mode (a per-port mode, as Istio's portLevelMtls).
   */
  sidecar?: { mode: PolicyMode; app: Endpoint; otherPort?: { mode: PolicyMode; endpoint: Endpoint } };
}

/** What a server checks client certificates against (TlsServerConfig's clientTrust and crls). */
export type ClientTrust = Pick<TlsServerConfig, "clientTrust" | "crls">;

export interface TlsClientConfig {
  identity?: KeyPairFiles;
  /** PEM bundle used to verify the server; undefined skips server verification. */
  trust?: string;
  /** SNI; undefined sends none. */
  serverName?: string;
  verifyName?: string;
  verifyIp?: string;
  expectIdentity?: string;
  /** ALPN protocols to offer. */
  alpn?: string[];
  /** Versions the client offers: only the reference client honours them (an old peer, for a server row). */
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  /** As TlsServerConfig.lowestSecurityLevel: the reference peer only. */
  lowestSecurityLevel?: boolean;
  /** The reference client only: keep the session the server issues, or offer one kept earlier. */
  resumption?: SessionResumption;
}

export interface SessionResumption {
  /** ticket: accept session tickets; session-id: refuse them (SSL_OP_NO_TICKET), so a TLS 1.2 server resumes by session ID. */
  via: "ticket" | "session-id";
  /** The session to offer (Observation.session of an earlier connection). */
  offer?: Buffer;
}

/** What happened on one connection, from both sides where each side could tell. */
export interface Observation {
  outcome: Outcome;
  /** The side whose stack refused, when it was a rejection. */
  rejectedBy?: Side;
  tlsVersion?: string;
  cipher?: string;
  alpnProtocol?: string;
  /** First bytes of the application response, when there was one. */
  response?: string;
  /** Raw text each side produced, for the report (never key material). */
  evidence: { client?: string; server?: string };
  /** With TlsClientConfig.resumption: the session the server issued (a TLS 1.2 ID or ticket, a TLS 1.3 ticket). */
  session?: Buffer;
  /** With a session offered: whether the server resumed it (an abbreviated handshake). */
  resumed?: boolean;
  /** Resumption rows: what a fresh full handshake got right after the trust change. */
  fullHandshake?: Outcome;
}

/**
 * A client's failed connection as an observation: an alert came from the server, a local verify
 * verdict is the client's own; transport faults name no side.
 */
export function clientFailure(seen: Classification, negotiated: { tlsVersion?: string; cipher?: string } = {}): Observation {
  return {
    outcome: seen.outcome,
    rejectedBy: seen.source === "alert" ? "server" : seen.source === "local-verify" ? "client" : undefined,
    ...negotiated,
    evidence: { client: seen.raw },
  };
}

/** An HTTP/1.0 request: the reference servers answer it and close, so a read ends cleanly. */
export const applicationRequest = (host: string): string => `GET / HTTP/1.0\r\nHost: ${host}\r\nUser-Agent: mtls-conformance\r\n\r\n`;
