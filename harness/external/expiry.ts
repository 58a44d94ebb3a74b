// The expiry horizon of what an endpoint's trust rests on: the server's leaf, every certificate of
// the chain it sends, the trust anchor that chain ends at (from --trust-bundle) and the client
// issuer the endpoint trusts (--issuer-cert), each with the days left. Outages come from the one
// that expires first, often an anchor nobody watches (linkerd2#9612), so the nearest is reported.
import { X509Certificate } from "node:crypto";
import type { DetailedPeerCertificate } from "node:tls";
import { readCertificates } from "../../fixtures/import-issuer.js";

export type ExpiryRole = "leaf" | "chain" | "trust-anchor" | "issuer";

export interface CertificateExpiry {
  role: ExpiryRole;
  subject: string;
  serial: string;
  /** ISO 8601. */
  notAfter: string;
  /** Whole days from now to notAfter, rounded down (negative: expired). */
  daysLeft: number;
}

export const defaultMinDays = 14;
const dayMs = 86_400_000;

function expiryOf(certificate: X509Certificate, role: ExpiryRole, now: Date): CertificateExpiry {
  const notAfter = new Date(certificate.validTo);
  return {
    role,
    subject: certificate.subject.replace(/\n/g, ", "),
    serial: certificate.serialNumber,
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / dayMs),
  };
}

/** The certificates the server sent, leaf first, as Node links them (a self-signed one links to itself). */
export function peerChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let link: DetailedPeerCertificate | undefined = peer; link?.raw && !seen.has(link.fingerprint256); link = link.issuerCertificate) {
    seen.add(link.fingerprint256);
    chain.push(new X509Certificate(link.raw));
  }
  return chain;
}

/**
 * Every certificate on the horizon: the chain as sent, then the anchors of --trust-bundle that
 * issued its last certificate (unless the server sent that anchor itself), then --issuer-cert.
 */
export async function expiryHorizon(chain: X509Certificate[], inputs: { trustBundle?: string; issuerCert?: string }, now = new Date()): Promise<CertificateExpiry[]> {
  const horizon: CertificateExpiry[] = [];
  const seen = new Set<string>();
  const add = (certificate: X509Certificate, role: ExpiryRole) => {
    if (seen.has(certificate.fingerprint256)) return;
    seen.add(certificate.fingerprint256);
    horizon.push(expiryOf(certificate, role, now));
  };
  chain.forEach((certificate, index) => add(certificate, index === 0 ? "leaf" : "chain"));
  const top = chain.at(-1);
  if (inputs.trustBundle && top) {
    for (const anchor of await readCertificates(inputs.trustBundle, "trust bundle")) if (top.checkIssued(anchor)) add(anchor, "trust-anchor");
  }
  // The client issuer is on the horizon too: when it expires, every client certificate it minted stops working.
  if (inputs.issuerCert) add((await readCertificates(inputs.issuerCert, "issuer certificate"))[0]!, "issuer");
  return horizon;
}

/** The one that expires first. */
export function nearestExpiry(horizon: CertificateExpiry[]): CertificateExpiry | undefined {
  return horizon.reduce<CertificateExpiry | undefined>((nearest, entry) => (!nearest || entry.daysLeft < nearest.daysLeft ? entry : nearest), undefined);
}

export function describeExpiry(entry: CertificateExpiry): string {
  return `${entry.role} ${entry.subject} (serial ${entry.serial}) notAfter ${entry.notAfter}, ${entry.daysLeft} days left`;
}

/** Fails when any certificate on the horizon has fewer than minDays left, naming each. */
export function judgeExpiry(horizon: CertificateExpiry[], minDays: number): { ok: boolean; observed: string; detail: string } {
  const short = horizon.filter((entry) => entry.daysLeft < minDays);
  const nearest = nearestExpiry(horizon);
  if (!nearest) return { ok: false, observed: "no certificate seen", detail: "no server certificate" };
  if (short.length) return { ok: false, observed: `${short.length} of ${horizon.length} below ${minDays} days`, detail: short.map(describeExpiry).join("; ") };
  return { ok: true, observed: `nearest ${nearest.daysLeft} days (${nearest.role})`, detail: horizon.map(describeExpiry).join("; ") };
}
