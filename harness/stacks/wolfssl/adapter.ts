// wolfSSL as a peer: tlspeer.c in this folder, a forking server and a one-connection client of the
// peer protocol (docs/peer-protocol.md), built on the host on first use (program.ts) and inside the
// image for the container runtime. The server passes its CRLs on: Debian builds wolfSSL with HAVE_CRL.
import { classifyWolfsslText } from "./classify.js";
import type { Runtime } from "../../runtime/types.js";
import { programOn } from "../common/program-build.js";
import { wolfsslPeerBuild } from "./program.js";
import { programAdapters, programVersion, TlsPeerConfigError, type TlsPeerProgram } from "../common/tlspeer-protocol.js";
import { readinessCeilingMs } from "../../runtime/deadlines.js";
import type { TlsClientConfig } from "../../core/observation.js";

export async function wolfsslProgram(runtime: Runtime): Promise<TlsPeerProgram> {
  return {
    implementation: "wolfssl",
    description: "wolfSSL",
    command: await programOn(wolfsslPeerBuild, new URL(".", import.meta.url), runtime.name),
    leadingArgs: [],
    classify: classifyWolfsslText,
    readyTimeoutMs: readinessCeilingMs,
    startAllowanceMs: 1_000,
  };
}

/** The client flags the peer program does not have (stack.ts does not declare them). */
function checkClient(config: TlsClientConfig): void {
  if (config.verifyIp) throw new TlsPeerConfigError("failed to configure the wolfSSL client: the peer program verifies no IP SAN");
  if (config.expectIdentity) throw new TlsPeerConfigError("failed to configure the wolfSSL client: the peer program requires no URI SAN");
}

const adapters = programAdapters("wolfssl", wolfsslProgram, { form: "one-shot", crls: true, checkClient });
export const wolfsslServer = adapters.server;
export const wolfsslClient = adapters.client;

/** The library's version as the runtime runs it ("wolfssl 5.5.4"). */
export const wolfsslVersion = async (runtime: Runtime): Promise<string> => programVersion(runtime, await wolfsslProgram(runtime));
