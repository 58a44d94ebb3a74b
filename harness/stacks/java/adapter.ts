// Java's JSSE as a peer (OpenJDK 17, JDK only): TlsPeer.java in this folder. Its servers and
// clients all run in one long-lived JVM per test file and runtime (`TlsPeer service`,
// stacks/common/peer-service.ts): a JVM start was most of each Java case. On the process runtime it
// is compiled once on the host (program.ts, stacks/common/program-build.ts); on the container runtime the java image has
// compiled the same source (Dockerfile in this folder) and runs it on a JRE.
//
// The JSSE server alerts a client certificate whose path does not validate (expired, untrusted,
// wrong EKU, revoked) as 46 certificate_unknown and a missing one under TLS 1.3 as 42
// bad_certificate (measured), so the client sees bad-certificate; the server's own line decides
// (takeRejection). The JSSE client, like Go's, sends its certificate only when the server's
// certificate_authorities list names its issuer (SunX509 key manager); otherwise it sends none.
import { classifyJavaText } from "./classify.js";
import type { Runtime } from "../../runtime/types.js";
import { programOn } from "../common/program-build.js";
import { javaPeerBuild } from "./program.js";
import { connectThroughService, serverArgs, startThroughService, type TlsPeerProgram } from "../common/tlspeer-protocol.js";
import type { TlsClientAdapter, TlsServerAdapter } from "../types.js";

export class JavaPeerError extends Error {}

// The service JVM runs a few dozen servers and connections: C1 only and the serial collector
// halved a one-shot client run (0.95 s -> 0.55 s measured, OpenJDK 17 on 2 cores), and the JIT's
// later tiers do not pay off at that length.
const jvmArgs = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xss512k"];

async function javaProgram(runtime: Runtime): Promise<TlsPeerProgram> {
  return {
    implementation: "java",
    description: "Java JSSE",
    command: "java",
    leadingArgs: [...jvmArgs, "-cp", await programOn(javaPeerBuild, new URL(".", import.meta.url), runtime.name), "TlsPeer"],
    classify: classifyJavaText,
    readyTimeoutMs: 10_000,
    startAllowanceMs: 3_000,
  };
}

export const javaServer = (runtime: Runtime): TlsServerAdapter => ({
  name: "java",
  async startServer(config) {
    if (config.sidecar) throw new JavaPeerError("failed to configure the Java server: it is not a protocol-detecting sidecar");
    return startThroughService(runtime, await javaProgram(runtime), serverArgs(config, { crls: true }), config.endpoint);
  },
});

export const javaClient = (runtime: Runtime): TlsClientAdapter => ({
  name: "java",
  async connect(target, config, timeoutMs) {
    if (config.alpn?.length) throw new JavaPeerError("failed to configure the Java client: the peer program offers no ALPN");
    // HTTPS endpoint identification checks the SNI name first and falls back to the peer host only
    // when that fails (X509TrustManagerImpl.checkAdditionalTrust), so it cannot insist on a name
    // other than the one sent.
    if (config.trust && config.serverName && config.verifyName && config.verifyName !== config.serverName) {
      throw new JavaPeerError(`failed to configure the Java client: it cannot verify ${config.verifyName} while sending SNI ${config.serverName}`);
    }
    return connectThroughService(runtime, await javaProgram(runtime), target, config, timeoutMs);
  },
});
