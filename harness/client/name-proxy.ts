// How a client that cannot be told an address (wget, urllib, Go's net/http, most service clients)
// reaches a scenario by its name: an HTTP CONNECT proxy on its own loopback address, handed to the
// command in https_proxy and its spellings. It tunnels `NAME:PORT` (or the scenario's own
// `ADDRESS:PORT`) to that scenario's server and refuses anything else with 403, so the client
// still sends the scenario's name in SNI and checks the certificate against it, end to end, while
// no name is looked up in DNS or /etc/hosts. docs/client.md has the measurements behind the choice.
import { connect, createServer, type Socket } from "node:net";
import { formatEndpoint, type Endpoint } from "../core/network.js";

export interface NameProxy {
  endpoint: Endpoint;
  /** `http://ADDRESS:PORT`, the value of https_proxy. */
  url: string;
  /** Tunnels `host:port` (a name or an address, as the client writes it in CONNECT) to `target`. */
  route(host: string, port: number, target: Endpoint): void;
  unroute(host: string, port: number): void;
  /** Connections proxied per route key, for the report's evidence. */
  tunnels: Map<string, number>;
  stop(): Promise<void>;
}

const routeKey = (host: string, port: number) => `${host.toLowerCase().replace(/^\[|\]$/g, "")}:${port}`;
const headerLimit = 8 * 1024;

export async function startNameProxy(endpoint: Endpoint): Promise<NameProxy> {
  const routes = new Map<string, Endpoint>();
  const tunnels = new Map<string, number>();
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > headerLimit) client.end("HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n");
        return;
      }
      client.off("data", onData);
      const text = head.toString("latin1");
      // CONNECT for https URLs; a plain http:// URL (a client that downgrades by name) is forwarded
      // in origin form, so the downgrade row's server sees the request the client sent in the clear.
      const tunnel = /^CONNECT (\S+):(\d+) HTTP\/1\.[01]\r\n/.exec(text);
      const plain = tunnel ? undefined : /^([A-Z]+) http:\/\/([^/:\s]+|\[[0-9a-fA-F:]+\]):(\d+)(\/\S*)? (HTTP\/1\.[01]\r\n)/.exec(text);
      const match = tunnel ? { host: tunnel[1]!, port: tunnel[2]! } : plain ? { host: plain[2]!, port: plain[3]! } : undefined;
      if (!match) return void client.end("HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\n\r\nmtls-conformance proxies only to the scenario's server, by CONNECT or an http:// URL with a port\n");
      const key = routeKey(match.host, Number(match.port));
      const target = routes.get(key);
      if (!target) return void client.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\nno scenario is served at ${key}\n`);
      tunnels.set(key, (tunnels.get(key) ?? 0) + 1);
      const upstream = connect(target.port, target.host);
      track(upstream);
      upstream.once("connect", () => {
        if (tunnel) {
          client.write("HTTP/1.1 200 Connection established\r\n\r\n");
          upstream.write(head.subarray(end + 4));
        } else {
          upstream.write(Buffer.concat([Buffer.from(`${plain![1]} ${plain![4] ?? "/"} ${plain![5]}`, "latin1"), head.subarray(plain![0].length)]));
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      upstream.once("error", () => client.destroy());
      upstream.once("close", () => client.end());
      client.once("close", () => upstream.destroy());
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new Error(`failed to start the name proxy on ${formatEndpoint(endpoint)}: ${error.message}`)));
    server.listen(endpoint.port, endpoint.host, () => resolve());
  });
  return {
    endpoint,
    url: `http://${formatEndpoint(endpoint)}`,
    route: (host, port, target) => routes.set(routeKey(host, port), target),
    unroute: (host, port) => routes.delete(routeKey(host, port)),
    tunnels,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
