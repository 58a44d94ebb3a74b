// The differential oracle as a table: one row per kind of answer a real endpoint gives, with the
// control's answer beside it. The answers are the ones measured against the gallery's servers
// (docs/gallery.md); the end-to-end proof is harness/external/gallery.test.ts.
import { describe, expect, it } from "vitest";
import type { Exchange } from "./endpoint-probe.js";
import { judge, type Classification, type Control } from "./oracle.js";
import { httpAnswer } from "./protocols.js";

const tls = { version: "TLSv1.3" };
const http = (status: number, body = "", transport: Exchange["transport"] = "tls"): Exchange => {
  const answer = httpAnswer(`HTTP/1.1 ${status} x`, status, body);
  return { transport, event: "answered", stage: "exchange", answer, tls: transport === "tls" ? tls : undefined, raw: answer.text };
};
const ended = (event: Exchange["event"], stage: Exchange["stage"], transport: Exchange["transport"] = "tls"): Exchange => ({ transport, event, stage, raw: `${event} ${stage}` });
const alert = (code: number, stage: Exchange["stage"] = "handshake"): Exchange => ({ transport: "tls", event: "alert", stage, alert: { code, name: `alert_${code}` }, raw: "alert" });
const open: Exchange = { transport: "tls", event: "answered", stage: "exchange", answer: { kind: "open", text: "stayed open" }, tls, raw: "stayed open" };
const postgres = (message: string): Exchange => ({ transport: "tls", event: "answered", stage: "exchange", answer: { kind: "postgres", message, text: message }, tls, raw: message });

function control(path: Control["path"], exchange: Exchange): Control {
  return { path, exchange, judgement: judge(exchange, undefined, path) };
}

const nginxNoCert = "<html><head><title>400 No required SSL certificate was sent</title></head><body><center><h1>400 Bad Request</h1></center><center>No required SSL certificate was sent</center><hr><center>nginx/1.22.1</center></body></html>";
const nginxBadCert = "<html><head><title>400 The SSL certificate error</title></head><body><center><h1>400 Bad Request</h1></center><center>The SSL certificate error</center></body></html>";
// Apache 2.4 (docs/gallery.md): <Location> SSLVerifyClient require under TLS 1.3 without post-handshake auth, and plain HTTP on its TLS port.
const apachePha = "<title>403 Forbidden</title></head><body><h1>Forbidden</h1><p>You don't have permission to access this resource.Reason: Cannot perform Post-Handshake Authentication.<br /></p>";
const apachePlainOnTls = "<title>400 Bad Request</title><p>Your browser sent a request that this server could not understand.<br />Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />";
const nginxPlainOnTls = "<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head></html>";

interface OracleRow {
  title: string;
  exchange: Exchange;
  control: Control | undefined;
  /** For a control judged on its own: its path. */
  ownPath?: Control["path"];
  expected: Classification;
}

