import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { skipEachWithout } from "../../host/context.js";
import { allocateLoopbackHost } from "../../core/network.js";
import { ensureProgram, programOn } from "../common/program-build.js";
import { loopbackBindBuild } from "./program.js";

const folder = new URL(".", import.meta.url);
const ensureLoopbackBindShim = () => ensureProgram(loopbackBindBuild, folder);

// A child node that binds `host` under the shim. It refuses to bind at all unless the shim is
// mapped into it, so a shim that failed to load can never make this test listen on a wildcard.
const bindUnderShim = `
const [shim, host] = process.argv.slice(1);
if (!require("node:fs").readFileSync("/proc/self/maps", "utf8").includes(shim)) { console.log("shim not loaded"); process.exit(3); }
const server = require("node:net").createServer();
server.on("error", (error) => console.log("error " + error.code));
server.listen(0, host, () => { console.log("bound " + server.address().address); server.close(); });
`;

async function bindWithShim(host: string, bindHost: string | undefined): Promise<{ stdout: string; stderr: string }> {
  const shim = await ensureLoopbackBindShim();
  const env: Record<string, string> = { LD_PRELOAD: shim, ...(bindHost === undefined ? {} : { MTLS_BIND_HOST: bindHost }) };
  const run = await execa(process.execPath, ["-e", bindUnderShim, shim, host], { env, extendEnv: false, reject: false, timeout: 10_000 });
  return { stdout: String(run.stdout).trim(), stderr: String(run.stderr).trim() };
}

describe("loopback-bind shim (host build for gnutls-serv on the process runtime)", () => {
  skipEachWithout("c-compiler");
  it("is built once and found by runtime: the host build, or the image's fixed path", async () => {
    const shim = await ensureLoopbackBindShim();
    expect(await ensureLoopbackBindShim()).toBe(shim);
    expect(await programOn(loopbackBindBuild, folder, "process")).toBe(shim);
    expect(await programOn(loopbackBindBuild, folder, "container")).toBe(loopbackBindBuild.inContainer);
  });

  it("rebinds 0.0.0.0 to MTLS_BIND_HOST and announces it", async () => {
    const host = await allocateLoopbackHost();
    const { stdout, stderr } = await bindWithShim("0.0.0.0", host);
    expect(stdout).toBe(`bound ${host}`);
    expect(stderr).toMatch(new RegExp(`^loopback-bind: 0\\.0\\.0\\.0:(\\d+) -> ${host.replaceAll(".", "\\.")}:\\1$`));
  });

  it.each<[host: string, bindHost: string | undefined, why: string]>([
    ["0.0.0.0", "10.0.0.1", "MTLS_BIND_HOST outside 127.0.0.0/8"],
    ["0.0.0.0", undefined, "no MTLS_BIND_HOST"],
    ["::", "127.0.0.1", "the IPv6 wildcard"],
  ])("refuses %s with MTLS_BIND_HOST=%s (%s)", async (host, bindHost) => {
    const { stdout, stderr } = await bindWithShim(host, bindHost);
    expect(stdout).toBe("error EADDRNOTAVAIL");
    expect(stderr).toBe("");
  });
});
