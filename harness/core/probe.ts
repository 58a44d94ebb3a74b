// The in-process prober (node:tls and raw TCP). It reports what it saw and never knows what was
// expected. TLS 1.3 trap: a server validates the client certificate after the client's handshake
// has finished, so a rejection arrives on the first read; the prober always sends a request and
// reads before it calls a connection accepted.
import { constants } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect as connectTcp } from "node:net";
import { checkServerIdentity, connect as connectTls, createSecureContext, DEFAULT_CIPHERS, type PeerCertificate, type SecureContext, type TLSSocket } from "node:tls";
import { classifyNodeError } from "./outcome.js";
import type { Endpoint } from "./network.js";
import { frameStartingWith0x16, http2Preface, shapedTransport, type FirstFlight, type PlaintextPayload } from "./first-flight.js";
import { applicationRequest, clientFailure, type KeyPairFiles, type Observation, type TlsClientConfig, type TlsVersion } from "./observation.js";

/** Raised from checkServerIdentity when the URI SAN is not the expected workload identity. */
class IdentityMismatchError extends Error {
  readonly code = "ERR_MTLS_IDENTITY_MISMATCH";
}

export function readKeyPair(files: KeyPairFiles): { cert: string; key: string } {
  const cert = readFileSync(files.cert, "utf8") + (files.chain ? readFileSync(files.chain, "utf8") : "");
  return { cert, key: readFileSync(files.key, "utf8") };
}

export function uriSans(cert: Pick<PeerCertificate, "subjectaltname">): string[] {
  return (cert.subjectaltname ?? "")
    .split(", ")
    .filter((name) => name.startsWith("URI:"))
    .map((name) => name.slice(4));
}

/** The names an allow-list matches: URI SANs (SPIFFE IDs) and DNS SANs. */
export function identitySans(cert: Pick<PeerCertificate, "subjectaltname">): string[] {
  return (cert.subjectaltname ?? "")
    .split(", ")
    .filter((name) => name.startsWith("URI:") || name.startsWith("DNS:"))
    .map((name) => name.slice(4));
}

function serverIdentityCheck(config: TlsClientConfig) {
  return (_host: string, cert: PeerCertificate): Error | undefined => {
    if (config.verifyIp) {
      const error = checkServerIdentity(config.verifyIp, cert);
      if (error) return error;
    }
    const name = config.verifyName ?? config.serverName;
    if (name) {
      const error = checkServerIdentity(name, cert);
      if (error) return error;
    }
    if (config.expectIdentity && !uriSans(cert).includes(config.expectIdentity)) {
      return new IdentityMismatchError(
        `server identity ${uriSans(cert).join(", ") || "(no URI SAN)"} is not the expected ${config.expectIdentity}`,
      );
    }
    return undefined;
  };
}

// Building a SecureContext reads and parses the CA bundle and keys on every connection; cached per
// file set the prober's sequential handshake rate rose from 323/s to 380/s (measured, one s_server).
const secureContexts = new Map<string, SecureContext>();
export function secureContextFor(config: Pick<TlsClientConfig, "trust" | "identity" | "minVersion" | "maxVersion" | "lowestSecurityLevel" | "resumption">): SecureContext {
  const noTickets = config.resumption?.via === "session-id";
  const key = JSON.stringify([config.trust, config.identity?.cert, config.identity?.chain, config.identity?.key, config.minVersion, config.maxVersion, config.lowestSecurityLevel, noTickets]);
  let context = secureContexts.get(key);
  if (!context) {
    const identity = config.identity ? readKeyPair(config.identity) : undefined;
    context = createSecureContext({
      ca: config.trust ? readFileSync(config.trust, "utf8") : undefined,
      cert: identity?.cert,
      key: identity?.key,
      ...securityOptions(config),
      // Without the session_ticket extension a TLS 1.2 server can resume only by session ID.
      secureOptions: noTickets ? constants.SSL_OP_NO_TICKET : undefined,
    });
    secureContexts.set(key, context);
  }
  return context;
}

/**
 * Drops the cached contexts built from files under `dir`: a run over many endpoints mints a fresh
 * set of client certificates per endpoint, and its contexts are not used again once it is removed.
 */
export function forgetSecureContexts(dir: string): void {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  for (const key of secureContexts.keys()) if ((JSON.parse(key) as unknown[]).some((part) => typeof part === "string" && part.startsWith(prefix))) secureContexts.delete(key);
}

/** How many contexts are cached (for the test that they are dropped). */
export const cachedSecureContextCount = (): number => secureContexts.size;

