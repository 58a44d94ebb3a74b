import { describe, expect, it } from "vitest";
import { type Outcome } from "../../core/outcome.js";
import { classifyNginxLog } from "./classify.js";

describe("classifyNginxLog", () => {
  const rows: Array<[string, string, Outcome | undefined]> = [
    ["expired client cert", "2026/11/23 05:50:01 [info] 12#12: *3 client SSL certificate verify error: (10:certificate has expired) while reading client request headers, client: 127.0.0.1", "rejected:expired"],
    ["not-yet-valid client cert", "[info] 12#12: *5 client SSL certificate verify error: (9:certificate is not yet valid) while reading client request headers", "rejected:not-yet-valid"],
    ["untrusted client cert", "[info] 12#12: *7 client SSL certificate verify error: (20:unable to get local issuer certificate) while reading client request headers", "rejected:unknown-ca"],
    ["revoked client cert", "[info] 12#12: *9 client SSL certificate verify error: (23:certificate revoked) while reading client request headers", "rejected:revoked"],
    ["no client cert", "[info] 12#12: *11 client sent no required SSL certificate while reading client request headers", "rejected:client-cert-required"],
    ["an accepted request", "mtls-access 200 TLSv1.3 TLS_AES_256_GCM_SHA384 verify=SUCCESS", undefined],
  ];
  it.each(rows)("%s", (_title, input, expected) => {
    expect(classifyNginxLog(input)?.outcome).toBe(expected);
  });
});
