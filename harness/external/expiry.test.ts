import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { readCertificates } from "../../fixtures/import-issuer.js";
import { expiryHorizon, judgeExpiry, nearestExpiry } from "./expiry.js";

let pki: FixtureSet;
const now = new Date();
// notAfter is truncated to whole seconds: read the horizon a second before the run start, so "14 days" is 14, not 13.99.
const readAt = new Date(now.getTime() - 1000);

beforeAll(async () => {
  pki = await writeFixtureSet(
    {
      certs: [
        { name: "root", issuer: "self", subject: { commonName: "Root" }, ca: {}, validity: { notBeforeDays: -10, notAfterDays: 100 } },
        { name: "other-root", issuer: "self", subject: { commonName: "Other Root" }, ca: {}, validity: { notBeforeDays: -10, notAfterDays: 5 } },
        { name: "issuer", issuer: "root", subject: { commonName: "Issuer" }, ca: { pathLength: 0 }, validity: { notBeforeDays: -10, notAfterDays: 20 } },
        { name: "leaf", issuer: "issuer", subject: { commonName: "leaf.test" }, validity: { notBeforeDays: -1, notAfterDays: 14 } },
      ],
      bundles: [{ name: "both-roots", certs: ["other-root", "root"] }],
    },
    now,
  );
}, 30_000);
afterAll(async () => pki && (await removeFixtureSet(pki)));

const chainOf = async (...names: string[]): Promise<X509Certificate[]> => (await Promise.all(names.map((name) => readCertificates(pki.certs[name]!.cert, name)))).flat();

describe("expiryHorizon", () => {
  it("lists the chain as sent, the anchor that issued its top (not every root of the bundle), then the client issuer", async () => {
    const horizon = await expiryHorizon(await chainOf("leaf", "issuer"), { trustBundle: pki.bundles["both-roots"], issuerCert: pki.certs.issuer!.cert }, readAt);
    // The issuer is already on the chain: listed once.
    expect(horizon.map((entry) => [entry.role, entry.subject, entry.daysLeft])).toEqual([
      ["leaf", "CN=leaf.test", 14],
      ["chain", "CN=Issuer", 20],
      ["trust-anchor", "CN=Root", 100],
    ]);
    expect(horizon[0]).toMatchObject({ serial: pki.certs.leaf!.serial, notAfter: pki.certs.leaf!.notAfter });
  });

  it("fails below --min-days naming each certificate, passes at exactly --min-days", async () => {
    const horizon = await expiryHorizon(await chainOf("leaf", "issuer"), {}, readAt);
    expect(nearestExpiry(horizon)?.subject).toBe("CN=leaf.test");
    expect(judgeExpiry(horizon, 14)).toMatchObject({ ok: true, observed: "nearest 14 days (leaf)" });
    const failed = judgeExpiry(horizon, 21);
    expect(failed.ok).toBe(false);
    expect(failed.observed).toBe("2 of 2 below 21 days");
    expect(failed.detail).toBe(
      `leaf CN=leaf.test (serial ${pki.certs.leaf!.serial}) notAfter ${pki.certs.leaf!.notAfter}, 14 days left; chain CN=Issuer (serial ${pki.certs.issuer!.serial}) notAfter ${pki.certs.issuer!.notAfter}, 20 days left`,
    );
    expect(judgeExpiry([], 14).ok).toBe(false);
  });
});