/**
 * Versions and the OpenSSL security level of a node:tls context. Level 0 (the reference peer's)
 * lets it load a SHA-1-signed certificate (node refuses with "ca md too weak" at its default level
 * 1, measured) and speak TLS 1.0 and 1.1; minVersion must go below node's TLSv1.2 default for those.
 */
export function securityOptions(config: { minVersion?: TlsVersion; maxVersion?: TlsVersion; lowestSecurityLevel?: boolean }): {
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  ciphers?: string;
} {
  return {
    minVersion: config.minVersion ?? (config.maxVersion && config.maxVersion < "TLSv1.2" ? config.maxVersion : undefined),
    maxVersion: config.maxVersion,
    ciphers: config.lowestSecurityLevel ? `${DEFAULT_CIPHERS}:@SECLEVEL=0` : undefined,
  };
}

const firstLine = (text: string): string => text.split("\r\n")[0] ?? "";

export interface ProbeOptions {
  /**
   * Call a connection accepted when it stays open, with no alert and no answer, this long after
   * the request (a service that does not speak HTTP). A TLS 1.3 server that rejects the client
   * certificate alerts as soon as it reads the client's Finished, well within this time.
   */
  acceptSilenceMs?: number;
  /** Send the ClientHello late or cut on the wire (the protocol-detection rows). */
  firstFlight?: FirstFlight;
}

/**
 * Node's connect asks the socket for the whole peer chain as objects (`getPeerCertificate(true)`:
 * every certificate cloned and decoded again) only to hand the leaf's names to checkServerIdentity:
 * 1.3 ms of the 3.7 ms of CPU a handshake takes (measured, 1000 handshakes against s_server). The
 * prober reads nothing else of it, so its socket answers that call with the leaf alone.
 */
function leafOnlyForIdentityCheck(socket: TLSSocket): void {
  const peerCertificate = socket.getPeerCertificate.bind(socket);
  (socket as { getPeerCertificate(detailed?: boolean): PeerCertificate }).getPeerCertificate = () => peerCertificate(false);
}

/** One TLS connection: handshake, request, read to the end. Never throws for network outcomes. */
export function probeTls(target: Endpoint, config: TlsClientConfig, timeoutMs: number, options: ProbeOptions = {}): Promise<Observation> {
  return new Promise((resolve) => {
    let response = "";
    let secure = false;
    let settled = false;
    let tlsVersion: string | undefined;
    let cipher: string | undefined;
    let alpnProtocol: string | undefined;
    let silence: NodeJS.Timeout | undefined;
    let session: Buffer | undefined;
    const offered = config.resumption?.offer;
    let resumed = false;

    const finish = (observation: Omit<Observation, "tlsVersion" | "cipher" | "alpnProtocol">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(silence);
      socket.destroy();
      const resumption = config.resumption ? { session, ...(offered ? { resumed } : {}) } : {};
      resolve({ ...observation, tlsVersion, cipher, alpnProtocol, ...resumption });
    };

    const socket = connectTls({
      ...(options.firstFlight ? { socket: shapedTransport(connectTcp({ host: target.host, port: target.port }), options.firstFlight) } : { host: target.host, port: target.port }),
      servername: config.serverName,
      secureContext: secureContextFor(config),
      rejectUnauthorized: config.trust !== undefined,
      checkServerIdentity: serverIdentityCheck(config),
      ALPNProtocols: config.alpn?.length ? config.alpn : undefined,
      session: offered,
    });
    leafOnlyForIdentityCheck(socket);
    // A TLS 1.3 server sends its tickets after the handshake, before the answer; the first is kept.
    if (config.resumption) socket.on("session", (issued: Buffer) => (session ??= issued));
    const timer = setTimeout(
      () => finish({ outcome: "timeout", evidence: { client: `no answer within ${timeoutMs} ms (${secure ? "after" : "during"} the handshake)` } }),
      timeoutMs,
    );

    socket.on("secureConnect", () => {
      secure = true;
      tlsVersion = socket.getProtocol() ?? undefined;
      cipher = socket.getCipher()?.standardName;
      alpnProtocol = socket.alpnProtocol || undefined;
      resumed = socket.isSessionReused();
      socket.write(alpnProtocol === "h2" ? http2Preface : applicationRequest(config.serverName ?? target.host));
      if (options.acceptSilenceMs !== undefined) {
        silence = setTimeout(() => {
          if (!response) finish({ outcome: "accepted", evidence: { client: `connection stayed open without an alert or an answer for ${options.acceptSilenceMs} ms` } });
        }, options.acceptSilenceMs);
      }
    });
    socket.on("data", (chunk: Buffer) => {
      response += chunk.toString("latin1");
      // An HTTP/2 server answers the preface with its SETTINGS and keeps the connection open.
      if (alpnProtocol === "h2") finish({ outcome: "accepted", response: `HTTP/2 frame type ${chunk[3]}`, evidence: { client: "HTTP/2 server answered the connection preface" } });
    });
    socket.on("end", () => {
      if (response) finish({ outcome: "accepted", response: firstLine(response), evidence: { client: firstLine(response) } });
      else finish({ outcome: "unclassified", evidence: { client: `connection closed ${secure ? "after the handshake without a response" : "during the handshake"}` } });
    });
    socket.on("error", (error: Error) => {
      // A reset after a complete response is the server's way of closing, not a rejection.
      if (response) return finish({ outcome: "accepted", response: firstLine(response), evidence: { client: firstLine(response) } });
      if (error instanceof IdentityMismatchError) {
        return finish({ outcome: "rejected:identity-mismatch", rejectedBy: "client", evidence: { client: error.message } });
      }
      finish(clientFailure(classifyNodeError(error)));
    });
    socket.on("close", () => {
      if (response) finish({ outcome: "accepted", response: firstLine(response), evidence: { client: firstLine(response) } });
      else finish({ outcome: "unclassified", evidence: { client: "connection closed without a response" } });
    });
  });
}