const validControl = control("valid-cert", http(200, "ok"));
const rows: OracleRow[] = [
  // Refusals inside a completed handshake (nginx ssl_verify_client on) are refusals, not service.
  { title: "nginx's 400 page for a missing certificate, control 200", exchange: http(400, nginxNoCert), control: validControl, expected: "refused" },
  { title: "nginx's 400 page for a bad certificate, with no trusted control", exchange: http(400, nginxBadCert), control: control("no-client-cert", http(400, nginxNoCert)), expected: "refused" },
  { title: "nginx's plain-HTTP-on-TLS-port page", exchange: http(400, nginxPlainOnTls, "plaintext"), control: validControl, expected: "refused" },
  { title: "a 403 where the control gets 200 (a proxy's deny rule)", exchange: http(403, "Forbidden"), control: validControl, expected: "refused" },
  { title: "a 403 with no trusted client to compare", exchange: http(403, "Forbidden"), control: undefined, ownPath: "no-client-cert", expected: "undetermined" },
  { title: "the same 404 the control gets", exchange: http(404, "not found"), control: control("valid-cert", http(404, "not found")), expected: "served" },
  { title: "a 200 with a different body (a timestamp)", exchange: http(200, "at 12:01"), control: validControl, expected: "served" },
  { title: "the trusted client's own 404 defines served", exchange: http(404, "not found"), control: undefined, ownPath: "valid-cert", expected: "served" },
  // Services that are not HTTP: a clean close is served when the control closes the same way.
  { title: "a broker that closes on an HTTP request, like the control", exchange: ended("closed", "exchange"), control: control("valid-cert", ended("closed", "exchange")), expected: "served" },
  { title: "a close after the handshake where the control is answered (TLS 1.3 late rejection)", exchange: ended("closed", "exchange"), control: validControl, expected: "refused" },
  { title: "a close after the handshake with no answered control", exchange: ended("closed", "exchange"), control: control("no-client-cert", alert(116)), expected: "undetermined" },
  { title: "raw: stayed open like the control", exchange: open, control: control("valid-cert", open), expected: "served" },
  { title: "raw: closed where the control stays open", exchange: ended("closed", "exchange"), control: control("valid-cert", open), expected: "refused" },
  // What no control changes.
  { title: "a TLS alert during the handshake", exchange: alert(48), control: validControl, expected: "refused" },
  { title: "a TLS alert after the handshake (TLS 1.3 certificate_required)", exchange: alert(116, "exchange"), control: validControl, expected: "refused" },
  { title: "a reset during the handshake", exchange: ended("reset", "handshake"), control: validControl, expected: "refused" },
  { title: "silence after the handshake", exchange: ended("timeout", "exchange"), control: validControl, expected: "undetermined" },
  { title: "an error the harness cannot classify", exchange: ended("error", "exchange"), control: validControl, expected: "undetermined" },
  { title: "a reply to the ClientHello that is not TLS", exchange: ended("no-tls", "handshake"), control: validControl, expected: "no-tls" },
  { title: "a refused TCP connection", exchange: ended("connection-refused", "connect"), control: validControl, expected: "unreachable" },
  // Plaintext on a TLS port.
  { title: "plaintext closed without an answer", exchange: ended("closed", "exchange", "plaintext"), control: control("valid-cert", ended("closed", "exchange")), expected: "refused" },
  { title: "plaintext answered 200", exchange: http(200, "ok", "plaintext"), control: validControl, expected: "served" },
  { title: "Go's answer to plain HTTP on a TLS port", exchange: http(400, "Client sent an HTTP request to an HTTPS server.", "plaintext"), control: control("no-client-cert", alert(116)), expected: "refused" },
  // postgres: an ErrorResponse the control did not get refuses; the control's own error is the served shape.
  { title: "postgres: no certificate, control proceeds to authentication", exchange: postgres("E 28000 connection requires a valid client certificate"), control: control("valid-cert", postgres("R SASL")), expected: "refused" },
  { title: "postgres: the control's own answer", exchange: postgres("R SASL"), control: control("valid-cert", postgres("R SASL")), expected: "served" },
  // The trusted client's own answer is a refusal (docs/external.md "A refused control"): it serves nobody; a 404 or 500 is still an answer.
  ...([401, 403, 421, 495, 496, 497] as const).map((status) => ({ title: `the trusted client's own ${status}`, exchange: http(status, "no"), control: undefined, ownPath: "valid-cert" as const, expected: "refused" as const })),
  { title: "the trusted client's own 500 defines served", exchange: http(500, "oops"), control: undefined, ownPath: "valid-cert", expected: "served" },
  { title: "the trusted client's own Apache post-handshake-auth 403", exchange: http(403, apachePha), control: undefined, ownPath: "valid-cert", expected: "refused" },
  { title: "the trusted client's own alert", exchange: alert(48), control: undefined, ownPath: "valid-cert", expected: "refused" },
  { title: "the trusted client's own postgres ErrorResponse", exchange: postgres('E 28000 certificate authentication failed for user "mtls-conformance"'), control: undefined, ownPath: "valid-cert", expected: "refused" },
  // Without an issuer the no-certificate control's 403 may be the refusal itself: undetermined, as before.
  { title: "a 403 to the no-certificate control", exchange: http(403, "no"), control: undefined, ownPath: "no-client-cert", expected: "undetermined" },
  { title: "Apache's answer to plain HTTP on a TLS port", exchange: http(400, apachePlainOnTls, "plaintext"), control: control("no-client-cert", alert(116)), expected: "refused" },
];

describe("the differential oracle", () => {
  it.each(rows)("$title: $expected", (row) => {
    const judgement = judge(row.exchange, row.control, row.ownPath);
    expect(judgement.classification, judgement.reason).toBe(row.expected);
    expect(judgement.reason.length).toBeGreaterThan(10);
  });
});
