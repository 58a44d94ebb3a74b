// One PKI generation, in its own process so its peak memory is its own. Prints {"ms": N}.
import forge from "node-forge";
import { cachedFixtureSet } from "../../fixtures/fixture-cache.js";
import { removeFixtureSet, writeFixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec } from "../../fixtures/profiles.js";

/** The node-forge baseline: as many RSA-2048 certificates as the catalogue has, root-signed, SHA-256. */
function forgeCatalogue(count: number): void {
  const rootKeys = forge.pki.rsa.generateKeyPair(2048);
  const root = forge.pki.createCertificate();
  root.publicKey = rootKeys.publicKey;
  root.serialNumber = "01";
  root.validity.notBefore = new Date();
  root.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
  root.setSubject([{ name: "commonName", value: "forge root" }]);
  root.setIssuer(root.subject.attributes);
  root.setExtensions([{ name: "basicConstraints", cA: true }]);
  // node-forge signs with SHA-1 unless told otherwise.
  root.sign(rootKeys.privateKey, forge.md.sha256.create());
  for (let index = 1; index < count; index++) {
    const keys = forge.pki.rsa.generateKeyPair(2048);
    const leaf = forge.pki.createCertificate();
    leaf.publicKey = keys.publicKey;
    leaf.serialNumber = (index + 1).toString(16).padStart(2, "0");
    leaf.validity.notBefore = new Date();
    leaf.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
    leaf.setSubject([{ name: "commonName", value: `leaf ${index}` }]);
    leaf.setIssuer(root.subject.attributes);
    leaf.setExtensions([{ name: "subjectAltName", altNames: [{ type: 2, value: `leaf${index}.mesh.test` }] }]);
    leaf.sign(rootKeys.privateKey, forge.md.sha256.create());
    forge.pki.certificateToPem(leaf);
    forge.pki.privateKeyToPem(keys.privateKey);
  }
}

const mode = process.argv[2];
// Issuing and writing are timed; removing the dir afterwards is not (nor is the openssl
// baseline's: bench/run.ts removes its dir outside the measurement).
const started = performance.now();
let written: { dir: string } | undefined;
if (mode === "cold") {
  written = await writeFixtureSet(catalogueSpec, new Date());
} else if (mode === "cached") {
  const set = await cachedFixtureSet(catalogueSpec, new Date(), { cacheDir: process.argv[3] });
  if (!set.keysFromCache) throw new Error("failed to time the cached path: the cache was cold");
  written = set;
} else if (mode === "warm-cache") {
  written = await cachedFixtureSet(catalogueSpec, new Date(), { cacheDir: process.argv[3] });
} else if (mode === "forge") {
  forgeCatalogue(catalogueSpec.certs.length);
} else {
  throw new Error(`unknown mode ${mode}`);
}
const ms = performance.now() - started;
if (written) await removeFixtureSet(written);
process.stdout.write(JSON.stringify({ ms }) + "\n");
