// Go's crypto/tls as a peer (Go 1.19, standard library only): harness/peers/go/tlspeer.go, built
// once by build-peers.ts, run as a long-lived server or a one-connection client.
//
// Go 1.19's crypto/tls has no revocation checking (crypto/x509 parses CRLs but Certificate.Verify
// never consults them), so a server config's CRLs are not passed on: the Go server is what a Go
// service owner gets, and the revocation rows record that it accepts a revoked certificate.
//
// The Go server alerts every client-certificate failure as 42 bad_certificate, a missing
// certificate under TLS 1.3 included (Go 1.19 never sends 116 certificate_required, measured), so
// the client only ever sees bad-certificate; the server's own line decides (takeRejection).
import { classifyGoText } from "../outcome.js";
import type { Runtime } from "../runtime/types.js";
import { ensureGoPeer } from "./build-peers.js";
import { connectProgramClient, serverArgs, startProgramServer, type TlsPeerProgram } from "./tlspeer-protocol.js";
import type { TlsClientAdapter, TlsServerAdapter } from "./types.js";

export class GoPeerError extends Error {}

async function goProgram(): Promise<TlsPeerProgram> {
  return {
    implementation: "go",
    description: "Go crypto/tls",
    command: await ensureGoPeer(),
    leadingArgs: [],
    classify: classifyGoText,
    readyTimeoutMs: 5_000,
    startAllowanceMs: 1_000,
  };
}

export const goServer = (runtime: Runtime): TlsServerAdapter => ({
  name: "go",
  async startServer(config) {
    if (config.sidecar) throw new GoPeerError("failed to configure the Go server: it is not a protocol-detecting sidecar");
    return startProgramServer(runtime, await goProgram(), serverArgs(config, { crls: false }), config.endpoint);
  },
});

export const goClient = (runtime: Runtime): TlsClientAdapter => ({
  name: "go",
  async connect(target, config, timeoutMs) {
    if (config.alpn?.length) throw new GoPeerError("failed to configure the Go client: the peer program offers no ALPN");
    return connectProgramClient(runtime, await goProgram(), target, config, timeoutMs);
  },
});
