// One connection to an external endpoint, recorded as an Exchange: how far it got (connect, the
// protocol's preamble, the TLS handshake, the application exchange), what ended it (an answer, an
// alert, a close, a reset, a timeout) and the answer's shape. It judges nothing: the oracle
// (oracle.ts) compares an exchange with the control's.
import { connect as connectTcp, type Socket } from "node:net";
import { readFileSync } from "node:fs";
import { connect as connectTls, createSecureContext, type DetailedPeerCertificate, type SecureVersion, type TLSSocket } from "node:tls";
import { classifyNodeError } from "../core/outcome.js";
import type { Endpoint } from "../core/network.js";
import type { KeyPairFiles } from "../core/observation.js";
import { readKeyPair, secureContextFor } from "../core/probe.js";
import { SegmentedSocket } from "./segmented-socket.js";
import { defaultHttpTarget, http2Exchange, parseAnswer, protocolExchanges, type Answer, type HttpTarget, type Protocol } from "./protocols.js";

/** pause: connected, and waiting (ProbeSpec.pauseMs) before the probe speaks. */
export type Stage = "connect" | "pause" | "preamble" | "handshake" | "exchange";

/** What ended the connection. */
export type ExchangeEvent = "answered" | "alert" | "closed" | "reset" | "timeout" | "connection-refused" | "no-tls" | "error";

export interface Exchange {
  transport: "plaintext" | "tls";
  event: ExchangeEvent;
  /** How far the connection got when it ended. */
  stage: Stage;
  answer?: Answer;
  alert?: { code: number; name: string };
  tls?: { version?: string; cipher?: string; alpn?: string; resumed?: boolean };
  /** The session the server issued (a TLS 1.2 session ID or ticket, or a TLS 1.3 ticket), to resume later. */
  session?: Buffer;
  /** Only when asked for (inspection): the server's chain and its verdict against the trust bundle. */
  server?: { certificate: DetailedPeerCertificate; authorized: boolean; authorizationError?: string };
  /** What was seen, for the report (never key material). */
  raw: string;
}

export interface ProbeSpec {
  target: Endpoint;
  transport: "plaintext" | "tls";
  protocol: Protocol;
  identity?: KeyPairFiles;
  /** SNI; "" sends none (Node sends a hostname target's name otherwise). */
  serverName?: string;
  alpn: string[];
  /** Verify the server against this bundle (recorded in `server`, never fatal). */
  trustBundle?: string;
  timeoutMs: number;
  /** raw protocol: this long after the handshake with no alert and no close counts as "stayed open". */
  settleMs: number;
  inspectServer?: boolean;
  /** A session to offer for resumption (Exchange.session of an earlier probe). */
  session?: Buffer;
  /** Force the TLS versions (protocol paths). */
  tlsVersions?: { min?: SecureVersion; max?: SecureVersion };
  /** http and h2: the Host (:authority) to send when it is not serverName (or the target's host). */
  httpHost?: string;
  /** http and h2: the path and extra headers to request (default GET /). */
  http?: HttpTarget;
  /** Wait this long after connecting before the probe speaks (its timeout starts after the pause). */
  pauseMs?: number;
  /** Write the ClientHello one byte per TCP segment, this long between bytes (its timeout is extended by the hello's time). */
  helloSegmentMs?: number;
}

/** The longest ClientHello a probe sends, in bytes: the time a segmented hello may take is this many gaps. */
const longestHello = 2_048;

// OpenSSL's record layer errors when the first reply to a ClientHello is not a TLS record (an HTTP
// page, an SSH banner): the endpoint speaks no TLS on this port (measured against python3 http.server).
const notTlsCodes = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "ERR_SSL_RECORD_LAYER_FAILURE", "ERR_SSL_HTTP_REQUEST"]);


