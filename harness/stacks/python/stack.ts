// Python 3's ssl module through our peer program (tlspeer.py, standard library only): the stack
// most service clients and agents are written with. Nothing to build: Debian's /usr/bin/python3 runs the file in
// this folder on the host and the image's copy in the container.
import type { StackDefinition } from "../types.js";
import { debianPython, pythonClient, pythonProgram, pythonServer, pythonVersion } from "./adapter.js";
import { pythonPeerSource } from "./program.js";

export const python: StackDefinition = {
  name: "python",
  folder: new URL(".", import.meta.url),
  roles: { server: pythonServer, client: pythonClient },
  runtimes: ["process", "container"],
  debianPackages: ["python3"],
  programs: [debianPython],
  version: pythonVersion,
  image: { dockerfile: "Dockerfile", inputs: [pythonPeerSource] },
  service: async (runtime) => pythonProgram(runtime),
  can: [
    // in either role it plays
    "tls1.3",
    // as a server
    "serve-several-sni-names", "authorize-client-identity", "reload-identity", "add-crl", "resume-session-id",
    // as a client
    "require-uri-san", "verify-ip-san", "present-client-certificate",
  ],
  cannot: {
    "verify-name-other-than-sni":
      "Python's ssl checks the name it sends as SNI: SSLContext.wrap_socket's server_hostname sets both, and ssl.match_hostname, the only other name check, is deprecated since 3.7 and removed in 3.12",
  },
  // Our peer program's gaps, not the stack's limits: skipped as peer-not-yet.
  notYet: {
    alpn: "the Python peer program offers no ALPN (the shared tlspeer command line carries none)",
    "reload-trust": "the Python peer program loads its CA file once per server (changing its SSLContext while keeping its sessions is not implemented)",
  },
  deviations: {
    "identity::san::cn-only": { outcome: "accepted", reason: "Python's ssl falls back to the subject CN when the certificate has no subjectAltName: SSLContext.hostname_checks_common_name defaults to True (measured with 3.11)", reference: "RFC 9525 section 6.3; Python docs, ssl.SSLContext.hostname_checks_common_name (https://docs.python.org/3/library/ssl.html#ssl.SSLContext.hostname_checks_common_name)" },
  },
};
