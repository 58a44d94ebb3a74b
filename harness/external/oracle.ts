// The differential oracle: a probe is judged against the control, the answer the trusted client
// gets on the same endpoint. "Served" means answered the way the control is answered; "refused"
// means a TLS alert, a close or reset during the handshake, or an answer the control did not get
// that refuses (an HTTP error where the control got a success, a known refusal page, a postgres
// ErrorResponse the control did not get). Anything else is undetermined, and undetermined never
// counts as a pass.
import type { Exchange } from "./endpoint-probe.js";

export type Classification = "served" | "refused" | "no-tls" | "undetermined" | "unreachable";

export interface Judgement {
  classification: Classification;
  /** The answer seen, in one line. */
  answer: string;
  /** Why it was classified so. */
  reason: string;
  /** What a repeat must match to agree with this attempt (shapeOf). */
  shape: string;
}

/** The control probe: its exchange and whether its answer counts as served. */
export interface Control {
  /** "valid-cert" (with an issuer), "no-client-cert" (without), "plaintext" (expected disabled, or no TLS spoken). */
  path: "valid-cert" | "no-client-cert" | "plaintext";
  exchange: Exchange;
  judgement: Judgement;
}

// Pages servers send to refuse a client inside a completed handshake or on their TLS port: nginx
// (400 "No required SSL certificate was sent", "The SSL certificate error", "The plain HTTP request
// was sent to HTTPS port", and its 495/496/497 codes) and Go's net/http ("Client sent an HTTP
// request to an HTTPS server."), measured against nginx 1.22 and Caddy 2.6; Apache 2.4's 403
// "Cannot perform Post-Handshake Authentication" (SSLVerifyClient in a <Location> under TLS 1.3,
// to a client that does not offer post-handshake auth) and its 400 "You're speaking plain HTTP to
// an SSL-enabled server port", measured against Apache 2.4 (docs/gallery.md).
const refusalStatuses = new Set([495, 496, 497]);
const refusalPages = [
  /No required SSL certificate/i,
  /SSL certificate error/i,
  /plain HTTP request was sent to HTTPS port/i,
  /HTTP request to an HTTPS server/i,
  /\b(?:SSL|TLS|client) certificate\b.*\b(?:required|invalid|error|verify|failed)/i,
  /Cannot perform Post-Handshake Authentication/i,
  /speaking plain HTTP to an SSL-enabled server port/i,
];
/** HTTP statuses that refuse the client itself (not the resource): the control getting one was not served. */
const controlRefusalStatuses = new Set([401, 403, 421, 495, 496, 497]);

export function knownRefusalPage(exchange: Exchange): string | undefined {
  const answer = exchange.answer;
  if (answer?.kind !== "http" || answer.status! < 400) return undefined;
  if (refusalStatuses.has(answer.status!)) return `HTTP ${answer.status} is nginx's certificate refusal status`;
  const page = refusalPages.find((pattern) => pattern.test(answer.page ?? ""));
  return page ? "the page is a known certificate refusal" : undefined;
}

/** Whether the answer is Apache's refusal of a TLS 1.3 client that offers no post-handshake auth. */
export const isPostHandshakeAuthRefusal = (exchange: Exchange): boolean => exchange.answer?.kind === "http" && /Cannot perform Post-Handshake Authentication/i.test(exchange.answer.page ?? "");

/**
 * Why the trusted client's answer (the valid-certificate control) is a refusal, if it is: a TLS
 * alert, HTTP 401, 403, 421 or 495-497, a known refusal page, or the protocol's own refusal (a
 * postgres ErrorResponse). Such a control serves nobody, so it cannot define served; any other
 * answer (a 404, a 500, a close after the request) is still the trusted client's answer.
 */
