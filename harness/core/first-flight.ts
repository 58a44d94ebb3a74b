// How a probe's first bytes reach the wire, for the protocol-detection rows (docs/architecture.md
// "Protocol detection"): sent late, cut into 1-byte TCP segments, or a ClientHello cut across two
// TLS records; and what a plaintext client sends in place of an HTTP request.
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * one-byte-segments: every byte of the ClientHello in its own write (TCP_NODELAY), the next one
 * after the previous left the socket; two-records: the ClientHello handshake message split across
 * two TLS records (RFC 8446 section 5.1 lets handshake messages span records).
 */
export type ClientHelloShape = "one-byte-segments" | "two-records";

/**
 * http: a GET request; nothing: the client only reads (a server-speaks-first app's banner);
 * first-byte-0x16: a binary plaintext frame whose first byte is the TLS handshake content type;
 * http2-prior-knowledge: the HTTP/2 connection preface in cleartext (RFC 9113 section 3.3).
 */
export type PlaintextPayload = "http" | "nothing" | "first-byte-0x16" | "http2-prior-knowledge";

/** The plaintext app behind a detector: HTTP, or an app that speaks first (a banner on connect). */
export type PlaintextApp = "http" | "banner";

// RFC 9113 section 3.4: the client connection preface, then an empty SETTINGS frame.
export const http2Preface = Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/** 0x16, then bytes no TLS record has at offset 1-2 (a length-prefixed frame of a binary protocol). */
export const frameStartingWith0x16 = Buffer.concat([Buffer.from([0x16, 0x00, 0x05]), Buffer.from("binary-frame\r\n", "latin1")]);

const tlsRecordHeader = 5;
/** Where two-records cuts the handshake message: inside the random, before the extensions. */
const firstRecordBody = 40;

/** The first TLS record of `flight` cut into two records of the same type and version. */
export function splitFirstRecord(flight: Buffer): Buffer {
  const length = flight.length >= tlsRecordHeader ? flight.readUInt16BE(3) : 0;
  if (flight[0] !== 0x16 || length <= firstRecordBody || flight.length < tlsRecordHeader + length) return flight;
  const header = (bodyLength: number) => Buffer.concat([flight.subarray(0, 3), Buffer.from([bodyLength >> 8, bodyLength & 0xff])]);
  const body = flight.subarray(tlsRecordHeader, tlsRecordHeader + length);
  return Buffer.concat([header(firstRecordBody), body.subarray(0, firstRecordBody), header(length - firstRecordBody), body.subarray(firstRecordBody), flight.subarray(tlsRecordHeader + length)]);
}

export interface FirstFlight {
  /** Wait this long after the connection is up before the first byte. */
  delayMs?: number;
  shape?: ClientHelloShape;
}

const written = (socket: Socket, bytes: Buffer): Promise<void> =>
  new Promise((resolve, reject) => socket.write(bytes, (error) => (error ? reject(error) : resolve())));

async function writeFirstFlight(socket: Socket, flight: Buffer, shape: ClientHelloShape | undefined): Promise<void> {
  if (shape === "two-records") return written(socket, splitFirstRecord(flight));
  if (shape !== "one-byte-segments") return written(socket, flight);
  socket.setNoDelay(true);
  for (const byte of flight) {
    await written(socket, Buffer.from([byte]));
    // The write callback fires once the byte is in the kernel; a turn of the loop keeps the next apart.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * A duplex over `socket` for node:tls (tls.connect({ socket })) that delays and shapes the first
 * write, the ClientHello, and passes everything else through.
 */
export function shapedTransport(socket: Socket, flight: FirstFlight): Duplex {
  let first = true;
  const transport = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, done) {
      const bytes = Buffer.from(chunk);
      if (!first) return socket.write(bytes, done);
      first = false;
      (async () => {
        if (socket.connecting) await new Promise((resolve) => socket.once("connect", resolve));
        if (flight.delayMs) await sleep(flight.delayMs);
        await writeFirstFlight(socket, bytes, flight.shape);
      })().then(() => done(), done);
    },
    final(done) {
      socket.end();
      done();
    },
    destroy(error, done) {
      socket.destroy();
      done(error);
    },
  });
  socket.on("data", (chunk: Buffer) => {
    if (!transport.push(chunk)) socket.pause();
  });
  socket.on("end", () => transport.push(null));
  socket.on("close", () => transport.destroy());
  socket.on("error", (error) => transport.destroy(error));
  return transport;
}
