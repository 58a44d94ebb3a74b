// What the openssl CLI (s_client, s_server) prints, classified into the canonical outcomes (harness/core/outcome.ts).
import { classifyVerifyCode, receivedAlert, fromAlert, opensslReasons, type Classification } from "../../core/outcome.js";

/**
 * Text printed by the openssl CLI (s_client / s_server / verify, stderr and stdout). A local
 * verify error beats an alert line; note that s_client without -verify_return_error prints its
 * verify errors and carries on, so run it with that flag when the verdict matters.
 * "Verify return code: 0 (ok)" is printed even when the peer then alerts, so it is not evidence.
 */
export function classifyOpensslText(text: string): Classification {
  const raw = text.trim();
  // s_client/s_server: "verify error:num=10:certificate has expired"; openssl verify: "error 10 at 0 depth lookup".
  const verifyCode = /verify error:num=(\d+):/.exec(raw)?.[1] ?? /\berror (\d+) at \d+ depth lookup/.exec(raw)?.[1];
  if (verifyCode !== undefined) return { outcome: classifyVerifyCode(Number(verifyCode)), raw, source: "local-verify" };
  const alert = receivedAlert(raw);
  if (alert !== undefined) return fromAlert(alert, raw);
  // OpenSSL error lines: "<hex>:error:<hex>:SSL routines:<function>:<reason>:<file>:<line>:".
  for (const [, reason] of raw.matchAll(/:SSL routines:[^:]*:([^:]+):/g)) {
    const verdict = opensslReasons[reason ?? ""];
    if (verdict !== undefined) return { ...verdict, raw };
  }
  if (/Connection refused|connect:errno=111\b/.test(raw)) return { outcome: "connection-refused", raw, source: "transport" };
  if (/Connection timed out|errno=110\b/.test(raw)) return { outcome: "timeout", raw, source: "transport" };
  // read:errno=104 (reset) and "unexpected eof while reading": a node:tls server rejecting a client
  // cert by closing (measured), or a peer crashing; the caller decides.
  if (/errno=(104|32)\b|unexpected eof while reading|Connection reset by peer|Broken pipe/.test(raw)) {
    return { outcome: "unclassified", raw, source: "transport" };
  }
  return { outcome: "unclassified", raw, source: "unknown" };
}
