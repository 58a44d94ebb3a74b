// The baseline a mesh doc would use: the same PKI spec made with the openssl CLI, one process per
// step (genpkey, req, x509 -req), as a shell script. Differences, all in the baseline's favour:
// openssl 3.0's `x509 -req` takes only -days, so validity offsets are not reproduced, and CRLs
// (which need an `openssl ca` database) are left out.
import type { CertSpec, KeySpec, PkiSpec } from "../../fixtures/spec.js";
import { defaultKey } from "../../fixtures/spec.js";

function genpkey(spec: KeySpec, out: string): string {
  switch (spec.alg) {
    case "rsa":
      return `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:${spec.bits} -out ${out} 2>/dev/null`;
    case "ecdsa":
      return `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:${spec.curve} -out ${out}`;
    case "ed25519":
      return `openssl genpkey -algorithm ED25519 -out ${out}`;
  }
}

function extensions(cert: CertSpec): string {
  const lines = [cert.ca ? `basicConstraints=critical,CA:TRUE${cert.ca.pathLength !== undefined ? `,pathlen:${cert.ca.pathLength}` : ""}` : "basicConstraints=critical,CA:FALSE"];
  lines.push(cert.ca ? "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" : "keyUsage=critical,digitalSignature");
  if (cert.eku?.length) lines.push(`extendedKeyUsage=${cert.eku.join(",")}`);
  const names = [...(cert.san?.dns ?? []).map((n) => `DNS:${n}`), ...(cert.san?.ip ?? []).map((n) => `IP:${n}`), ...(cert.san?.uri ?? []).map((n) => `URI:${n}`)];
  if (names.length) lines.push(`subjectAltName=${names.join(",")}`);
  lines.push("subjectKeyIdentifier=hash");
  return lines.join("\n");
}

/** A bash script that issues every certificate of `spec` into the current directory. */
export function opensslPkiScript(spec: PkiSpec): string {
  const lines = ["set -euo pipefail"];
  for (const cert of spec.certs) {
    const key = cert.keyOf ? `${cert.keyOf}.key` : `${cert.name}.key`;
    if (!cert.keyOf) lines.push(genpkey(cert.key ?? defaultKey, key));
    // The extension file is written by the shell itself (a heredoc), not by a process.
    lines.push(`cat > ${cert.name}.ext <<'EXT'\n${extensions(cert)}\nEXT`);
    const subject = `/CN=${cert.subject.commonName}`;
    if (cert.issuer === "self") {
      lines.push(`openssl req -x509 -new -key ${key} -subj '${subject}' -days 30 -extensions v3 -config <(printf '[req]\\ndistinguished_name=dn\\n[dn]\\n[v3]\\n'; cat ${cert.name}.ext) -out ${cert.name}.crt`);
    } else {
      lines.push(`openssl req -new -key ${key} -subj '${subject}' -out ${cert.name}.csr`);
      lines.push(`openssl x509 -req -in ${cert.name}.csr -CA ${cert.issuer}.crt -CAkey ${cert.issuer}.key -set_serial ${spec.certs.indexOf(cert) + 1} -days 30 -extfile ${cert.name}.ext -out ${cert.name}.crt 2>/dev/null`);
    }
  }
  return lines.join("\n") + "\n";
}

/** How many openssl processes the script starts. */
export function opensslProcessCount(spec: PkiSpec): number {
  return spec.certs.reduce((count, cert) => count + (cert.keyOf ? 0 : 1) + (cert.issuer === "self" ? 1 : 2), 0);
}
