// server-first: connect and say nothing for min(11 s, --timeout-ms). A TLS endpoint never speaks
// first; one that sends bytes that are not a TLS record forwarded the silent client to a plaintext
// server-first service (a detector gave up): served. Silence, a close or a TLS record (an alert): refused.
import { connect } from "node:net";
import { confirm } from "../confirm.js";
import type { Judgement } from "../oracle.js";
import type { ExternalSettings } from "../settings.js";
import { detectionPauseMs } from "./slow-first-byte.js";
import type { ProbeStrategy } from "./strategy.js";

/** A TLS record starts with its content type (20-23) and major version 3. */
const isTlsRecord = (bytes: Buffer) => bytes.length >= 2 && bytes[0]! >= 20 && bytes[0]! <= 23 && bytes[1] === 3;

const printable = (bytes: Buffer) => bytes.toString("latin1").replace(/[^\x20-\x7e]/g, ".").slice(0, 80);

/** One silent connection: what the endpoint sent, and how the wait ended. */
function listenSilently(settings: ExternalSettings, waitMs: number): Promise<Judgement> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let connected = false;
    const socket = connect({ host: settings.host, port: settings.port });
    const done = (judgement: Omit<Judgement, "shape">, shape: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...judgement, shape });
    };
    const ended = (how: "closed" | "reset") => {
      if (received.length) return judgeBytes();
      done({ classification: "refused", answer: `${how} without a byte`, reason: `the endpoint ${how === "closed" ? "closed" : "reset"} the silent connection without speaking` }, how === "reset" ? "closed" : how);
    };
    const judgeBytes = () =>
      isTlsRecord(received)
        ? done({ classification: "refused", answer: `a TLS record (type ${received[0]})`, reason: "the endpoint sent a TLS record (an alert), not plaintext" }, `tls ${received[0]}`)
        : done({ classification: "served", answer: printable(received), reason: "the endpoint spoke plaintext first to a client that said nothing" }, `bytes ${printable(received)}`);
    const timer = setTimeout(() => {
      if (!connected) return done({ classification: "unreachable", answer: `no connection within ${waitMs} ms`, reason: "no connection within the timeout" }, "timeout connect");
      if (received.length) return judgeBytes();
      done({ classification: "refused", answer: `silent for ${waitMs} ms`, reason: `the endpoint sent nothing in ${waitMs} ms` }, "silent");
    }, waitMs);
    socket.on("connect", () => (connected = true));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Enough to tell a TLS record from plaintext.
      if (received.length >= 2) judgeBytes();
    });
    socket.on("end", () => ended("closed"));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") return done({ classification: "unreachable", answer: error.message, reason: "the connection was refused" }, "connection-refused");
      ended("reset");
    });
  });
}

export const serverFirstStrategy: ProbeStrategy<"server-first"> = {
  kind: "server-first",
  probe: async (_check, run) => ({ attempts: await confirm(() => listenSilently(run.settings, detectionPauseMs(run.settings))) }),
};
