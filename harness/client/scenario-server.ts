// The server of one client scenario, on its own loopback address, recording what the client did:
// TLS handshakes completed (with a verified client certificate when one is required), requests
// received inside TLS, and, for the downgrade row, whether the client sent a TLS ClientHello or
// its request in the clear. The judge reads this record beside the command's exit status: a
// client that sends its request to a server it should have refused has accepted it, whatever it
// exits with.
import { readFileSync } from "node:fs";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { createSecureContext, createServer as createTlsServer, type TLSSocket } from "node:tls";
import type { Endpoint } from "../core/network.js";
import type { KeyPairFiles } from "../core/observation.js";

export interface ServerRecord {
  /** TLS handshakes completed (with clientAuth required: only those with a verified client certificate). */
  handshakes: number;
  /** First lines of the requests received inside TLS. */
  requests: string[];
  /** Plaintext server: connections that opened with a TLS ClientHello. */
  clientHellos: number;
  /** Plaintext server: first lines of what arrived in the clear. */
  plaintextRequests: string[];
  /** TLS errors the server saw (alerts the client sent, a missing client certificate). */
  errors: string[];
}

export interface ScenarioServerConfig {
  endpoint: Endpoint;
  identity: KeyPairFiles;
  sniIdentities: Record<string, KeyPairFiles>;
  clientAuth: "none" | "required";
  clientTrust?: string;
  plaintextOnly: boolean;
}

export interface ScenarioServer {
  endpoint: Endpoint;
  record: ServerRecord;
  stop(): Promise<void>;
}

export class ScenarioServerError extends Error {}

const response = (body: string) => `HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
const firstLine = (data: Buffer) => data.toString("latin1").split(/\r?\n/)[0]!.slice(0, 200);
const pem = (files: KeyPairFiles) => ({ cert: readFileSync(files.cert, "utf8") + (files.chain ? readFileSync(files.chain, "utf8") : ""), key: readFileSync(files.key, "utf8") });

/** Answers the request, or after a second of silence (a client that sends nothing, as s_client with stdin closed). */
function answerOnce(socket: Socket, onRequest: (data: Buffer) => void, body: string): void {
  const answer = () => socket.end(response(body));
  const silent = setTimeout(answer, 1_000);
  socket.once("data", (data: Buffer) => {
    clearTimeout(silent);
    onRequest(data);
    answer();
  });
  socket.once("close", () => clearTimeout(silent));
  socket.on("error", () => clearTimeout(silent));
}

export async function startScenarioServer(config: ScenarioServerConfig): Promise<ScenarioServer> {
  const record: ServerRecord = { handshakes: 0, requests: [], clientHellos: 0, plaintextRequests: [], errors: [] };
  const sockets = new Set<Socket>();
  let server: Server;
  if (config.plaintextOnly) {
    server = createTcpServer((socket) =>
      answerOnce(socket, (data) => (data[0] === 0x16 ? record.clientHellos++ : record.plaintextRequests.push(firstLine(data))), "mtls-conformance: plaintext server\n"),
    );
  } else {
    const sni = new Map(Object.entries(config.sniIdentities).map(([name, files]) => [name.toLowerCase(), createSecureContext(pem(files))]));
    const tlsServer = createTlsServer(
      {
        ...pem(config.identity),
        ca: config.clientTrust ? readFileSync(config.clientTrust, "utf8") : undefined,
        requestCert: config.clientAuth === "required",
        rejectUnauthorized: config.clientAuth === "required",
        SNICallback: sni.size ? (name, callback) => callback(null, sni.get(name.toLowerCase())) : undefined,
      },
      (socket: TLSSocket) => {
        record.handshakes++;
        answerOnce(socket, (data) => record.requests.push(firstLine(data)), "mtls-conformance: served\n");
      },
    );
    tlsServer.on("tlsClientError", (error) => record.errors.push(error.message.replace(/\s+/g, " ").slice(0, 200)));
    server = tlsServer;
  }
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new ScenarioServerError(`failed to start the scenario server on ${config.endpoint.host}:${config.endpoint.port}: ${error.message}`)));
    server.listen(config.endpoint.port, config.endpoint.host, () => resolve());
  });
  return {
    endpoint: config.endpoint,
    record,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
