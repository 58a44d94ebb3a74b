// An issuer CA made the way users make one: by the openssl CLI (`openssl req -x509 -newkey ec`),
// whose subject is UTF8String-encoded (openssl's default string_mask utf8only). Certificates
// minted from it must carry that subject byte for byte as their issuer (issue 9, RFC 5280 7.1).
import { join } from "node:path";
import { runToCompletion } from "../runtime/process.js";

export class OpensslIssuerError extends Error {}

export interface OpensslIssuer {
  cert: string;
  key: string;
}

/** The commands, as a user would type them (docs/gallery.md quotes them). */
export function opensslIssuerArgs(cert: string, key: string, subject = "/CN=Example Issuer/O=Example Org"): string[] {
  return [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", key, "-out", cert, "-days", "30", "-subj", subject,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ];
}

/** Writes issuer.crt and issuer.key (unencrypted PKCS#8) into `dir` with the openssl CLI. */
export async function makeOpensslIssuer(dir: string, subject?: string): Promise<OpensslIssuer> {
  const cert = join(dir, "openssl-issuer.crt");
  const key = join(dir, "openssl-issuer.key");
  const result = await runToCompletion("openssl", opensslIssuerArgs(cert, key, subject), { timeoutMs: 15_000 });
  if (result.exitCode !== 0) throw new OpensslIssuerError(`failed to make an issuer with openssl req: ${result.timedOut ? "timed out" : result.output.trim()}`);
  return { cert, key };
}
