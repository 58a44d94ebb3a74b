// Policy modes of a mesh sidecar (docs/architecture.md "Policy modes"): four probes per mode. The TLS server
// behind the protocol-detecting sidecar is the implementation under test.
import { serverName } from "../../fixtures/profiles.js";
import type { PolicyMode } from "../core/observation.js";
import { defineCatalogue, type ClientSetup, type Scenario } from "../core/scenario.js";
import type { Outcome } from "../core/outcome.js";

const probes: Record<string, { title: string; client: ClientSetup }> = {
  plaintext: { title: "plain HTTP", client: { plaintext: true } },
  "tls-no-client-cert": { title: "TLS without a client certificate", client: { trust: "trust-a", serverName } },
  "mtls-valid": { title: "mTLS with a valid client certificate", client: { trust: "trust-a", serverName, cert: "client" } },
  "mtls-untrusted": { title: "mTLS with an untrusted client certificate", client: { trust: "trust-a", serverName, cert: "client-untrusted" } },
  "mtls-expired": { title: "mTLS with an expired client certificate", client: { trust: "trust-a", serverName, cert: "client-expired" } },
};

// One row of the policy-mode table per mode. Our permissive sidecar rejects TLS without a client
// certificate (it does not pass it through as plaintext would be).
const expected: Record<PolicyMode, Record<keyof typeof probes, Outcome>> = {
  strict: { plaintext: "plaintext-refused", "tls-no-client-cert": "rejected:client-cert-required", "mtls-valid": "accepted", "mtls-untrusted": "rejected:unknown-ca", "mtls-expired": "rejected:expired" },
  permissive: { plaintext: "plaintext-accepted", "tls-no-client-cert": "rejected:client-cert-required", "mtls-valid": "accepted", "mtls-untrusted": "rejected:unknown-ca", "mtls-expired": "rejected:expired" },
  // A ClientHello sent to a plaintext app is answered with HTTP, which no TLS client can read.
  disabled: { plaintext: "plaintext-accepted", "tls-no-client-cert": "rejected:protocol-version", "mtls-valid": "rejected:protocol-version", "mtls-untrusted": "rejected:protocol-version", "mtls-expired": "rejected:protocol-version" },
};

export const modeScenarios = defineCatalogue(
  "modes",
  (Object.keys(expected) as PolicyMode[]).flatMap((mode): Scenario[] =>
    Object.entries(probes).map(([probe, { title, client }]) => ({
      id: `modes::${mode}::${probe}`,
      title: `${mode} sidecar, ${title}: ${expected[mode][probe]}`,
      subject: "server",
      server: { cert: "server", clientAuth: "required", clientTrust: "trust-a", sidecarMode: mode },
      client,
      expect: expected[mode][probe]!,
      // Plaintext is refused or routed, and disabled routes everything, before any TLS server.
      ...(probe === "plaintext" || mode === "disabled" ? { detector: true } : {}),
    })),
  ),
);
