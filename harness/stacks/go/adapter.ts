// Go's crypto/tls as a peer (Go 1.19, standard library only): tlspeer.go in this folder, run as a
// long-lived server or a one-connection client. On the process runtime it is built once on the host
// (program.ts, stacks/common/program-build.ts); on the container runtime the go image has built the same source
// (Dockerfile in this folder) and the binary is at a fixed path there.
//
// Go 1.19's crypto/tls has no revocation checking (crypto/x509 parses CRLs but Certificate.Verify
// never consults them), so a server config's CRLs are not passed on: the Go server is what a Go
// service owner gets, and the revocation rows record that it accepts a revoked certificate.
//
// The Go server alerts every client-certificate failure as 42 bad_certificate, a missing
// certificate under TLS 1.3 included (Go 1.19 never sends 116 certificate_required, measured), so
// the client only ever sees bad-certificate; the server's own line decides (takeRejection).
import { classifyGoText } from "./classify.js";
import type { Runtime } from "../../runtime/types.js";
import { programOn } from "../common/program-build.js";
import { goPeerBuild } from "./program.js";
import { programAdapters, programVersion, type TlsPeerProgram } from "../common/tlspeer-protocol.js";
import { readinessCeilingMs } from "../../runtime/deadlines.js";

export async function goProgram(runtime: Runtime): Promise<TlsPeerProgram> {
  return {
    implementation: "go",
    description: "Go crypto/tls",
    command: await programOn(goPeerBuild, new URL(".", import.meta.url), runtime.name),
    leadingArgs: [],
    classify: classifyGoText,
    readyTimeoutMs: readinessCeilingMs,
    startAllowanceMs: 1_000,
  };
}

const adapters = programAdapters("go", goProgram, { form: "one-shot", crls: false });
export const goServer = adapters.server;
export const goClient = adapters.client;

/** The Go release compiled into the peer binary, as the runtime runs it ("go crypto/tls go1.19.8 linux/amd64"). */
export const goVersion = async (runtime: Runtime): Promise<string> => programVersion(runtime, await goProgram(runtime));
