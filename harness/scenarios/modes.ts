// Policy modes of a mesh sidecar (docs/architecture.md "Policy modes" and "Protocol detection"):
// four probes per mode, a per-port mode, and the detection edge cases. The protocol detector is
// the implementation under test where it decides alone (detector rows: the reference sidecar,
// nginx's ssl_preread, haproxy's req.ssl_hello_type); elsewhere the TLS server behind it is.
import { serverName } from "../../fixtures/profiles.js";
import type { PolicyMode } from "../core/observation.js";
import { defineCatalogue, type ClientSetup, type Deviation, type Scenario, type ServerSetup } from "../core/scenario.js";
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

const server = (mode: PolicyMode, more: Partial<ServerSetup> = {}): ServerSetup => ({ cert: "server", clientAuth: "required", clientTrust: "trust-a", sidecarMode: mode, ...more });

const policyRows = (Object.keys(expected) as PolicyMode[]).flatMap((mode): Scenario[] =>
  Object.entries(probes).map(([probe, { title, client }]) => ({
    id: `modes::${mode}::${probe}`,
    title: `${mode} sidecar, ${title}: ${expected[mode][probe]}`,
    subject: "server",
    server: server(mode),
    client,
    expect: expected[mode][probe]!,
    // Plaintext is refused or routed, and disabled routes everything, before any TLS server.
    ...(probe === "plaintext" || mode === "disabled" ? { detector: true } : {}),
  })),
);

// Istio's portLevelMtls: one listener strict, one permissive, in front of the same app. Each
// listener keeps its own mode whichever way it is probed.
const perPortRows: Scenario[] = (["strict", "permissive"] as const).flatMap((mode): Scenario[] => {
  const other: PolicyMode = mode === "strict" ? "permissive" : "strict";
  return (["plaintext", "mtls-valid"] as const).map((probe) => ({
    id: `modes::per-port::${mode}-port::${probe}`,
    title: `a ${mode} port beside a ${other} one for the same app, ${probes[probe]!.title}: ${expected[mode][probe]}`,
    subject: "server",
    server: server(mode, { sidecarOtherPort: other }),
    client: probes[probe]!.client,
    expect: expected[mode][probe]!,
    detector: true,
  }));
});

// The test configs give the detectors a 1 s timeout (stacks/common/sidecar.ts detectionTimeoutMs):
// a first byte 2 s late is past it.
const lateMs = 2_000;
const mtls: ClientSetup = probes["mtls-valid"]!.client;

const nginxDocs = "https://nginx.org/en/docs/stream/ngx_stream_core_module.html#preread_timeout";
const haproxyDocs = "https://docs.haproxy.org/2.6/configuration.html#4.2-tcp-request%20inspect-delay";
const sidecarSource = "harness/stacks/common/sidecar.ts (the reference sidecar: the first byte 0x16 is TLS, no timeout)";

const sidecarWaitsForAByte: Deviation = {
  outcome: "plaintext-refused",
  reason: "the reference sidecar connects the app only once the client's first byte has told it the protocol, in every mode, with no timeout: a client that only reads is never served (measured: nothing within 45 s)",
  reference: sidecarSource,
};

interface EdgeCase {
  id: string;
  title: string;
  server: ServerSetup;
  client: ClientSetup;
  expect: Outcome;
  deviations?: Record<string, Deviation>;
}

