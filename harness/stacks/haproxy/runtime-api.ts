// HAProxy's runtime API (a `stats socket` at level admin), reached over loopback TCP: the
// container runtime runs haproxy on the host network, so the harness connects to it the same way
// on both runtimes. Without `prompt`, the socket is non-interactive: one command per connection,
// and haproxy closes the connection after its answer.
import { connect } from "node:net";
import { formatEndpoint, type Endpoint } from "../../core/network.js";

export class HaproxyRuntimeApiError extends Error {}

/** Sends one command (with its `<<` payload, if any) and resolves with haproxy's whole answer. */
export function runtimeApiCommand(endpoint: Endpoint, command: string, timeoutMs: number): Promise<string> {
  const verb = command.split(" ", 3).join(" ");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on("connect", () => socket.end(command.endsWith("\n") ? command : `${command}\n`));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => reject(new HaproxyRuntimeApiError(`failed to send "${verb}" to haproxy's runtime API on ${formatEndpoint(endpoint)}: ${error.message}`)));
    socket.on("close", (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/** What a transaction replaces: a `crt`, a `ca-file` or a `crl-file` the configuration loaded. */
export type StoredFile = "cert" | "ca-file" | "crl-file";

/**
 * Replaces the file haproxy loaded from `path` with `pem`: `set ssl <kind>` opens a transaction with
 * the new PEM, `commit ssl <kind>` swaps it into every bind that uses the file (rebuilding their
 * SSL contexts). haproxy answers the commit once the swap is done (management guide, "commit ssl
 * cert", "commit ssl ca-file", "commit ssl crl-file"): every handshake after it gets the new file.
 * haproxy 2.6 replaces only a file its configuration references ("Can't replace a CRL file which is
 * not referenced by the configuration!", measured).
 */
export async function replaceStoredFile(endpoint: Endpoint, kind: StoredFile, path: string, pem: string, timeoutMs: number): Promise<void> {
  // The payload ends at the first empty line, so the PEM must not contain one.
  const payload = pem
    .split("\n")
    .filter((line) => line.trim() !== "")
    .join("\n");
  // "Transaction created for certificate", "transaction created for CA", "... for CRL" (measured).
  const set = await runtimeApiCommand(endpoint, `set ssl ${kind} ${path} <<\n${payload}\n\n`, timeoutMs);
  if (!/^transaction (created|updated) for /im.test(set)) {
    throw new HaproxyRuntimeApiError(`failed to set ssl ${kind} ${path}: ${set.trim() || "no answer"}`);
  }
  const commit = await runtimeApiCommand(endpoint, `commit ssl ${kind} ${path}`, timeoutMs);
  if (!/^Success!$/m.test(commit)) {
    await runtimeApiCommand(endpoint, `abort ssl ${kind} ${path}`, timeoutMs).catch(() => undefined);
    throw new HaproxyRuntimeApiError(`failed to commit ssl ${kind} ${path}: ${commit.trim() || "no answer"}`);
  }
}
