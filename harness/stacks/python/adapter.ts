// Python 3's ssl module as a peer (standard library only): tlspeer.py in this folder, with the Go
// and Java peers' command line and output (stacks/common/tlspeer-protocol.ts). Its servers and
// clients all run in one long-lived interpreter per run and runtime (`tlspeer.py service`,
// stacks/common/peer-service.ts): an interpreter start and the ssl import were most of a case.
//
// Python's ssl wraps OpenSSL, so the server's alerts are OpenSSL's (an expired client certificate
// is 45 certificate_expired, a missing one under TLS 1.3 is 116 certificate_required) and its own
// line names the X509 verify error. CRLs are honoured (VERIFY_CRL_CHECK_LEAF, see tlspeer.py).
//
// SSLContext.wrap_socket's server_hostname is both the SNI sent and the name checked
// (check_hostname), and the stdlib has no other name check since ssl.match_hostname was deprecated
// (3.7) and removed (3.12): a name other than the SNI cannot be insisted on (stack.ts `cannot`).
import { classifyPythonText } from "./classify.js";
import type { Runtime } from "../../runtime/types.js";
import { pythonPeerArgs } from "./program.js";
import { programAdapters, programVersion, TlsPeerConfigError, type TlsPeerProgram } from "../common/tlspeer-protocol.js";
import type { TlsClientConfig } from "../../core/observation.js";
import { readinessCeilingMs } from "../../runtime/deadlines.js";

/** The interpreter Debian's python3 package installs, on the host and in the image. */
export const debianPython = "/usr/bin/python3";

export function pythonProgram(runtime: Runtime): TlsPeerProgram {
  return {
    implementation: "python",
    description: "Python ssl",
    // Debian's python3, also on a host where another python3 comes first on PATH (pyenv): the
    // build decides defaults such as the client's minimum TLS version (scenarios/protocol.ts), so
    // the host and the image run the same Python.
    command: debianPython,
    leadingArgs: pythonPeerArgs(runtime.name),
    classify: classifyPythonText,
    readyTimeoutMs: readinessCeilingMs,
    // The interpreter's start and the ssl import: about 0.1 s idle, more on a loaded machine.
    startAllowanceMs: 2_000,
  };
}

/** server_hostname is the SNI and the checked name at once (stack.ts `cannot`). */
function checkOneName(config: TlsClientConfig): void {
  const sni = config.serverName ?? undefined;
  const name = config.verifyIp ?? config.verifyName ?? sni;
  if (config.trust && name !== undefined && name !== sni && !(sni === undefined && config.verifyIp !== undefined)) {
    throw new TlsPeerConfigError(`failed to configure the Python client: it cannot verify ${name} while sending SNI ${sni ?? "(none)"}`);
  }
}

const adapters = programAdapters("python", pythonProgram, { form: "service", crls: true, checkClient: checkOneName });
export const pythonServer = adapters.server;
export const pythonClient = adapters.client;

/** The interpreter and the OpenSSL its ssl module links, as the runtime runs them ("python 3.11.2 ssl OpenSSL 3.0.19 27 Jan 2026"). */
export const pythonVersion = (runtime: Runtime): Promise<string> => programVersion(runtime, pythonProgram(runtime));