// Measured by hand on each detector before they were written down (docs/architecture.md
// "Protocol detection", with the commands and the timings).
const edgeCases: EdgeCase[] = [
  {
    id: "permissive::banner-app",
    title: "a server-speaks-first app behind a permissive port, a plaintext client that only reads: it gets the banner",
    server: server("permissive", { sidecarApp: "banner" }),
    client: { plaintext: true, plaintextPayload: "nothing" },
    expect: "plaintext-accepted",
    deviations: {
      nginx: { outcome: "plaintext-refused", reason: "ssl_preread waits for the client's bytes; when preread_timeout passes with none it closes the connection without connecting the app (measured: closed after 1.0 s with a 1 s timeout, after 30.0 s with the default), so a server-speaks-first app is never reached", reference: nginxDocs },
      sidecar: sidecarWaitsForAByte,
    },
  },
  {
    id: "disabled::banner-app",
    title: "a server-speaks-first app behind a disabled port: it gets the banner at once (nothing is detected)",
    server: server("disabled", { sidecarApp: "banner" }),
    client: { plaintext: true, plaintextPayload: "nothing" },
    expect: "plaintext-accepted",
    deviations: { sidecar: sidecarWaitsForAByte },
  },
  {
    id: "strict::late-plaintext",
    title: `strict, plaintext whose first byte comes ${lateMs} ms late (past the detector's timeout): refused, no fallback to the app`,
    server: server("strict"),
    client: { plaintext: true, firstByteDelayMs: lateMs },
    expect: "plaintext-refused",
  },
  {
    id: "permissive::late-plaintext",
    title: `permissive, plaintext whose first byte comes ${lateMs} ms late: served by the app`,
    server: server("permissive"),
    client: { plaintext: true, firstByteDelayMs: lateMs },
    expect: "plaintext-accepted",
    deviations: {
      nginx: { outcome: "plaintext-refused", reason: "a client silent for preread_timeout is closed, in every mode (measured: closed at 1.0 s, the request written at 2.5 s never reached the app)", reference: nginxDocs },
    },
  },
  {
    id: "strict::late-mtls",
    title: `strict, a valid mTLS client whose ClientHello comes ${lateMs} ms late: accepted`,
    server: server("strict"),
    client: { ...mtls, firstByteDelayMs: lateMs },
    expect: "accepted",
    deviations: {
      nginx: { outcome: "unclassified", reason: "a client silent for preread_timeout is closed before its ClientHello (measured: closed at 1.0 s; the handshake sent at 2.5 s met a closed connection). Fail-closed: nothing reaches the app", reference: nginxDocs },
      haproxy: { outcome: "unclassified", reason: "when inspect-delay passes without a ClientHello the strict rules reject the connection (measured: PR at 1.0 s; the handshake sent at 2.5 s met a closed connection). Fail-closed: nothing reaches the app", reference: haproxyDocs },
    },
  },
  {
    id: "permissive::late-mtls",
    title: `permissive, a valid mTLS client whose ClientHello comes ${lateMs} ms late: accepted`,
    server: server("permissive"),
    client: { ...mtls, firstByteDelayMs: lateMs },
    expect: "accepted",
    deviations: {
      nginx: { outcome: "unclassified", reason: "a client silent for preread_timeout is closed before its ClientHello (measured: closed at 1.0 s)", reference: nginxDocs },
      haproxy: { outcome: "rejected:protocol-version", reason: "when inspect-delay passes with no bytes the permissive rules fall through to the plaintext app, and the late ClientHello reaches it (measured: routed to the app at 1.0 s, the client got HTTP: wrong version number)", reference: haproxyDocs },
    },
  },
  ...(["strict", "permissive"] as const).flatMap((mode): EdgeCase[] => [
    {
      id: `${mode}::one-byte-segments`,
      title: `${mode}, a valid mTLS ClientHello in 1-byte TCP segments (all within the timeout): accepted`,
      server: server(mode),
      client: { ...mtls, clientHelloShape: "one-byte-segments" },
      expect: "accepted",
    },
    {
      id: `${mode}::two-records`,
      title: `${mode}, a valid mTLS ClientHello split across two TLS records: accepted`,
      server: server(mode),
      client: { ...mtls, clientHelloShape: "two-records" },
      expect: "accepted",
    },
    {
      id: `${mode}::first-byte-0x16`,
      title: `${mode}, a plaintext frame whose first byte is 0x16: ${mode === "strict" ? "refused" : "served by the app, not taken for TLS"}`,
      server: server(mode),
      client: { plaintext: true, plaintextPayload: "first-byte-0x16" },
      expect: expected[mode].plaintext!,
      ...(mode === "permissive"
        ? { deviations: { sidecar: { outcome: "plaintext-refused" as const, reason: "the reference sidecar reads only the first byte, so a plaintext frame starting 0x16 goes to the TLS terminator, which closes it (measured); nginx and haproxy parse the record and send it to the app", reference: sidecarSource } } }
        : {}),
    },
    {
      id: `${mode}::http2-prior-knowledge`,
      title: `${mode}, cleartext HTTP/2 with prior knowledge (PRI * HTTP/2.0): ${mode === "strict" ? "refused" : "served by the app"}`,
      server: server(mode),
      client: { plaintext: true, plaintextPayload: "http2-prior-knowledge" },
      expect: expected[mode].plaintext!,
    },
    {
      id: `${mode}::unserved-sni`,
      title: `${mode}, TLS with an SNI the port does not serve: the terminator's certificate fails the client's name check`,
      server: server(mode),
      client: { ...mtls, serverName: "not-served.example" },
      expect: "rejected:hostname-mismatch",
    },
  ]),
];

const detectionRows: Scenario[] = edgeCases.map(({ id, ...row }) => ({ id: `modes::detection::${id}`, subject: "server", detector: true, ...row }));

export const modeScenarios = defineCatalogue("modes", [...policyRows, ...perPortRows, ...detectionRows]);