export interface PlaintextProbeOptions {
  /** What to send instead of an HTTP request; `nothing` only reads (a banner counts as an answer). */
  payload?: PlaintextPayload;
  /** Wait this long after connecting before the first byte. */
  firstByteDelayMs?: number;
}

const plaintextBytes = (payload: Exclude<PlaintextPayload, "nothing">, host: string): Buffer =>
  payload === "http" ? Buffer.from(applicationRequest(host), "latin1") : payload === "http2-prior-knowledge" ? http2Preface : frameStartingWith0x16;

/**
 * Plaintext on a raw socket: does the endpoint answer cleartext? An HTTP answer (from an app; a
 * TLS server sends an alert or nothing) is plaintext-accepted, and so is any answer to a client
 * that sent nothing (a server-speaks-first app's banner).
 */
export function probePlaintext(target: Endpoint, timeoutMs: number, options: PlaintextProbeOptions = {}): Promise<Observation> {
  const payload = options.payload ?? "http";
  return new Promise((resolve) => {
    let response = Buffer.alloc(0);
    let settled = false;
    const finish = (observation: Observation) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(delay);
      socket.destroy();
      resolve(observation);
    };
    const judge = (how: string) => {
      const text = response.toString("latin1");
      if (payload === "nothing" && response.length) return finish({ outcome: "plaintext-accepted", response: firstLine(text), evidence: { client: `the app spoke first: ${firstLine(text)}` } });
      if (text.startsWith("HTTP/")) return finish({ outcome: "plaintext-accepted", response: firstLine(text), evidence: { client: firstLine(text) } });
      const shown = response.length ? `answered ${response.length} non-HTTP bytes (${response.subarray(0, 8).toString("hex")})` : "answered nothing";
      finish({ outcome: "plaintext-refused", evidence: { client: `${shown}, then ${how}` } });
    };
    const socket = connectTcp({ host: target.host, port: target.port });
    // A client that only reads has its answer when the wait ends: it was not served.
    const silence = (): Observation =>
      payload === "nothing" ? { outcome: "plaintext-refused", evidence: { client: `nothing within ${timeoutMs} ms of a client that only reads, the connection still open` } } : { outcome: "timeout", evidence: { client: `no answer to plaintext within ${timeoutMs} ms` } };
    const timer = setTimeout(() => finish(silence()), timeoutMs);
    let delay: NodeJS.Timeout | undefined;
    socket.on("connect", () => {
      if (payload === "nothing") return;
      delay = setTimeout(() => socket.write(plaintextBytes(payload, target.host)), options.firstByteDelayMs ?? 0);
    });
    socket.on("data", (chunk: Buffer) => {
      response = Buffer.concat([response, chunk]);
    });
    socket.on("end", () => judge("closed"));
    socket.on("close", () => judge("closed"));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") return finish({ outcome: "connection-refused", evidence: { client: error.message } });
      judge(`failed with ${error.code ?? error.message}`);
    });
  });
}
