// expiry: every certificate of the server's chain (read from the first control's handshake), its
// trust anchor and the client issuer must have at least --min-days left.
import { matcherFor } from "../check-result.js";
import { judgeExpiry } from "../expiry.js";
import type { ProbeStrategy } from "./strategy.js";

export const expiryStrategy: ProbeStrategy<"expiry"> = {
  kind: "expiry",
  judge(check, { settings, expiry, path }) {
    const matcher = matcherFor(check, settings.expectMode) ?? "-";
    const expected = matcher === "-" ? "-" : `>= ${expiry?.minDays ?? "?"} days`;
    if (matcher === "-" || path === "plaintext") return { id: check.id, title: check.title, expected, observed: "no TLS session", pass: false, verdict: "recorded", detail: "no certificate where no TLS is spoken" };
    // The control's handshake did not complete (a TLS 1.2 server refusing it mid-handshake): no chain was seen, which is neither a pass nor a fail.
    if (!expiry) return { id: check.id, title: check.title, expected, observed: "no chain seen", pass: false, verdict: "undetermined", detail: "the control's handshake did not complete, so the server's chain could not be read" };
    const verdict = judgeExpiry(expiry.certificates, expiry.minDays);
    return { id: check.id, title: check.title, expected, observed: verdict.observed, pass: verdict.ok, verdict: verdict.ok ? "pass" : "fail", detail: verdict.detail };
  },
};
