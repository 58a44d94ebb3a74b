// What the Python peer program (tlspeer.py, Python's ssl module) prints, classified into the
// canonical outcomes (harness/core/outcome.ts). Python's ssl wraps OpenSSL and prints its errors as
// "[SSL: <REASON CODE>] <reason text> (_ssl.c:<line>)", so OpenSSL's tables decide: the X509 verify
// text after "certificate verify failed: ", the alert named in the reason, OpenSSL's own reasons.
import { classifyVerifyText, fromAlert, opensslReasons, receivedAlert, rejected, type Classification } from "../../core/outcome.js";

// Modules/_ssl.c (fill_and_set_sslerror) replaces OpenSSL's text for X509_V_ERR_HOSTNAME_MISMATCH
// and X509_V_ERR_IP_ADDRESS_MISMATCH with its own, naming the certificate's expected name.
const pythonNameMismatch = /certificate verify failed: (?:Hostname|IP address) mismatch, certificate is not valid for /;

export function classifyPythonText(text: string): Classification {
  const raw = text.trim();
  if (pythonNameMismatch.test(raw)) return { outcome: rejected("hostname-mismatch"), raw, source: "local-verify" };
  const verify = /certificate verify failed: (.+?)(?: \(_ssl\.c:\d+\))?$/m.exec(raw)?.[1];
  if (verify !== undefined) return { outcome: classifyVerifyText(verify), raw, source: "local-verify" };
  // tlspeer.py's own check of the URI SAN after the handshake, in the node prober's words (probe.ts).
  if (/server identity .* is not the expected /.test(raw)) return { outcome: rejected("identity-mismatch"), raw, source: "local-verify" };
  const alert = receivedAlert(raw);
  if (alert !== undefined) return fromAlert(alert, raw);
  // "[SSL: REASON_CODE] text", or "[SSL] text" for a reason OpenSSL has no code name for in Python's table.
  const reason = /\[SSL(?:: [A-Z0-9_]+)?\] (.+?)(?: \(_ssl\.c:\d+\))?$/m.exec(raw)?.[1];
  const verdict = reason === undefined ? undefined : opensslReasons[reason];
  if (verdict !== undefined) return { ...verdict, raw };
  if (/Connection refused/.test(raw)) return { outcome: "connection-refused", raw, source: "transport" };
  // socket.timeout's text ("timed out", "The handshake operation timed out", "The read operation timed out").
  if (/\btimed out$/m.test(raw)) return { outcome: "timeout", raw, source: "transport" };
  // A peer that hangs up mid-handshake (a node:tls server rejecting a client certificate does) or crashes.
  if (/Connection reset by peer|Broken pipe|EOF occurred in violation of protocol|connection closed without a response/.test(raw)) {
    return { outcome: "unclassified", raw, source: "transport" };
  }
  return { outcome: "unclassified", raw, source: "unknown" };
}
