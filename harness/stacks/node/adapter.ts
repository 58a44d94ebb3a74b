// node:tls as a peer. The server runs in the harness's own process (Node's TLS is OpenSSL linked
// into node, so it starts in a millisecond); the client is the prober with verification on.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext, createServer, type SecureContext, type SecureContextOptions, type Server, type TLSSocket } from "node:tls";
import { classifyNodeError, classifyVerifyCode, classifyVerifyText, silentAccount, type Classification } from "../../core/outcome.js";
import { identitySans, probeTls, readKeyPair, securityOptions, uriSans } from "../../core/probe.js";
import type { ClientTrust, KeyPairFiles, TlsServerConfig } from "../../core/observation.js";
import type { RunningServer, TlsClientAdapter, TlsServerAdapter } from "../types.js";

export class NodeServerError extends Error {}

/**
 * Building a server's SecureContext parses its certificate, key, CA bundle and CRLs: 1.85 ms a start,
 * 0.74 s of the workers' CPU in a catalogue run of about 400 node servers (cpuprofile). Servers
 * started with the same files and options share one, as the prober's connections do
 * (core/probe.ts secureContextFor); a server kept for the next case shared it already. Keyed by the
 * files' contents, not their paths. A rotate or retrust builds a context of the server's own.
 */
const sharedContexts = new Map<string, SecureContext>();

/**
 * What node's server adds to its own context's options (lib/_tls_wrap.js, Server.setSecureContext):
 * the server's cipher order, and a session ID context, without which OpenSSL will not resume a
 * session on a server that asks for client certificates.
 */
const serverDefaults = {
  honorCipherOrder: true,
  sessionIdContext: createHash("sha1").update(process.argv.join(" ")).digest("hex").slice(0, 32),
};

function sharedContext(options: SecureContextOptions): SecureContext {
  const key = JSON.stringify(options);
  let context = sharedContexts.get(key);
  if (!context) {
    context = createSecureContext({ ...serverDefaults, ...options });
    sharedContexts.set(key, context);
  }
  return context;
}

/** How many server contexts are shared (for the test that servers of one setup build one). */
export const sharedServerContextCount = (): number => sharedContexts.size;

/**
 * A tls.Server serving `context`: node's server builds its own from the options it is given and
 * hands it to each connection as `_sharedCreds` (lib/_tls_wrap.js, tlsConnectionListener, node 20 to
 * 24). Where that field is not there, the server builds its own as before.
 */
function serveContext(server: Server, context: SecureContext, options: SecureContextOptions): void {
  const internal = server as unknown as { _sharedCreds?: SecureContext };
  if (internal._sharedCreds !== undefined) internal._sharedCreds = context;
  else server.setSecureContext(options);
}

