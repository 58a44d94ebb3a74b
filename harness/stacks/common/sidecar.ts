// A reference mesh sidecar. Like Linkerd's and Istio's inbound proxies it detects the protocol
// from the first byte: 0x16 is a TLS handshake record (RFC 8446 section 5.1, ContentType
// handshake(22)), anything else is plaintext. TLS goes to the TLS terminator (the implementation
// under test), plaintext to the app, by mode:
//   strict      TLS -> terminator; plaintext refused (closed unanswered)
//   permissive  TLS -> terminator; plaintext -> app
//   disabled    everything -> app (a ClientHello reaches a plaintext app and fails)
import { createServer as createHttpServer } from "node:http";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Endpoint } from "../../core/network.js";
import type { PolicyMode } from "../../core/observation.js";
import type { PlaintextApp } from "../../core/first-flight.js";

const tlsHandshakeRecord = 0x16;

/**
 * How long the real detectors (haproxy's inspect-delay, nginx's preread_timeout) wait for a
 * client's first bytes in the test configs: short, so the rows past it stay fast (docs/architecture.md
 * "Protocol detection"; the products' defaults are none and 30 s). This reference sidecar has no such
 * timeout: it waits for the first byte as long as the client stays.
 */
export const detectionTimeoutMs = 1_000;

export interface RunningListener extends AsyncDisposable {
  endpoint: Endpoint;
  stop(): Promise<void>;
}

async function listen(server: Server, endpoint: Endpoint, what: string): Promise<RunningListener> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new Error(`failed to start ${what} on ${endpoint.host}:${endpoint.port}: ${error.message}`)));
    server.listen(endpoint.port, endpoint.host, () => resolve());
  });
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { endpoint, stop, [Symbol.asyncDispose]: stop };
}

/** The meshed application behind the sidecar: plain HTTP; anything that is not HTTP gets a 400. */
export function startPlaintextApp(endpoint: Endpoint): Promise<RunningListener> {
  const server = createHttpServer((request, response) => {
    const body = JSON.stringify({ app: "plaintext", identity: request.headers["x-forwarded-client-cert"] ?? null });
    response.writeHead(200, { "content-type": "application/json", connection: "close" }).end(body);
  });
  return listen(server as unknown as Server, endpoint, "plaintext app");
}

/** A server-speaks-first app (SMTP, FTP, MySQL do this): it writes a banner as soon as a client connects. */
export function startBannerApp(endpoint: Endpoint): Promise<RunningListener> {
  const server = createServer((client) => {
    client.on("error", () => client.destroy());
    client.end(bannerLine);
  });
  return listen(server, endpoint, "banner app");
}

export const bannerLine = "220 banner-app ready\r\n";

/** The plaintext app of a row: HTTP, or one that speaks first. */
export const startApp = (kind: PlaintextApp, endpoint: Endpoint): Promise<RunningListener> => (kind === "banner" ? startBannerApp(endpoint) : startPlaintextApp(endpoint));

function forward(client: Socket, firstChunk: Buffer, upstream: Endpoint): void {
  const backend = connect({ host: upstream.host, port: upstream.port });
  backend.write(firstChunk);
  client.pipe(backend).pipe(client);
  const close = () => {
    client.destroy();
    backend.destroy();
  };
  client.on("error", close);
  backend.on("error", close);
  client.on("close", close);
  backend.on("close", close);
  client.resume();
}

export interface SidecarConfig {
  endpoint: Endpoint;
  mode: PolicyMode;
  /** Where TLS connections go (the TLS server under test). */
  terminator: Endpoint;
  /** The plaintext application. */
  app: Endpoint;
}

export function startSidecar(config: SidecarConfig): Promise<RunningListener> {
  const server = createServer((client) => {
    client.once("data", (firstChunk: Buffer) => {
      client.pause();
      const isTls = firstChunk[0] === tlsHandshakeRecord;
      if (config.mode === "disabled") return forward(client, firstChunk, config.app);
      if (isTls) return forward(client, firstChunk, config.terminator);
      if (config.mode === "permissive") return forward(client, firstChunk, config.app);
      client.destroy(); // strict: plaintext is refused without an answer
    });
    client.on("error", () => client.destroy());
  });
  return listen(server, config.endpoint, `${config.mode} sidecar`);
}
