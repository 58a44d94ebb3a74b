// What a probe says after the TLS handshake (or on plaintext), per application protocol, and how
// the first answer is read into a shape the oracle can compare with the control's:
// - http: an HTTP/1.1 request (HTTP/2 when the server picks h2 by ALPN); the shape is the status
//   and, for an error page, the start of its text.
// - h2: the same, offering ALPN h2 (what gRPC services expect).
// - raw: nothing is sent; a handshake that stays open with no alert for the settle time is served.
// - postgres: the SSLRequest preamble first (as `openssl s_client -starttls postgres` does), then a
//   StartupMessage; the shape is the first message (an authentication request or an ErrorResponse).
import { connect as connectHttp2, constants as http2Constants } from "node:http2";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";

export type Protocol = "http" | "h2" | "raw" | "postgres";
export const protocols: Protocol[] = ["http", "h2", "raw", "postgres"];

export interface Answer {
  kind: "http" | "postgres" | "open" | "bytes";
  /** One line for the report: "HTTP/1.1 400 Bad Request: No required SSL certificate was sent". */
  text: string;
  /** http: the status code. */
  status?: number;
  /** http: the start of an error page's text, tags stripped. */
  page?: string;
  /** postgres: the message type ("R" authentication request, "E" ErrorResponse) and, for errors, SQLSTATE and message. */
  message?: string;
}

export interface ParsedAnswer {
  answer: Answer;
  /** Enough was read to judge; more bytes would not change the shape. */
  complete: boolean;
  /** A TLS alert record in reply to plaintext. */
  alert?: { code: number; name: string };
}

const userAgent = "mtls-conformance";

/** What an HTTP probe asks for: the path (--path) and extra headers (--header), the same on every probe of a run. */
export interface HttpTarget {
  path: string;
  headers: Array<[name: string, value: string]>;
}

export const defaultHttpTarget: HttpTarget = { path: "/", headers: [] };

function httpRequest(host: string, { path, headers }: HttpTarget): Buffer {
  const extra = headers.map(([name, value]) => `${name}: ${value}\r\n`).join("");
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${userAgent}\r\nAccept: */*\r\n${extra}Connection: close\r\n\r\n`, "latin1");
}

/** The visible text at the start of an HTML or plain-text page, for telling error pages apart. */
export function pageText(body: string): string {
  return body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 160);
}

function parseHttp(bytes: Buffer): ParsedAnswer | undefined {
  const text = bytes.toString("latin1");
  const headerEnd = text.indexOf("\r\n\r\n");
  const statusLine = text.split("\r\n", 1)[0]!;
  const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const body = headerEnd >= 0 ? text.slice(headerEnd + 4) : "";
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text)?.[1] ?? NaN);
  const complete = headerEnd >= 0 && (body.length >= 4096 || (Number.isInteger(length) && body.length >= length));
  return { answer: httpAnswer(statusLine, status, body), complete };
}

export function httpAnswer(statusLine: string, status: number, body: string): Answer {
  const page = status >= 400 ? pageText(body) : undefined;
  return { kind: "http", status, page, text: page ? `${statusLine}: ${page.slice(0, 100)}` : statusLine };
}

// RFC 8446 section 6: a plaintext alert record is 0x15, a legacy version 0x03 0x0X, length 2, level, description.
function parseAlertRecord(bytes: Buffer): ParsedAnswer | undefined {
  if (bytes.length < 7 || bytes[0] !== 0x15 || bytes[1] !== 0x03) return undefined;
  const code = bytes[6]!;
  return { answer: { kind: "bytes", text: `a TLS alert record (${code})` }, complete: true, alert: { code, name: `alert_${code}` } };
}

// PostgreSQL frontend/backend protocol 3.0 (PostgreSQL docs, "Message Formats").
const sslRequestCode = 80877103;
const protocolVersion3 = 196608;
const authenticationTypes: Record<number, string> = { 0: "ok", 3: "cleartext password", 5: "MD5 password", 10: "SASL" };

function startupMessage(user: string, database: string): Buffer {
  const pairs = Buffer.from(`user\0${user}\0database\0${database}\0application_name\0${userAgent}\0\0`, "utf8");
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + pairs.length, 0);
  header.writeInt32BE(protocolVersion3, 4);
  return Buffer.concat([header, pairs]);
}

