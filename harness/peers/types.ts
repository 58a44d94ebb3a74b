// The seams between the scenario runner and the TLS stacks. Configs hold file paths and an
// endpoint already chosen by the runtime: an adapter never picks addresses or reads fixtures.
import type { Classification, Outcome, Side } from "../outcome.js";
import type { Endpoint } from "../network.js";
import type { PolicyMode } from "../scenario.js";

export interface KeyPairFiles {
  /** The certificate alone. */
  cert: string;
  /** Intermediates to send after it; undefined when there are none. */
  chain?: string;
  key: string;
}

export interface TlsServerConfig {
  endpoint: Endpoint;
  identity: KeyPairFiles;
  clientAuth: "none" | "optional" | "required";
  /** PEM bundle trusted for client certificates. */
  clientTrust?: string;
  crls: string[];
  /** SNI name -> the key pair served for it. */
  sniIdentities: Record<string, KeyPairFiles>;
  /**
   * Only for adapters with `detectsProtocol`: listen on `endpoint` as a protocol-detecting sidecar
   * in `mode`, terminating TLS itself and sending plaintext to `app` (see peers/sidecar.ts).
   */
  sidecar?: { mode: PolicyMode; app: Endpoint };
}

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
}

export interface RunningServer extends AsyncDisposable {
  endpoint: Endpoint;
  /** What the server's own stack said about connections since the last call, if it rejected one. */
  takeRejection(waitMs: number): Promise<Classification | undefined>;
  stop(): Promise<void>;
}

export interface TlsServerAdapter {
  readonly name: string;
  /** The stack is its own sidecar (haproxy): scenarios with a sidecar mode pass `sidecar` instead of putting the reference sidecar in front. */
  readonly detectsProtocol?: boolean;
  startServer(config: TlsServerConfig): Promise<RunningServer>;
}

export interface TlsClientAdapter {
  readonly name: string;
  /** Handshakes, sends an HTTP request, reads the answer: a rejection on the first read counts. */
  connect(target: Endpoint, config: TlsClientConfig, timeoutMs: number): Promise<Observation>;
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
