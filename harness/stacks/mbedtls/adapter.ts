// mbedTLS as a peer: tlspeer.c in this folder, a forking server and a one-connection client of the
// peer protocol (docs/peer-protocol.md), built on the host on first use (program.ts) and inside the
// image for the container runtime. The server checks its CRLs (mbedtls_ssl_conf_ca_chain).
import { classifyMbedtlsText } from "./classify.js";
import type { Runtime } from "../../runtime/types.js";
import { programOn } from "../common/program-build.js";
import { mbedtlsPeerBuild } from "./program.js";
import { programAdapters, programVersion, TlsPeerConfigError, type TlsPeerProgram } from "../common/tlspeer-protocol.js";
import { readinessCeilingMs } from "../../runtime/deadlines.js";
import type { TlsClientConfig } from "../../core/observation.js";

export async function mbedtlsProgram(runtime: Runtime): Promise<TlsPeerProgram> {
  return {
    implementation: "mbedtls",
    description: "mbedTLS",
    command: await programOn(mbedtlsPeerBuild, new URL(".", import.meta.url), runtime.name),
    leadingArgs: [],
    classify: classifyMbedtlsText,
    readyTimeoutMs: readinessCeilingMs,
    startAllowanceMs: 1_000,
  };
}

/** The client settings mbedTLS 2.28 or the peer program cannot express (stack.ts does not declare them). */
function checkClient(config: TlsClientConfig): void {
  if (config.verifyIp) throw new TlsPeerConfigError("failed to configure the mbedTLS client: mbedTLS 2.28 verifies no IP SAN");
  if (config.verifyName && config.verifyName !== config.serverName) throw new TlsPeerConfigError("failed to configure the mbedTLS client: it checks the SNI name it sends, not another");
}

const adapters = programAdapters("mbedtls", mbedtlsProgram, { form: "one-shot", crls: true, checkClient });
export const mbedtlsServer = adapters.server;
export const mbedtlsClient = adapters.client;

/** The library's version as the runtime runs it ("mbedtls 2.28.3"). */
export const mbedtlsVersion = async (runtime: Runtime): Promise<string> => programVersion(runtime, await mbedtlsProgram(runtime));
