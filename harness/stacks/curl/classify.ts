// What curl prints, classified into the canonical outcomes (harness/core/outcome.ts).
import { rejected, classifyVerifyText, receivedAlert, fromAlert, opensslErrorReason, type Classification } from "../../core/outcome.js";

// curl (7.88, OpenSSL backend) ends a failed transfer with "curl: (<exit code>) <message>" (measured):
// (60) "SSL certificate problem: <X509_verify_cert_error_string>" for the chain and "SSL: no
// alternative certificate subject name matches target host name 'x'" for its own name check
// (lib/vtls/openssl.c, verifyhost); an alert from the server arrives as (35), (56) or (16, over h2)
// "... error:0A000418:SSL routines::tlsv1 alert unknown ca, errno 0".
const curlExitCodes: Record<number, Pick<Classification, "outcome" | "source">> = {
  // CURLE_COULDNT_CONNECT: "Failed to connect to H port P after 0 ms: Couldn't connect to server";
  // on loopback nothing but a refused connection makes it.
  7: { outcome: "connection-refused", source: "transport" },
  28: { outcome: "timeout", source: "transport" }, // CURLE_OPERATION_TIMEDOUT (--max-time)
};

export function classifyCurlText(text: string): Classification {
  const raw = text.trim();
  const error = /^curl: \((\d+)\) (.*)$/m.exec(raw);
  if (!error) return { outcome: "unclassified", raw, source: "unknown" };
  const [line, code, message] = [error[0].trim(), Number(error[1]), error[2] ?? ""];
  const certificateProblem = /^SSL certificate problem: (.+)$/.exec(message)?.[1];
  if (certificateProblem !== undefined) return { outcome: classifyVerifyText(certificateProblem), raw: line, source: "local-verify" };
  if (/^SSL: (no alternative certificate subject name matches|certificate subject name .* does not match) target host name/.test(message)) {
    return { outcome: rejected("hostname-mismatch"), raw: line, source: "local-verify" };
  }
  const alert = receivedAlert(message);
  if (alert !== undefined) return fromAlert(alert, line);
  const reason = opensslErrorReason(message, line);
  if (reason !== undefined) return reason;
  const byCode = curlExitCodes[code];
  if (byCode !== undefined) return { ...byCode, raw: line };
  // (52) empty reply, (55)/(56)/(16) send or receive failures: the server hung up, maybe rejecting.
  if (/Connection reset|Empty reply|Send failure|Recv failure|getpeername|unexpected eof/i.test(message)) return { outcome: "unclassified", raw: line, source: "transport" };
  return { outcome: "unclassified", raw: line, source: "unknown" };
}
