import { describe, expect, it } from "vitest";
import { classifyHaproxyLog } from "./classify.js";

describe("classifyHaproxyLog", () => {
  it("keeps haproxy's handshake errors raw: they carry no verify code", () => {
    const line = "127.0.0.1:40330 [23/Nov/2026:05:54:53.884] tls/1: SSL client certificate not trusted";
    expect(classifyHaproxyLog(line)).toEqual({ outcome: "unclassified", raw: "SSL client certificate not trusted", source: "local-verify" });
    expect(classifyHaproxyLog("127.0.0.1:40342 [23/Nov/2026:05:54:53.969] tls/1: SSL handshake failure")?.outcome).toBe("unclassified");
    expect(classifyHaproxyLog('127.0.0.1:40324 [23/Nov/2026:05:54:53.848] tls~ tls/<NOSRV> 0/-1/-1/-1/0 200 73 - - LR-- 1/1/0/0/0 0/0 "GET / HTTP/1.0"')).toBeUndefined();
  });
});
