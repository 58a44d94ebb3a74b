// A mesh on loopback for the mesh tests, the container test and the bench: endpoints in strict,
// permissive or disabled (plaintext) mode, each on its own 127.x.y.z address. Each is one listener
// that detects the protocol from the first byte, as Linkerd's and Istio's inbound proxies do (0x16,
// a TLS handshake record), and hands TLS to a node:tls server that requires and verifies a client
// certificate from the fixture PKI, plaintext to the application (permissive, disabled) or closes it
// unanswered (strict). The application answers HTTP 200 on both paths.
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { readFileSync } from "node:fs";
import { createServer as createTlsServer } from "node:tls";
import type { FixtureSet } from "../../fixtures/fixture-set.js";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../core/network.js";
import type { PolicyMode } from "../core/observation.js";

export interface LocalEndpoint {
  name: string;
  mode: PolicyMode;
  endpoint: Endpoint;
  address: string;
}

export interface LocalMesh extends AsyncDisposable {
  endpoints: LocalEndpoint[];
  stop(): Promise<void>;
}

const tlsHandshakeRecord = 0x16;

/** `count` endpoints cycling through `modes`, named `<mode>-<n>`, on hosts from `allocateEndpoint`. */
export async function startLocalMesh(fixtures: FixtureSet, count: number, modes: readonly PolicyMode[] = ["strict", "permissive", "disabled"], hosts?: (index: number) => string): Promise<LocalMesh> {
  const server = fixtures.certs.server!;
  const app = createHttpServer((request, response) => {
    response.writeHead(200, { "content-type": "text/plain", connection: "close" }).end("ok\n");
  });
  const tls = createTlsServer({
    cert: readFileSync(server.fullChain),
    key: readFileSync(server.key),
    ca: readFileSync(fixtures.bundles["trust-a"]!),
    requestCert: true,
    rejectUnauthorized: true,
  });
  tls.on("secureConnection", (socket) => app.emit("connection", socket));
  tls.on("tlsClientError", (_error, socket) => socket.destroy());
  const listeners: Server[] = [];
  const sockets = new Set<Socket>();
  const endpoints: LocalEndpoint[] = [];
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(listeners.map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))));
  };
  try {
    for (let index = 0; index < count; index++) {
      const mode = modes[index % modes.length]!;
      const endpoint = await allocateEndpoint(hosts?.(index));
      const listener = createServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => socket.destroy());
        socket.once("data", (first: Buffer) => {
          socket.pause();
          socket.unshift(first);
          if (mode !== "disabled" && first[0] === tlsHandshakeRecord) return void tls.emit("connection", socket);
          if (mode === "strict") return void socket.destroy();
          app.emit("connection", socket);
          socket.resume();
        });
      });
      await new Promise<void>((resolve, reject) => {
        listener.once("error", (error) => reject(new Error(`failed to start the ${mode} endpoint on ${formatEndpoint(endpoint)}: ${error.message}`)));
        listener.listen(endpoint.port, endpoint.host, () => resolve());
      });
      listeners.push(listener);
      endpoints.push({ name: `${mode}-${String(index).padStart(3, "0")}`, mode, endpoint, address: formatEndpoint(endpoint) });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints, stop, [Symbol.asyncDispose]: stop };
}
