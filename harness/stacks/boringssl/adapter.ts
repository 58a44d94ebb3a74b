// BoringSSL as a peer: tlspeer.c in this folder, a threaded server and a one-connection client of
// the peer protocol (docs/peer-protocol.md), built on the host on first use (program.ts) and inside
// the image for the container runtime. The server checks the CRLs it is given.
import { classifyBoringsslText } from "./classify.js";
import type { Runtime } from "../../runtime/types.js";
import { programOn } from "../common/program-build.js";
import { boringsslPeerBuild } from "./program.js";
import { programAdapters, programVersion, type TlsPeerProgram } from "../common/tlspeer-protocol.js";
import { readinessCeilingMs } from "../../runtime/deadlines.js";

export async function boringsslProgram(runtime: Runtime): Promise<TlsPeerProgram> {
  return {
    implementation: "boringssl",
    description: "BoringSSL",
    command: await programOn(boringsslPeerBuild, new URL(".", import.meta.url), runtime.name),
    leadingArgs: [],
    classify: classifyBoringsslText,
    readyTimeoutMs: readinessCeilingMs,
    startAllowanceMs: 1_000,
  };
}

const adapters = programAdapters("boringssl", boringsslProgram, { form: "one-shot", crls: true });
export const boringsslServer = adapters.server;
export const boringsslClient = adapters.client;

/** The library as the runtime runs it ("boringssl api 17 (BoringSSL)"). */
export const boringsslVersion = async (runtime: Runtime): Promise<string> => programVersion(runtime, await boringsslProgram(runtime));