export function controlRefusal(exchange: Exchange): string | undefined {
  if (exchange.event === "alert") return `a TLS alert ${exchange.alert!.name} (${exchange.alert!.code})`;
  if (exchange.event !== "answered") return undefined;
  const answer = exchange.answer;
  if (answer?.kind === "postgres" && answer.message!.startsWith("E")) return "a postgres ErrorResponse";
  if (answer?.kind !== "http") return undefined;
  const page = knownRefusalPage(exchange);
  if (page) return page;
  return controlRefusalStatuses.has(answer.status!) ? `HTTP ${answer.status}, a refusal of the client` : undefined;
}

/** The part of an exchange that must match the control's for "answered the same way". */
export function shapeOf(exchange: Exchange): string {
  const answer = exchange.answer;
  // A close and a reset at the same stage are one shape: which of the two a client sees after the
  // server hangs up depends on whether its request was already on the wire.
  const event = exchange.event === "reset" ? "closed" : exchange.event;
  if (exchange.event !== "answered" || !answer) return `${event} ${exchange.stage}${exchange.alert ? ` ${exchange.alert.code}` : ""}`;
  switch (answer.kind) {
    case "http":
      // A success page may differ per request (a time, a request id); an error page is compared by its text.
      return answer.status! < 400 ? `http ${Math.floor(answer.status! / 100)}xx` : `http ${answer.status} ${answer.page ?? ""}`;
    case "postgres":
      return `postgres ${answer.message}`;
    default:
      return answer.kind === "open" ? "open" : `bytes ${answer.text}`;
  }
}

const isSuccess = (exchange: Exchange) =>
  exchange.event === "answered" &&
  ((exchange.answer?.kind === "http" && exchange.answer.status! < 400) || (exchange.answer?.kind === "postgres" && exchange.answer.message!.startsWith("R")));
export const isErrorAnswer = (exchange: Exchange) =>
  exchange.event === "answered" &&
  ((exchange.answer?.kind === "http" && exchange.answer.status! >= 400) || (exchange.answer?.kind === "postgres" && exchange.answer.message!.startsWith("E")));

/** What no probe's context changes: unreachable, no TLS, alerts, failures during the handshake. */
function intrinsic(exchange: Exchange): Omit<Judgement, "shape"> | undefined {
  const answer = exchange.answer?.text ?? exchange.raw;
  switch (exchange.event) {
    case "connection-refused":
      return { classification: "unreachable", answer, reason: "the connection was refused" };
    case "timeout":
      return exchange.stage === "connect"
        ? { classification: "unreachable", answer, reason: "no connection within the timeout" }
        : { classification: "undetermined", answer, reason: `the endpoint went silent ${exchange.stage === "handshake" ? "during the handshake" : "without answering"}: neither served nor refused` };
    case "no-tls":
      return { classification: "no-tls", answer, reason: "the endpoint did not speak TLS" };
    case "alert":
      return { classification: "refused", answer: `TLS alert ${exchange.alert!.name} (${exchange.alert!.code})`, reason: `the endpoint sent a TLS alert ${exchange.stage === "handshake" ? "during the handshake" : "after the handshake, before any answer"}` };
    case "closed":
    case "reset":
      if (exchange.stage === "handshake") return { classification: "refused", answer, reason: `the endpoint ${exchange.event === "closed" ? "closed" : "reset"} the connection during the TLS handshake` };
      // A client slow to speak that is hung up on was not served (detect::slow-first-byte).
      if (exchange.stage === "pause") return { classification: "refused", answer, reason: `the endpoint ${exchange.event === "closed" ? "closed" : "reset"} the connection while the probe waited, before it spoke` };
      if (exchange.stage === "connect" || exchange.stage === "preamble") return { classification: "undetermined", answer, reason: `the connection ended ${exchange.stage === "connect" ? "before the probe spoke" : "during the protocol's preamble"}` };
      // Plaintext that gets no answer at all was not served, whatever the control looks like.
      if (exchange.transport === "plaintext") return { classification: "refused", answer, reason: `the endpoint ${exchange.event === "closed" ? "closed" : "reset"} the connection without answering the plaintext request` };
      return undefined;
    case "error":
      return { classification: "undetermined", answer, reason: "an error the harness cannot classify" };
    default: {
      const refusal = knownRefusalPage(exchange);
      return refusal ? { classification: "refused", answer, reason: refusal } : undefined;
    }
  }
}