/** Opens one connection as `spec` says and records how it ended. Never throws for network outcomes. */
export function probeEndpoint(spec: ProbeSpec): Promise<Exchange> {
  return new Promise((resolve) => {
    const exchange = protocolExchanges[spec.protocol];
    let stage: Stage = "connect";
    let settled = false;
    let received = Buffer.alloc(0);
    let tls: Exchange["tls"];
    let session: Buffer | undefined;
    let server: Exchange["server"];
    let tcp: Socket | undefined;
    let secure: TLSSocket | undefined;
    let settle: NodeJS.Timeout | undefined;
    let pause: NodeJS.Timeout | undefined;

    const finish = (result: Omit<Exchange, "transport" | "stage" | "tls" | "server" | "session">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(settle);
      clearTimeout(pause);
      secure?.destroy();
      tcp?.destroy();
      resolve({ ...result, transport: spec.transport, stage, tls, server, session });
    };
    const timer = setTimeout(() => {
      const partial = received.length ? parseAnswer(received, spec.protocol) : undefined;
      // A complete answer followed by silence is an answer: an HTTP/1.1 server may keep the connection.
      if (partial && partial.complete) return finish({ event: "answered", answer: partial.answer, raw: partial.answer.text });
      finish({ event: "timeout", raw: `no ${stage === "connect" ? "connection" : "answer"} within ${spec.timeoutMs} ms (${stageText[stage]})` });
    }, spec.timeoutMs + (spec.pauseMs ?? 0) + (spec.helloSegmentMs ?? 0) * longestHello);

    const onBytes = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const parsed = parseAnswer(received, spec.protocol);
      if (parsed?.alert) return finish({ event: "alert", alert: parsed.alert, raw: parsed.answer.text });
      if (parsed?.complete) finish({ event: "answered", answer: parsed.answer, raw: parsed.answer.text });
    };
    const onEnd = (how: "closed" | "reset", detail = "") => {
      if (received.length) {
        const parsed = parseAnswer(received, spec.protocol)!;
        if (parsed.alert) return finish({ event: "alert", alert: parsed.alert, raw: parsed.answer.text });
        return finish({ event: "answered", answer: parsed.answer, raw: parsed.answer.text });
      }
      const where = spec.transport === "plaintext" && stage === "exchange" ? "after the request" : stageText[stage];
      finish({ event: how, raw: `${how} ${where} without an answer${detail ? ` (${detail})` : ""}` });
    };
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") return finish({ event: "connection-refused", raw: error.message });
      if (error.code === "ECONNRESET" || error.code === "EPIPE") return onEnd("reset", error.code);
      if (error.code === "GOAWAY") return finish({ event: "closed", raw: error.message });
      const seen = classifyNodeError(error);
      if (seen.source === "alert" && seen.alert !== undefined) return finish({ event: "alert", alert: { code: seen.alert, name: alertName(seen.raw, seen.alert) }, raw: seen.raw });
      if (notTlsCodes.has(error.code ?? "")) return finish({ event: "no-tls", raw: `the reply to the ClientHello is not TLS (${seen.raw})` });
      finish({ event: "error", raw: seen.raw });
    };

    const startExchange = (socket: Socket | TLSSocket) => {
      stage = "exchange";
      socket.on("data", onBytes);
      socket.on("end", () => onEnd("closed"));
      socket.on("close", () => onEnd("closed"));
      const request = exchange.request(spec.httpHost ?? (spec.serverName || spec.target.host), spec.transport, spec.http ?? defaultHttpTarget);
      if (request.length) socket.write(request);
      else
        settle = setTimeout(
          () => finish({ event: "answered", answer: { kind: "open", text: `stayed open, no alert and no data for ${spec.settleMs} ms` }, raw: "stayed open" }),
          spec.settleMs,
        );
    };

    const startTls = (socket?: Socket) => {
      stage = "handshake";
      secure = connectTls({
        ...(socket ? { socket: spec.helloSegmentMs ? new SegmentedSocket(socket, spec.helloSegmentMs) : socket } : { host: spec.target.host, port: spec.target.port }),
        servername: spec.serverName,
        secureContext: spec.tlsVersions ? versionedContext(spec) : secureContextFor({ identity: spec.identity, trust: spec.trustBundle }),
        // The verdict on the server's chain is recorded, never fatal: the checks judge it.
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        ALPNProtocols: spec.alpn.length ? spec.alpn : undefined,
        session: spec.session,
      });
      secure.on("error", onError);
      // TLS 1.3 tickets come after the handshake, usually before the answer; the first one is kept.
      secure.on("session", (issued: Buffer) => (session ??= issued));
      secure.on("secureConnect", () => {
        tls = { version: secure!.getProtocol() ?? undefined, cipher: secure!.getCipher()?.standardName, alpn: secure!.alpnProtocol || undefined, resumed: secure!.isSessionReused() };
        if (spec.inspectServer) {
          server = {
            certificate: secure!.getPeerCertificate(true),
            authorized: secure!.authorized,
            authorizationError: secure!.authorizationError ? String(secure!.authorizationError) : undefined,
          };
        }
        if (tls.alpn === "h2" && spec.protocol !== "raw") {
          stage = "exchange";
          return http2Exchange(secure!, spec.httpHost ?? (spec.serverName || spec.target.host), spec.http ?? defaultHttpTarget, ({ answer, error }) =>
            answer ? finish({ event: "answered", answer, raw: answer.text }) : onError(error as NodeJS.ErrnoException),
          );
        }
        startExchange(secure!);
      });
      secure.on("end", () => onEnd("closed"));
      secure.on("close", () => onEnd("closed"));
    };

    tcp = connectTcp({ host: spec.target.host, port: spec.target.port });
    tcp.on("error", onError);
    const speak = () => {
      if (spec.transport === "plaintext") return startExchange(tcp!);
      if (!exchange.preamble) {
        // Hand the connected socket to TLS: its handshake starts now.
        return startTls(tcp!);
      }
      stage = "preamble";
      exchange.preamble(tcp!).then(
        (answer) => (answer.startTls ? startTls(tcp!) : finish({ event: "no-tls", raw: answer.text })),
        (error: NodeJS.ErrnoException) => onError(error),
      );
    };
    tcp.once("connect", () => {
      if (!spec.pauseMs) return speak();
      // What the endpoint sends before the probe speaks is kept: a plaintext probe reads it as the
      // start of the answer; a TLS server never speaks first, so a TLS probe ends there.
      stage = "pause";
      const early = (chunk: Buffer) => (received = Buffer.concat([received, chunk]));
      tcp!.on("data", early);
      pause = setTimeout(() => {
        tcp!.off("data", early);
        if (received.length && spec.transport === "tls") return finish({ event: "no-tls", raw: `the endpoint spoke first, before the ClientHello: ${printable(received)}` });
        speak();
      }, spec.pauseMs);
    });
    tcp.on("end", () => {
      if (stage === "connect" || stage === "pause" || stage === "preamble") onEnd("closed");
    });
  });
}

/** A context with forced TLS versions: connect() ignores minVersion and maxVersion next to a secureContext. */
function versionedContext(spec: ProbeSpec) {
  const identity = spec.identity ? readKeyPair(spec.identity) : undefined;
  const ca = spec.trustBundle ? readFileSync(spec.trustBundle, "utf8") : undefined;
  return createSecureContext({ ca, cert: identity?.cert, key: identity?.key, minVersion: spec.tlsVersions!.min, maxVersion: spec.tlsVersions!.max });
}

const stageText: Record<Stage, string> = {
  connect: "while connecting",
  pause: "while the probe waited before speaking",
  preamble: "during the protocol's preamble",
  handshake: "during the TLS handshake",
  exchange: "after the handshake",
};

function alertName(raw: string, code: number): string {
  const name = /alert ([a-z ]+?)(?::|$| \()/i.exec(raw)?.[1]?.trim().replaceAll(" ", "_");
  return name ?? `alert_${code}`;
}

/** Bytes as one printable line (at most 80 characters). */
const printable = (bytes: Buffer): string => bytes.toString("latin1").replace(/[^\x20-\x7e]/g, ".").slice(0, 80);
