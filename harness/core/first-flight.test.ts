import { describe, expect, it } from "vitest";
import { splitFirstRecord } from "./first-flight.js";

const record = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type, 0x03, 0x01, body.length >> 8, body.length & 0xff]), body]);

describe("splitFirstRecord", () => {
  it("cuts a handshake record into two records of the same type and version that carry the same bytes", () => {
    const body = Buffer.from(Array.from({ length: 100 }, (_, index) => index));
    const trailing = record(0x17, Buffer.from("after"));
    const split = splitFirstRecord(Buffer.concat([record(0x16, body), trailing]));
    expect(split.subarray(0, 5)).toEqual(Buffer.from([0x16, 0x03, 0x01, 0, 40]));
    expect(split.subarray(5, 45)).toEqual(body.subarray(0, 40));
    expect(split.subarray(45, 50)).toEqual(Buffer.from([0x16, 0x03, 0x01, 0, 60]));
    expect(split.subarray(50, 110)).toEqual(body.subarray(40));
    expect(split.subarray(110)).toEqual(trailing);
  });

  it("leaves alone what is not a whole handshake record longer than the cut", () => {
    const short = record(0x16, Buffer.alloc(40));
    expect(splitFirstRecord(short)).toBe(short);
    const alert = record(0x15, Buffer.alloc(80));
    expect(splitFirstRecord(alert)).toBe(alert);
    const truncated = record(0x16, Buffer.alloc(80)).subarray(0, 50);
    expect(splitFirstRecord(truncated)).toBe(truncated);
  });
});