function parsePostgres(bytes: Buffer): ParsedAnswer | undefined {
  if (bytes.length < 5) return undefined;
  const type = String.fromCharCode(bytes[0]!);
  const length = bytes.readInt32BE(1);
  if (!"RE".includes(type) || length < 4 || length > 65_536) return undefined;
  if (bytes.length < 1 + length) return { answer: { kind: "postgres", text: `postgres message ${type} (partial)`, message: type }, complete: false };
  const body = bytes.subarray(5, 1 + length);
  if (type === "R") {
    const method = body.readInt32BE(0);
    const message = `R ${authenticationTypes[method] ?? `authentication type ${method}`}`;
    return { answer: { kind: "postgres", message, text: `postgres authentication request (${authenticationTypes[method] ?? method})` }, complete: true };
  }
  const fields = new Map<string, string>();
  for (const field of body.toString("utf8").split("\0")) if (field.length > 1) fields.set(field[0]!, field.slice(1));
  const message = `E ${fields.get("C") ?? "?"} ${fields.get("M") ?? ""}`.trim();
  return { answer: { kind: "postgres", message, text: `postgres ${fields.get("S") ?? "ERROR"} ${fields.get("C") ?? ""}: ${fields.get("M") ?? ""}` }, complete: true };
}

function parseBytes(bytes: Buffer): ParsedAnswer {
  return { answer: { kind: "bytes", text: `${bytes.length} bytes that are not an answer of the protocol (${bytes.subarray(0, 8).toString("hex")})` }, complete: false };
}

/** Reads what arrived so far as the protocol's first answer. */
export function parseAnswer(bytes: Buffer, protocol: Protocol): ParsedAnswer | undefined {
  if (!bytes.length) return undefined;
  const alert = parseAlertRecord(bytes);
  if (alert) return alert;
  const parsed = protocol === "postgres" ? parsePostgres(bytes) : parseHttp(bytes);
  if (parsed) return parsed;
  if (protocol === "raw") return { answer: { kind: "bytes", text: `answered ${bytes.length} bytes (${bytes.subarray(0, 8).toString("hex")})` }, complete: true };
  return parseBytes(bytes);
}

export interface ProtocolExchange {
  /** What to send once the channel is up (plaintext, or after the handshake); empty: send nothing and wait. */
  request(host: string, transport: "plaintext" | "tls", http: HttpTarget): Buffer;
  /** Before TLS: the protocol's own request to start TLS; resolves whether the server agreed. */
  preamble?(socket: Socket): Promise<{ startTls: boolean; text: string }>;
}

function postgresPreamble(socket: Socket): Promise<{ startTls: boolean; text: string }> {
  return new Promise((resolve, reject) => {
    const request = Buffer.alloc(8);
    request.writeInt32BE(8, 0);
    request.writeInt32BE(sslRequestCode, 4);
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      const reply = String.fromCharCode(chunk[0]!);
      if (reply === "S" && chunk.length === 1) return resolve({ startTls: true, text: "S" });
      resolve({ startTls: false, text: reply === "N" ? "the server answered the SSLRequest with N: it does not speak TLS" : `the server answered the SSLRequest with ${chunk.subarray(0, 8).toString("hex")}, not S or N` });
    });
    socket.once("error", reject);
    socket.write(request);
  });
}

export const protocolExchanges: Record<Protocol, ProtocolExchange> = {
  http: { request: (host, _transport, http) => httpRequest(host, http) },
  h2: { request: (host, _transport, http) => httpRequest(host, http) },
  raw: { request: (host, transport, http) => (transport === "plaintext" ? httpRequest(host, http) : Buffer.alloc(0)) },
  postgres: { request: () => startupMessage(userAgent, "postgres"), preamble: postgresPreamble },
};

/**
 * An HTTP/2 GET of the path over a connected TLS socket that negotiated h2. `onDone` is called once, before
 * the session is torn down, so the socket's own close cannot be mistaken for the answer.
 */
export function http2Exchange(socket: TLSSocket, host: string, http: HttpTarget, onDone: (result: { answer?: Answer; error?: Error }) => void): void {
  {
    let body = "";
    let status = 0;
    let finished = false;
    const session = connectHttp2(`https://${host}`, { createConnection: () => socket });
    const done = (result: { answer?: Answer; error?: Error }) => {
      if (finished) return;
      finished = true;
      onDone(result);
      session.destroy();
    };
    session.on("error", (error) => done({ error }));
    const extra = Object.fromEntries(http.headers.map(([name, value]) => [name.toLowerCase(), value]));
    const stream = session.request({ ...extra, [http2Constants.HTTP2_HEADER_PATH]: http.path, [http2Constants.HTTP2_HEADER_USER_AGENT]: userAgent });
    stream.on("response", (headers) => {
      status = Number(headers[http2Constants.HTTP2_HEADER_STATUS]);
    });
    stream.on("data", (chunk: Buffer) => {
      body += chunk.toString("latin1");
      if (body.length >= 4096) done({ answer: httpAnswer(`HTTP/2 ${status}`, status, body) });
    });
    stream.on("end", () => done(status ? { answer: httpAnswer(`HTTP/2 ${status}`, status, body) } : { error: new Error("the HTTP/2 stream ended without a status") }));
    stream.on("error", (error) => done({ error }));
    session.on("goaway", (code) => {
      if (!status) done({ error: Object.assign(new Error(`the server sent GOAWAY (code ${code}) before answering`), { code: "GOAWAY" }) });
    });
  }
}