/**
 * Judges one exchange. `control` is undefined when this exchange is the control's own (then its
 * answer defines served, unless it refuses on its face).
 */
export function judge(exchange: Exchange, control: Control | undefined, ownPath?: Control["path"]): Judgement {
  return { ...classify(exchange, control, ownPath), shape: shapeOf(exchange) };
}

function classify(exchange: Exchange, control: Control | undefined, ownPath?: Control["path"]): Omit<Judgement, "shape"> {
  const fixed = intrinsic(exchange);
  if (fixed) return fixed;
  const answer = exchange.answer?.text ?? exchange.raw;
  if (!control) return judgeControl(exchange, ownPath ?? "valid-cert");
  const controlAnswer = control.judgement.answer;
  if (control.judgement.classification === "served" && shapeOf(exchange) === shapeOf(control.exchange)) {
    return { classification: "served", answer, reason: `answered the way the control (${control.path}) is: ${controlAnswer}` };
  }
  if (isSuccess(exchange)) return { classification: "served", answer, reason: "a success answer" };
  if (isErrorAnswer(exchange)) {
    if (control.judgement.classification !== "served") {
      return { classification: "undetermined", answer, reason: `an error answer, and the control (${control.path}) was not served either (${controlAnswer}): nothing to compare with` };
    }
    return { classification: "refused", answer, reason: `an error answer the control (${control.path}) did not get (control: ${controlAnswer})` };
  }
  if (exchange.transport === "plaintext" && exchange.answer?.kind === "bytes") {
    return { classification: "refused", answer, reason: "the plaintext request got bytes that are not an answer of the protocol" };
  }
  if (exchange.event === "closed" || exchange.event === "reset") {
    if (control.judgement.classification === "served" && control.exchange.event === "answered") {
      return { classification: "refused", answer, reason: `${exchange.event === "closed" ? "closed" : "reset"} without an answer where the control (${control.path}) is answered (${controlAnswer})` };
    }
    return { classification: "undetermined", answer, reason: `${exchange.event} without an answer, and the control (${control.path}) does not show what served looks like (${controlAnswer})` };
  }
  return { classification: "undetermined", answer, reason: `an answer unlike the control's (${controlAnswer}) that does not refuse` };
}

/**
 * The control's own answer. With a valid certificate from the user's issuer it defines served,
 * whatever it is (a 404 at "/" is still the trusted client's answer). Without one (TLS without a
 * client certificate, or plaintext) only a success answer is served on its face: an error page
 * there could be the refusal itself, which only a trusted client could tell.
 */
function judgeControl(exchange: Exchange, path: Control["path"]): Omit<Judgement, "shape"> {
  const answer = exchange.answer?.text ?? exchange.raw;
  if (isSuccess(exchange)) return { classification: "served", answer, reason: "a success answer (the control)" };
  if (exchange.event === "answered" && exchange.answer?.kind === "open") return { classification: "served", answer, reason: "the handshake completed and the connection stayed open with no alert (the control)" };
  if (path === "valid-cert") {
    const refusal = controlRefusal(exchange);
    if (refusal) return { classification: "refused", answer, reason: `the trusted client is refused (${refusal}): a refused control serves nobody, so it cannot define served` };
    return { classification: "served", answer, reason: "the trusted client's answer defines served (the control)" };
  }
  if (path === "plaintext" && exchange.event === "answered" && exchange.answer?.kind !== "bytes") {
    return { classification: "served", answer, reason: "the plaintext control's answer defines served" };
  }
  return { classification: "undetermined", answer, reason: `no trusted client certificate to compare with (pass --issuer-cert and --issuer-key): cannot tell whether "${answer}" refuses` };
}
