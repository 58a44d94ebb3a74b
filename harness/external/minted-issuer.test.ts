// Client certificates minted from a user's issuer must be valid for every verifier, including the
// ones that compare names byte for byte (Go's crypto/x509, rustls-webpki): the minted issuer field
// is the issuer's subject as its own DER has it. Proven for issuers made by the openssl CLI
// (UTF8String names), by mkcert (PrintableString and UTF8String mixed) and by the project, with
// `openssl verify` and with a strict Go crypto/tls server probed through `mtls-conformance run`.
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { importIssuer } from "../../fixtures/import-issuer.js";
import { catalogueSpec, serverName } from "../../fixtures/profiles.js";
import { missingImplementations, missingTools, skipEachWithout } from "../host/context.js";
import { allocateEndpoint, formatEndpoint } from "../core/network.js";
import { goServer } from "../stacks/go/adapter.js";
import type { RunningServer } from "../stacks/types.js";
import { processRuntime } from "../runtime/process.js";

const run = promisify(execFile);
const command = join(import.meta.dirname, "..", "bin", "mtls-conformance.mjs");

let fixtures: FixtureSet;
const issuers: Record<string, { cert: string; key: string } | undefined> = {};

beforeAll(async () => {
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  const dir = join(fixtures.dir, "user-issuers");
  await mkdir(join(dir, "mkcert"), { recursive: true });
  issuers.project = { cert: fixtures.certs["issuer-a"]!.cert, key: fixtures.certs["issuer-a"]!.key };
  if (missingTools("openssl")) return;
  // The openssl CLI writes every name as UTF8String (string_mask utf8only), O and OU included.
  await run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(dir, "openssl-ca.key"), "-out", join(dir, "openssl-ca.pem"), "-days", "30",
    "-subj", "/O=Example Mesh/OU=Platform/CN=Example Mesh Issuing CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  issuers.openssl = { cert: join(dir, "openssl-ca.pem"), key: join(dir, "openssl-ca.key") };
  if (!missingTools("mkcert")) {
    // mkcert's CA as a developer gets it (Go encodes O as PrintableString, OU and CN as UTF8String); no trust store is touched.
    await run("mkcert", ["-install"], { env: { ...process.env, CAROOT: join(dir, "mkcert"), TRUST_STORES: "none" } });
    issuers.mkcert = { cert: join(dir, "mkcert", "rootCA.pem"), key: join(dir, "mkcert", "rootCA-key.pem") };
  }
}, 60_000);

afterAll(async () => {
  if (fixtures) await removeFixtureSet(fixtures);
});

/** The DER of a certificate's issuer and subject Names, cut from the certificate's own bytes at the offsets openssl asn1parse reports. */
async function namesDer(pem: string): Promise<{ subject: string; issuer: string }> {
  const { stdout } = await run("openssl", ["asn1parse", "-in", pem], { maxBuffer: 1 << 20 });
  const der = Buffer.from(new X509Certificate(await readFile(pem)).raw);
  // Inside tbsCertificate (depth 2) the SEQUENCEs are: signature algorithm, issuer, validity, subject, subjectPublicKeyInfo.
  const sequences = [...stdout.matchAll(/^\s*(\d+):d=2\s+hl=(\d+) l=\s*(\d+) cons: SEQUENCE/gm)].map((match) => der.subarray(Number(match[1]), Number(match[1]) + Number(match[2]) + Number(match[3])).toString("hex"));
  return { issuer: sequences[1]!, subject: sequences[3]! };
}

const sources = ["openssl", "mkcert", "project"] as const;
/** The tool that makes the issuer (the project needs none), skipped with the reason when it is missing. */
function issuerCase(source: (typeof sources)[number]): (context: { skip: (note?: string) => never }) => void {
  return ({ skip }) => {
    const reason = source === "project" ? undefined : missingTools(source);
    if (reason) skip(reason);
  };
}

describe("minted client certificates carry the issuer's name byte for byte", () => {
  // Read back and verified with the openssl CLI.
  skipEachWithout("openssl");
  for (const source of sources) it(`an issuer made by ${source}`, async (context) => {
    issuerCase(source)(context);
    const issuerFiles = issuers[source]!;
    const { issuer } = await importIssuer(issuerFiles.cert, issuerFiles.key);
    const minted = await writeFixtureSet(
      { certs: [{ name: "leaf", issuer: "user-issuer", subject: { commonName: "minted" }, eku: ["clientAuth"], san: { uri: ["spiffe://cluster.local/ns/a/sa/b"] } }] },
      new Date(),
      undefined,
      new Map([["user-issuer", issuer]]),
    );
    try {
      const leaf = minted.certs.leaf!.cert;
      expect((await namesDer(leaf)).issuer).toBe((await namesDer(issuerFiles.cert)).subject);
      const { stdout } = await run("openssl", ["verify", "-partial_chain", "-CAfile", issuerFiles.cert, "-purpose", "sslclient", leaf]);
      expect(stdout).toContain(": OK");
    } finally {
      await removeFixtureSet(minted);
    }
  });
});

describe("a strict Go crypto/tls server serves the valid certificate minted from each issuer", () => {
  const withoutGo = missingImplementations("go");
  beforeEach(({ skip }) => {
    if (withoutGo) skip(withoutGo);
  });
  for (const source of sources) it(`an issuer made by ${source}: mtls-conformance run exits 0, client-cert::valid served`, async (context) => {
    issuerCase(source)(context);
    const issuerFiles = issuers[source]!;
    const endpoint = await allocateEndpoint();
    const server = fixtures.certs.server!;
    let running: RunningServer | undefined;
    try {
      running = await goServer(processRuntime).startServer({
        endpoint,
        identity: { cert: server.cert, chain: server.chain, key: server.key },
        clientAuth: "required",
        clientTrust: issuerFiles.cert,
        crls: [],
        sniIdentities: {},
      });
      const result = await run(process.execPath, [command, "run", "--target", formatEndpoint(endpoint), "--server-name", serverName, "--expect-mode", "strict", "--issuer-cert", issuerFiles.cert, "--issuer-key", issuerFiles.key, "--json", join(fixtures.dir, `go-${source}.json`)], { timeout: 60_000 }).catch((error: { code?: number; stdout?: string; stderr?: string }) => ({ ...error, failed: true }));
      const report = JSON.parse(await readFile(join(fixtures.dir, `go-${source}.json`), "utf8")) as { exitCode: number; checks: Array<{ id: string; classification?: string; detail: string }> };
      const valid = report.checks.find((check) => check.id === "client-cert::valid")!;
      expect(valid.classification, valid.detail).toBe("served");
      expect(report.exitCode, JSON.stringify(result)).toBe(0);
    } finally {
      await running?.stop();
    }
  }, 90_000);
});
