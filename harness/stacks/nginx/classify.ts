// What nginx prints, classified into the canonical outcomes (harness/core/outcome.ts).
import { rejected, classifyVerifyCode, type Classification } from "../../core/outcome.js";
import { classifyOpensslText } from "../openssl/classify.js";

// nginx (1.22, error_log at info) completes the handshake whatever client certificate it gets (its
// verify callback accepts everything) and then refuses the request with 400, logging why:
// "client SSL certificate verify error: (10:certificate has expired) while reading client request
// headers", or "client sent no required SSL certificate ..." (measured). A handshake that fails
// inside OpenSSL is logged as "SSL_do_handshake() failed (SSL: error:...:<reason>...)".
export function classifyNginxLog(text: string): Classification | undefined {
  const raw = text.trim();
  const verifyCode = /client SSL certificate verify error: \((\d+):/.exec(raw)?.[1];
  if (verifyCode !== undefined) return { outcome: classifyVerifyCode(Number(verifyCode)), raw, source: "local-verify" };
  if (/client sent no required SSL certificate/.test(raw)) return { outcome: rejected("client-cert-required"), raw, source: "local-verify" };
  const handshake = /SSL_do_handshake\(\) failed.*$/m.exec(raw)?.[0];
  if (handshake !== undefined) return classifyOpensslText(handshake);
  return undefined;
}