async function startNodeServer(config: TlsServerConfig): Promise<RunningServer> {
  const sniContexts = new Map(
    Object.entries(config.sniIdentities).map(([name, files]) => [name.toLowerCase(), createSecureContext(readKeyPair(files))]),
  );
  const rejections: Classification[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<TLSSocket>();

  // The client trust in force (retrust changes it) and the identity served (rotate changes it).
  let trust: ClientTrust = { clientTrust: config.clientTrust, crls: config.crls };
  let served = config.identity;
  const contextOptions = (identity: KeyPairFiles) => ({
    ...readKeyPair(identity),
    ca: trust.clientTrust ? readFileSync(trust.clientTrust, "utf8") : undefined,
    crl: trust.crls.map((path) => readFileSync(path, "utf8")),
    ...securityOptions(config),
  });
  const initialOptions = contextOptions(config.identity);
  const server = createServer(
    {
      requestCert: config.clientAuth !== "none",
      rejectUnauthorized: config.clientAuth === "required",
      SNICallback: sniContexts.size
        ? (name, callback) => callback(null, sniContexts.get(name.toLowerCase()))
        : undefined,
    },
    (socket) => {
      const peer = socket.getPeerCertificate();
      if (config.allowedIdentities && socket.authorized) {
        // Authorization after authentication, as a mesh's policy does: close without an answer.
        const presented = peer && "subjectaltname" in peer ? identitySans(peer) : [];
        if (!presented.some((name) => config.allowedIdentities!.includes(name))) {
          record({ outcome: "rejected:not-authorized", raw: `not authorized: client identity ${presented.join(", ") || "(none)"} is not one of ${config.allowedIdentities.join(", ")}`, source: "local-verify" });
          socket.destroy();
          return;
        }
      }
      const body = JSON.stringify({
        identity: peer && "subjectaltname" in peer ? (uriSans(peer)[0] ?? null) : null,
        authorized: socket.authorized,
        protocol: socket.getProtocol(),
      });
      // Answer the request, not the handshake: a response sent before the request arrives can be
      // followed by a reset when the request lands on the closed socket, and a reset lets the
      // client's kernel drop the unread response. Two container runs each had one s_client case
      // end with EOF and no response before this change.
      const answer = () => socket.end(`HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      const silent = setTimeout(answer, 1_000);
      socket.once("data", () => {
        clearTimeout(silent);
        answer();
      });
      socket.once("close", () => clearTimeout(silent));
    },
  );
  serveContext(server, sharedContext(initialOptions), initialOptions);
  // When it last recorded a refusal or a connection closed (reuse.saidAt).
  let saidAt = Date.now();
  server.on("connection", (socket) => {
    sockets.add(socket as TLSSocket);
    socket.on("close", () => {
      sockets.delete(socket as TLSSocket);
      saidAt = Date.now();
    });
  });
  const record = (rejection: Classification) => {
    saidAt = Date.now();
    rejections.push(rejection);
    for (const wake of waiters) wake();
  };
  server.on("tlsClientError", (error) => record(classifyNodeError(error)));
  // Node rejects a bad client certificate by destroying the socket after the handshake, without
  // an alert and without an event (measured); it sets authorizationError first. The keylog event
  // is the one public hook that hands over the server-side TLSSocket, so we read the reason there.
  const watched = new WeakSet<TLSSocket>();
  server.on("keylog", (_line, socket: TLSSocket) => {
    if (watched.has(socket)) return;
    watched.add(socket);
    // authorizationError holds only the code, and node names only the codes it knows (the others
    // are UNSPECIFIED, e.g. a name-constraint violation); the handle's verify error still has
    // OpenSSL's text while "secure" is being emitted, before node destroys the socket.
    let verifyText: string | undefined;
    socket.prependOnceListener("secure", () => {
      const handle = (socket as unknown as { _handle?: { verifyError?: () => Error | null } })._handle;
      verifyText = handle?.verifyError?.()?.message;
    });
    socket.once("close", () => {
      const code = socket.authorizationError as unknown as string | undefined;
      if (code && config.clientAuth === "required" && !socket.authorized) {
        const outcome = code === "UNSPECIFIED" && verifyText ? classifyVerifyText(verifyText) : classifyVerifyCode(code);
        record({ outcome, raw: `authorizationError ${code}${verifyText ? ` (${verifyText})` : ""}`, source: "local-verify" });
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new NodeServerError(`failed to start node:tls server on ${config.endpoint.host}:${config.endpoint.port}: ${error.message}`)));
    server.listen(config.endpoint.port, config.endpoint.host, () => resolve());
  });

  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    endpoint: config.endpoint,
    // A connection's refusal is recorded in the same turn of the event loop as its socket's close,
    // just after it (measured: the socket's close, then tlsClientError, then the TLS socket's close).
    reuse: { running: () => server.listening, saidAt: () => saidAt, inProcess: true, openConnections: () => sockets.size },
    async takeRejection(wait) {
      // Every refusal of its own is recorded when the handshake fails (measured: at once).
      if (!rejections.length && wait?.seen === "refusal") {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, wait.withinMs);
          waiters.add(wake);
        });
        if (!rejections.length) return silentAccount("the node:tls server", wait.withinMs);
      }
      // Several events can describe one rejection (a reset as well as the verify code): the last classified wins.
      const taken = rejections.splice(0);
      return taken.filter((rejection) => rejection.outcome !== "unclassified").pop() ?? taken.pop();
    },
    // setSecureContext applies to every connection accepted after it returns (Node docs, server.setSecureContext).
    async rotate(identity) {
      served = identity;
      server.setSecureContext(contextOptions(identity));
    },
    // setSecureContext alone gives the server new random ticket keys (measured), which would end
    // every session; keeping them is what a server sharing ticket keys across reloads does.
    async retrust(next) {
      const ticketKeys = server.getTicketKeys();
      trust = next;
      server.setSecureContext(contextOptions(served));
      server.setTicketKeys(ticketKeys);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

export const nodeServer: TlsServerAdapter = { name: "node", startServer: startNodeServer };
export const nodeClient: TlsClientAdapter = { name: "node", connect: probeTls };
