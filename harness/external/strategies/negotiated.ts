// negotiated: the TLS version, cipher and ALPN of the first control's handshake, recorded with no verdict.
import { matcherFor } from "../check-result.js";
import type { ProbeStrategy } from "./strategy.js";

export const negotiatedStrategy: ProbeStrategy<"negotiated"> = {
  kind: "negotiated",
  judge(check, { settings, negotiated }) {
    const observed = negotiated.tlsVersion ? `${negotiated.tlsVersion} ${negotiated.cipher ?? ""}${negotiated.alpn ? ` alpn=${negotiated.alpn}` : ""}`.trim() : "no TLS session";
    return { id: check.id, title: check.title, expected: matcherFor(check, settings.expectMode) ?? "-", observed, pass: false, verdict: "recorded", detail: "recorded only" };
  },
};
