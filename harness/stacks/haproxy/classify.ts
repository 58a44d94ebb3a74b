// What HAProxy prints, classified into the canonical outcomes (harness/core/outcome.ts).
import { type Classification } from "../../core/outcome.js";

// HAProxy 2.6 logs a failed handshake in a fixed format without the verify code ("error-log-format"
// arrives in 2.7): "SSL client certificate not trusted" (a fault at depth 0) or "SSL client CA chain
// cannot be verified" (deeper). Neither names a reason, so both stay unclassified and the alert
// the client received (OpenSSL's own mapping of the verify error) decides.
export function classifyHaproxyLog(text: string): Classification | undefined {
  const raw = text.trim();
  const line = /(SSL client certificate not trusted|SSL client CA chain cannot be verified|SSL handshake failure[^\n]*|Timeout during SSL handshake)/.exec(raw)?.[0];
  if (line === undefined) return undefined;
  return { outcome: "unclassified", raw: line, source: "local-verify" };
}
