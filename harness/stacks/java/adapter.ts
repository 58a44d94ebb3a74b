// Java's JSSE as a peer (OpenJDK 17, JDK only): TlsPeer.java in this folder. Its servers and
// clients all run in one long-lived JVM per run and runtime (`TlsPeer service`,
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
import { programAdapters, TlsPeerConfigError, type TlsPeerProgram } from "../common/tlspeer-protocol.js";
import type { TlsClientConfig } from "../../core/observation.js";
import { readinessCeilingMs } from "../../runtime/deadlines.js";

// The service JVM runs a few dozen servers and connections: C1 only and the serial collector
// halved a one-shot client run (0.95 s -> 0.55 s measured, OpenJDK 17 on 2 cores), and the JIT's
// later tiers do not pay off at that length.
const jvmArgs = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xss512k"];

export async function javaProgram(runtime: Runtime): Promise<TlsPeerProgram> {
  return {
    implementation: "java",
    description: "Java JSSE",
    command: "java",
    leadingArgs: [...jvmArgs, "-cp", await programOn(javaPeerBuild, new URL(".", import.meta.url), runtime.name), "TlsPeer"],
    classify: classifyJavaText,
    readyTimeoutMs: readinessCeilingMs,
    startAllowanceMs: 3_000,
  };
}

/**
 * HTTPS endpoint identification checks the SNI name first and falls back to the peer host only
 * when that fails (X509TrustManagerImpl.checkAdditionalTrust), so it cannot insist on a name other
 * than the one sent.
 */
function checkNameIsSni(config: TlsClientConfig): void {
  if (config.trust && config.serverName && config.verifyName && config.verifyName !== config.serverName) {
    throw new TlsPeerConfigError(`failed to configure the Java client: it cannot verify ${config.verifyName} while sending SNI ${config.serverName}`);
  }
}

const adapters = programAdapters("java", javaProgram, { form: "service", crls: true, checkClient: checkNameIsSni });
export const javaServer = adapters.server;
export const javaClient = adapters.client;
