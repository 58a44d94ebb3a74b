// The PKI of one client run: the catalogue profiles the client rows name (and their issuers),
// with the servers' workload identity set to the one the user expects, and the client identity
// minted from the user's issuer when one is given. Keys come from the fixture cache.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { cachedKeys } from "../../fixtures/fixture-cache.js";
import { FixtureError, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import type { IssuedCert } from "../../fixtures/issue.js";
import { catalogueSpec, foreignTrustDomain, serverIdentity } from "../../fixtures/profiles.js";
import type { CertSpec, PkiSpec } from "../../fixtures/spec.js";
import type { Scenario } from "../core/scenario.js";

/** The client identity's profile name in every row. */
const clientProfile = "client";
const userIssuer = "user-issuer";

/** A workload identity that is not `expected`: the same path in a foreign trust domain. */
export function foreignIdentity(expected: string): string {
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(expected)?.[1] ?? "/ns/default/sa/api";
  const candidate = `spiffe://${foreignTrustDomain}${path}`;
  return candidate === expected ? `spiffe://${foreignTrustDomain}.invalid${path}` : candidate;
}

/** The profiles `rows` name, with every issuer, chain member and key donor they depend on. */
export function clientRunSpec(rows: Scenario[], options: { expectIdentity?: string; userIssuer: boolean }): PkiSpec {
  const byName = new Map(catalogueSpec.certs.map((cert) => [cert.name, cert]));
  const bundles = (catalogueSpec.bundles ?? []).filter((bundle) => rows.some((row) => row.client.trust === bundle.name || row.server.clientTrust === bundle.name));
  const wanted = new Set<string>();
  const want = (name: string) => {
    if (wanted.has(name) || name === "self" || name === userIssuer) return;
    const spec = byName.get(name);
    if (!spec) throw new FixtureError(`failed to build the client run's PKI: unknown profile "${name}"`);
    wanted.add(name);
    for (const dependency of [spec.issuer, spec.keyOf, ...(spec.chain ?? [])]) if (dependency) want(dependency);
  };
  for (const row of rows) {
    for (const name of [row.server.cert, ...Object.values(row.server.sniCerts ?? {}), row.client.cert]) if (name) want(name);
  }
  for (const bundle of bundles) bundle.certs.forEach(want);
  // The command gets the client identity in every row, asked for or not.
  want(clientProfile);
  const identities = options.expectIdentity
    ? new Map([[serverIdentity, options.expectIdentity], [`spiffe://${foreignTrustDomain}/ns/default/sa/api`, foreignIdentity(options.expectIdentity)]])
    : new Map<string, string>();
  const certs = catalogueSpec.certs
    .filter((cert) => wanted.has(cert.name))
    .map((cert): CertSpec => {
      if (cert.name === clientProfile && options.userIssuer) return { ...cert, issuer: userIssuer, chain: [userIssuer] };
      if (!cert.san?.uri) return cert;
      return { ...cert, san: { ...cert.san, uri: cert.san.uri.map((uri) => identities.get(uri) ?? uri) } };
    });
  return { certs, bundles };
}

export async function writeClientRunFixtures(spec: PkiSpec, issuer: IssuedCert | undefined): Promise<FixtureSet> {
  const { keys } = await cachedKeys(spec);
  return writeFixtureSet(spec, new Date(), undefined, issuer ? new Map([[userIssuer, issuer]]) : new Map(), keys);
}

/** Password of the {p12} file (Java's keytool default), documented in docs/client.md. */
export const p12Password = "changeit";

/** The client identity as PKCS#12 (certificate, chain, key), written with the openssl CLI. */
export async function writeClientP12(fixtures: FixtureSet): Promise<string> {
  const files = fixtures.certs[clientProfile]!;
  const path = join(fixtures.dir, `${clientProfile}.p12`);
  try {
    await promisify(execFile)("openssl", ["pkcs12", "-export", "-in", files.fullChain, "-inkey", files.key, "-name", "mtls-conformance-client", "-passout", `pass:${p12Password}`, "-out", path], { timeout: 30_000 });
  } catch (error) {
    const cause = (error as NodeJS.ErrnoException).code === "ENOENT" ? "the openssl command is not installed (apt-get install openssl)" : String((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
    throw new FixtureError(`failed to write the {p12} file: ${cause}`);
  }
  return path;
}

export const clientFiles = (fixtures: FixtureSet) => fixtures.certs[clientProfile]!;
