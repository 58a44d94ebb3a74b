// A strict mTLS endpoint as users stand one up by hand: `openssl s_server` with the fixture PKI's
// server leaf and chain, requiring a client certificate that verifies against trust bundle A.
// The command's own tests (package, metrics, GitHub Action) probe it on loopback.
import type { FixtureSet } from "../../fixtures/fixture-set.js";
import { allocateEndpoint, formatEndpoint } from "../core/network.js";
import { startProcess } from "../runtime/process.js";
import type { ManagedProcess } from "../runtime/types.js";

export async function startStrictSServer(fixtures: FixtureSet): Promise<{ target: string; server: ManagedProcess }> {
  const target = formatEndpoint(await allocateEndpoint());
  const leaf = fixtures.certs.server!;
  const server = await startProcess(
    "openssl",
    ["s_server", "-accept", target, "-cert", leaf.cert, "-cert_chain", leaf.chain, "-key", leaf.key, "-www", "-CAfile", fixtures.bundles["trust-a"]!, "-Verify", "10", "-verify_return_error"],
    { ready: /^ACCEPT$/m, readyTimeoutMs: 10_000, description: "strict s_server" },
  );
  return { target, server };
}
