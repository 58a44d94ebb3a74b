import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { skipEachWithout } from "../../host/context.js";
import { allocateLoopbackHost } from "../../core/network.js";
import { ensureProgram } from "../common/program-build.js";
import { pinHostBuild } from "./program.js";

const folder = new URL(".", import.meta.url);

// A child node that resolves a name with getaddrinfo (dns.lookup) and prints what it got; nothing
// is dialled. It refuses to resolve unless the shim is mapped into it.
const lookupUnderShim = `
const [shim, name] = process.argv.slice(1);
if (!require("node:fs").readFileSync("/proc/self/maps", "utf8").includes(shim)) { console.log("shim not loaded"); process.exit(3); }
require("node:dns").lookup(name, { family: 4 }, (error, address) => console.log(error ? "error " + error.code : "resolved " + address));
`;

async function lookupWithShim(name: string, pin: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const shim = await ensureProgram(pinHostBuild, folder);
  const run = await execa(process.execPath, ["-e", lookupUnderShim, shim, name], { env: { LD_PRELOAD: shim, ...pin }, extendEnv: false, reject: false, timeout: 10_000 });
  return { stdout: String(run.stdout).trim(), stderr: String(run.stderr).trim() };
}

describe("pin-host shim (host build for botan tls_client on the process runtime)", () => {
  skipEachWithout("c-compiler");
  it("resolves the pinned name to the pinned loopback address and announces it", async () => {
    const host = await allocateLoopbackHost();
    const { stdout, stderr } = await lookupWithShim("api.mesh.test", { MTLS_PIN_NAME: "api.mesh.test", MTLS_PIN_ADDRESS: host });
    expect(stdout).toBe(`resolved ${host}`);
    expect(stderr).toBe(`pin-host: api.mesh.test -> ${host}`);
  });

  it("refuses a pinned address outside 127.0.0.0/8", async () => {
    const { stdout, stderr } = await lookupWithShim("api.mesh.test", { MTLS_PIN_NAME: "api.mesh.test", MTLS_PIN_ADDRESS: "192.0.2.1" });
    expect(stdout).toBe("error ENOTFOUND");
    expect(stderr).toBe("");
  });

  it("leaves other names to the real resolver", async () => {
    const { stdout, stderr } = await lookupWithShim("127.0.0.1", { MTLS_PIN_NAME: "api.mesh.test", MTLS_PIN_ADDRESS: "127.0.0.2" });
    expect(stdout).toBe("resolved 127.0.0.1");
    expect(stderr).toBe("");
  });
});
