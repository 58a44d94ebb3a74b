// Python 3's ssl module as a peer (standard library only): tlspeer.py in this folder, run by
// python3 as a long-lived server or a one-connection client, with the Go and Java peers' command
// line and output (stacks/shared/tlspeer-protocol.ts).
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
import { connectProgramClient, serverArgs, startProgramServer, type TlsPeerProgram } from "../shared/tlspeer-protocol.js";
import type { TlsClientAdapter, TlsServerAdapter } from "../types.js";

export class PythonPeerError extends Error {}

function pythonProgram(runtime: Runtime): TlsPeerProgram {
  return {
    implementation: "python",
    description: "Python ssl",
    command: "python3",
    leadingArgs: pythonPeerArgs(runtime.name),
    classify: classifyPythonText,
    readyTimeoutMs: 5_000,
    // The interpreter's start and the ssl import: about 0.1 s idle, more on a loaded machine.
    startAllowanceMs: 2_000,
  };
}

export const pythonServer = (runtime: Runtime): TlsServerAdapter => ({
  name: "python",
  async startServer(config) {
    if (config.sidecar) throw new PythonPeerError("failed to configure the Python server: it is not a protocol-detecting sidecar");
    return startProgramServer(runtime, pythonProgram(runtime), serverArgs(config, { crls: true }), config.endpoint);
  },
});

export const pythonClient = (runtime: Runtime): TlsClientAdapter => ({
  name: "python",
  async connect(target, config, timeoutMs) {
    if (config.alpn?.length) throw new PythonPeerError("failed to configure the Python client: the peer program offers no ALPN");
    const sni = config.serverName ?? undefined;
    const name = config.verifyIp ?? config.verifyName ?? sni;
    if (config.trust && name !== undefined && name !== sni && !(sni === undefined && config.verifyIp !== undefined)) {
      throw new PythonPeerError(`failed to configure the Python client: it cannot verify ${name} while sending SNI ${sni ?? "(none)"}`);
    }
    return connectProgramClient(runtime, pythonProgram(runtime), target, config, timeoutMs);
  },
});

/** The interpreter and the OpenSSL its ssl module links, as the runtime runs them ("python 3.11.2 ssl OpenSSL 3.0.19 27 Jan 2026"). */
export async function pythonVersion(runtime: Runtime): Promise<string> {
  const run = await runtime.runToCompletion("python", "python3", [...pythonPeerArgs(runtime.name), "version"], { timeoutMs: 10_000 });
  const line = run.output.trim().split("\n")[0]?.trim();
  if (run.exitCode !== 0 || !line) throw new PythonPeerError(`failed to read the Python peer's version: ${run.output.trim() || `exit code ${run.exitCode}`}`);
  return line;
}
