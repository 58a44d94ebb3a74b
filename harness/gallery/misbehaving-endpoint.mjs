// Endpoints that misbehave the way broken or overloaded services do, for the external gallery.
// Plain Node (no harness code): node:net for the misbehaviour, node:https for the strict mTLS server
// it falls back to. Prints READY once listening.
//
//   node misbehaving-endpoint.mjs <behaviour> <host> <port> <cert-chain.pem> <key.pem> <trust.pem> [argument]
//
//   silent            accepts TCP and never sends a byte (the connection stays open until the client closes it)
//   reset-after-hello reads the first bytes (a ClientHello) of every connection, then resets it
//   stops-mid-run     a strict mTLS server for the first <argument> connections, then reset-after-hello
//   random-reset      reset-after-hello for ~30% of connections (seeded PRNG, seed <argument>), strict otherwise
//   detect-fallback   a protocol detector: a first byte 0x16 within <argument> ms goes to the strict server,
//                     any other first byte is closed, and a client silent that long is forwarded as
//                     plaintext to an HTTP app (the bypass detect::slow-first-byte finds)
//   speaks-first      the same detector forwarding a silent client to a plaintext service that speaks first
import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer } from "node:net";

const [behaviour, host, port, certFile, keyFile, trustFile, argument] = process.argv.slice(2);
const behaviours = ["silent", "reset-after-hello", "stops-mid-run", "random-reset", "detect-fallback", "speaks-first"];
if (!behaviours.includes(behaviour) || !host || !port || !certFile || !keyFile || !trustFile) {
  console.error(`usage: misbehaving-endpoint.mjs ${behaviours.join("|")} host port cert-chain key trust [argument]`);
  process.exit(2);
}

// The strict server the connections that are not misbehaved on are handed to: requires a client
// certificate chaining to the trust bundle and answers every request with 200.
const strict = createHttpsServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile), ca: readFileSync(trustFile), requestCert: true, rejectUnauthorized: true },
  (request, response) => {
    response.writeHead(200, { "content-type": "text/plain", connection: "close" });
    response.end("hello from a strict node server\n");
  },
);
strict.on("tlsClientError", () => {});

// mulberry32: a small seeded PRNG, so a run's sequence of resets can be reproduced.
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// What a detector forwards a silent client to: an HTTP app, or a service that speaks first (an SMTP-like banner).
const plaintextApp = createHttpServer((request, response) => {
  response.writeHead(200, { "content-type": "text/plain", connection: "close" });
  response.end("hello from the plaintext app\n");
});
const speakFirst = (socket) => {
  socket.write("220 gallery service ready\r\n");
  socket.on("data", () => socket.end("500 command not understood\r\n"));
};

/** Waits up to the detection timeout for the first byte: a ClientHello goes to the strict server, other bytes are closed, silence is forwarded. */
const detect = (forwardSilent) => (socket) => {
  const timer = setTimeout(() => {
    socket.off("data", first);
    forwardSilent(socket);
  }, Number(argument ?? 3000));
  const first = (chunk) => {
    clearTimeout(timer);
    socket.pause();
    if (chunk[0] !== 0x16) return socket.destroy();
    socket.unshift(chunk);
    serveStrict(socket);
  };
  socket.once("data", first);
};

const resetAfterHello = (socket) => socket.once("data", () => socket.resetAndDestroy());
const serveStrict = (socket) => strict.emit("connection", socket);

const serveMidRunLimit = Number(argument ?? 3);
const random = mulberry32(Number(argument ?? 1));
let connections = 0;

const decide = {
  silent: () => () => {},
  "reset-after-hello": () => resetAfterHello,
  "stops-mid-run": () => (connections <= serveMidRunLimit ? serveStrict : resetAfterHello),
  "random-reset": () => (random() < 0.3 ? resetAfterHello : serveStrict),
  "detect-fallback": () => detect((socket) => plaintextApp.emit("connection", socket)),
  "speaks-first": () => detect(speakFirst),
}[behaviour];

const server = createNetServer((socket) => {
  connections += 1;
  socket.on("error", () => {});
  const handle = decide();
  console.log(`connection ${connections}: ${handle === resetAfterHello ? "reset after ClientHello" : handle === serveStrict ? "strict mTLS" : behaviour}`);
  handle(socket);
});
server.listen(Number(port), host, () => console.log("READY"));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
