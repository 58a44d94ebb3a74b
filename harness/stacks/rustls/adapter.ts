// rustls (0.20, with webpki 0.22), the TLS library of Linkerd's proxy, through our peer program
// (tlspeer.rs in this folder), run as a long-lived server or a one-connection client. On the
// process runtime it is built once on the host (program.ts, stacks/common/program-build.ts); on the
// container runtime the rustls image has built the same source (Dockerfile in this folder).
//
// rustls has no revocation checking in 0.20 (webpki 0.22 reads no CRL), so a server config's CRLs
// are not passed on: the revocation rows record what a rustls service owner gets.
import { classifyRustlsText } from "./classify.js";
import type { Runtime } from "../../runtime/types.js";
import { programOn } from "../common/program-build.js";
import { rustlsPeerBuild } from "./program.js";
import { programAdapters, programVersion, type TlsPeerProgram } from "../common/tlspeer-protocol.js";
import { readinessCeilingMs } from "../../runtime/deadlines.js";

export async function rustlsProgram(runtime: Runtime): Promise<TlsPeerProgram> {
  return {
    implementation: "rustls",
    description: "rustls",
    command: await programOn(rustlsPeerBuild, new URL(".", import.meta.url), runtime.name),
    leadingArgs: [],
    classify: classifyRustlsText,
    readyTimeoutMs: readinessCeilingMs,
    startAllowanceMs: 1_000,
  };
}

const adapters = programAdapters("rustls", rustlsProgram, { form: "one-shot", crls: false });
export const rustlsServer = adapters.server;
export const rustlsClient = adapters.client;

/** The crate versions compiled into the peer binary, as the runtime runs it ("rustls 0.20.8 webpki 0.22.0"). */
export const rustlsVersion = async (runtime: Runtime): Promise<string> => programVersion(runtime, await rustlsProgram(runtime));
