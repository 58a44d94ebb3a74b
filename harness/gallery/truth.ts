// The gallery's measured truth table: what each probe gets from each gallery server (launchers.ts
// starts them), measured by hand with `openssl s_client` (docs/gallery.md) and asserted again by
// servers.test.ts.
import { join } from "node:path";
import { clientIdentity } from "../../fixtures/profiles.js";

/** Debian's PostgreSQL 15 programs (not on PATH). */
export const postgresBin = "/usr/lib/postgresql/15/bin";

export type GalleryKind =
  | "nginx-verify-on"
  | "nginx-verify-optional"
  | "nginx-identity-map"
  | "nginx-per-location"
  | "nginx-default-server-open"
  | "nginx-default-server-closed"
  | "nginx-refuses-http1-only"
  | "nginx-refuses-tls12-only"
  | "haproxy-crt-list-resumption"
  | "nginx-shared-sessions"
  | "haproxy-ticket-keys"
  | "nginx-client-ca"
  | "haproxy-sni-identity"
  | "nginx-identity-per-name"
  | "caddy-require-and-verify"
  | "haproxy-optional-403"
  | "mosquitto-require-certificate"
  | "nghttpx-h2-verify-client"
  | "postgres-hostssl-cert"
  | "apache-location-require"
  | "apache-vhost-require"
  | "silent"
  | "reset-after-hello"
  | "stops-mid-run"
  | "random-reset";

/**
 * Protocol detectors in front of a strict TLS terminator (docs/gallery.md "Protocol detectors"),
 * each with a 3 s detection timeout: nginx stream ssl_preread and HAProxy TCP mode with
 * req.ssl_hello_type, each strict (non-TLS dropped) and permissive (non-TLS to a plaintext app);
 * detect-fallback forwards a client silent for the timeout to a plaintext app; speaks-first
 * forwards it to a plaintext service that speaks first. The detect:: checks' verdicts on each are
 * pinned by harness/external/gallery.test.ts.
 */
export type DetectorKind = "nginx-preread-strict" | "nginx-preread-permissive" | "haproxy-detect-strict" | "haproxy-detect-permissive" | "detect-fallback" | "speaks-first";
export const detectorKinds: readonly DetectorKind[] = ["nginx-preread-strict", "nginx-preread-permissive", "haproxy-detect-strict", "haproxy-detect-permissive", "detect-fallback", "speaks-first"];
/** The detectors' detection timeout. */
export const detectionTimeoutMs = 3_000;

/** What the harness speaks after the handshake to get an answer (issue 9's --protocol). */
export type GalleryProtocol = "http" | "h2" | "raw" | "postgres";

/** The probes each gallery server was measured with. */
export type GalleryProbe = "plaintext" | "no-client-cert" | "rogue-ca" | "self-signed" | "valid" | "expired";
export const galleryProbes: readonly GalleryProbe[] = ["plaintext", "no-client-cert", "rogue-ca", "self-signed", "valid", "expired"];

/** Which fixture client certificate each certificate probe presents (fixtures/profiles.ts). */
export const probeClientCert: Record<Exclude<GalleryProbe, "plaintext" | "no-client-cert">, string> = {
  "rogue-ca": "client-untrusted",
  "self-signed": "client-self-signed",
  valid: "client",
  expired: "client-expired",
};

export interface ProbeTruth {
  /** How a correct oracle judges the answer: the server served the probe, refused it, or (misbehaving endpoints) did neither. */
  verdict: "served" | "refused" | "no-answer" | "reset";
  /** What the client sees under TLS 1.3 (s_client's default), in words. */
  seen: string;
  /** Where TLS 1.2 (`-tls1_2`) differs. */
  tls12?: string;
}

export interface GalleryServer {
  kind: GalleryKind;
  /** The program that must be installed (the test skips the kind without it). */
  program: string;
  /** The Debian package that provides it (npm run setup installs it: an implementation's, or harness/host/detection.ts galleryPackages). */
  debianPackage?: string;
  protocol: GalleryProtocol;
  /** The policy it enforces, in its own configuration's words. */
  policy: string;
  truth: Record<GalleryProbe, ProbeTruth>;
}

// What each probe gets, measured by hand with `openssl s_client` (OpenSSL 3.0, Debian 12 packages:
// nginx 1.22.1, Caddy 2.6.2, HAProxy 2.6.12, mosquitto 2.0.11, nghttpx 1.52.0, PostgreSQL 15,
// Apache 2.4 (2.4.71 when measured); Apache also with curl),
// commands and output excerpts in docs/gallery.md. "plaintext" is `GET / HTTP/1.0` over bare TCP;
// the certificate probes send `GET / HTTP/1.1` after the handshake unless the protocol says otherwise.
const alert = (number: number, name: string, when = "after the client's Finished"): string => `TLS alert ${number} ${name} ${when}`;
const http13 = "TLS 1.3";

const nginxCertificateError: ProbeTruth = { verdict: "refused", seen: "handshake completes (TLS 1.2), then HTTP/1.1 400 Bad Request, <title>400 The SSL certificate error</title>" };
// nginx 1.22's default ssl_protocols is TLSv1 TLSv1.1 TLSv1.2: `-tls1_3` gets alert 70 protocol_version.
const nginxTls = "nginx 1.22 speaks TLS 1.2 at most (its default ssl_protocols); every row is TLS 1.2";

/** nginx with `ssl_verify_client on|optional`: the two differ only in what a client without a certificate gets. */
const nginxServer = (verifyClient: "on" | "optional", noCert: ProbeTruth): GalleryServer => ({
  kind: `nginx-verify-${verifyClient}`,
  program: "nginx",
  debianPackage: "nginx",
  protocol: "http",
  policy: `ssl_verify_client ${verifyClient}; ssl_client_certificate trust-a; ssl_verify_depth 2 (${nginxTls})`,
  truth: {
    plaintext: { verdict: "refused", seen: "HTTP/1.1 400 Bad Request, <title>400 The plain HTTP request was sent to HTTPS port</title>, then close" },
    "no-client-cert": noCert,
    "rogue-ca": nginxCertificateError,
    "self-signed": nginxCertificateError,
    valid: { verdict: "served", seen: "handshake completes (TLS 1.2), then HTTP/1.1 200 OK \"hello from nginx\"" },
    expired: nginxCertificateError,
  },
});

/** What OpenSSL-based servers that verify in the handshake send for a bad client certificate. */
const badCertAlerts: Pick<Record<GalleryProbe, ProbeTruth>, "rogue-ca" | "self-signed" | "expired"> = {
  "rogue-ca": { verdict: "refused", seen: alert(48, "unknown_ca"), tls12: alert(48, "unknown_ca", "during the handshake") },
  "self-signed": { verdict: "refused", seen: alert(48, "unknown_ca"), tls12: alert(48, "unknown_ca", "during the handshake") },
  expired: { verdict: "refused", seen: alert(45, "certificate_expired"), tls12: alert(45, "certificate_expired", "during the handshake") },
};

const strictAlerts = (noCert: string, tls12NoCert: string): Pick<Record<GalleryProbe, ProbeTruth>, "no-client-cert" | "rogue-ca" | "self-signed" | "expired"> => ({
  "no-client-cert": { verdict: "refused", seen: noCert, tls12: tls12NoCert },
  ...badCertAlerts,
});

const nginxNoCertificate: ProbeTruth = { verdict: "refused", seen: "handshake completes (TLS 1.2), then HTTP/1.1 400 Bad Request, <title>400 No required SSL certificate was sent</title>" };

const nginxOptionalNoCertificate: ProbeTruth = { verdict: "served", seen: "handshake completes (TLS 1.2), then HTTP/1.1 200 OK \"hello from nginx\"" };

/** HAProxy serving "hello from haproxy" to a valid client and closing on plaintext; the TLS probes' truth differs per configuration. */
const haproxyServer = (kind: GalleryKind, policy: string, tls: Pick<Record<GalleryProbe, ProbeTruth>, "no-client-cert" | "rogue-ca" | "self-signed" | "expired">): GalleryServer => ({
  kind,
  program: "haproxy",
  debianPackage: "haproxy",
  protocol: "http",
  policy,
  truth: {
    plaintext: { verdict: "refused", seen: "close (FIN) without a byte" },
    ...tls,
    valid: { verdict: "served", seen: `${http13}, HTTP/1.1 200 OK "hello from haproxy"` },
  },
});

// Apache's answer to plain HTTP on its TLS port, whatever the SSLVerifyClient.
const apachePlaintext: ProbeTruth = { verdict: "refused", seen: "HTTP/1.1 400 Bad Request, \"Reason: You're speaking plain HTTP to an SSL-enabled server port.\", then close" };
// What /secure gets under <Location /secure> SSLVerifyClient require when the vhost asks for no certificate.
const apachePha = "HTTP/1.1 403 Forbidden \"Reason: Cannot perform Post-Handshake Authentication.\"";
/** The truth at /secure with SSLVerifyClient require only in <Location /secure>: under TLS 1.3 (s_client's default, no -enable_pha; node's client the same) every client gets 403, the valid one included. */
const apacheLocationTruth: Record<GalleryProbe, ProbeTruth> = {
  plaintext: apachePlaintext,
  "no-client-cert": { verdict: "refused", seen: `${http13}, ${apachePha}`, tls12: "handshake completes, then mod_ssl renegotiates and sends alert 40 handshake_failure" },
  "rogue-ca": { verdict: "refused", seen: `${http13}, ${apachePha}`, tls12: "renegotiation, then alert 48 unknown_ca" },
  "self-signed": { verdict: "refused", seen: `${http13}, ${apachePha}`, tls12: "renegotiation, then alert 48 unknown_ca" },
  // The trusted client is refused too under TLS 1.3 unless it offers post-handshake auth (s_client -enable_pha, curl: 200).
  valid: { verdict: "refused", seen: `${http13}, ${apachePha}; with -enable_pha (curl offers it) 200 "hello from apache /secure"`, tls12: 'renegotiation, then HTTP/1.1 200 OK "hello from apache /secure"' },
  expired: { verdict: "refused", seen: `${http13}, ${apachePha}`, tls12: "renegotiation, then alert 45 certificate_expired" },
};

const resetAfterHello: ProbeTruth = { verdict: "reset", seen: "TCP RST after the ClientHello: s_client write:errno=104, no ServerHello" };

export const galleryServers: Record<GalleryKind, GalleryServer> = {
  "nginx-verify-on": nginxServer("on", nginxNoCertificate),
  "nginx-verify-optional": nginxServer("optional", nginxOptionalNoCertificate),
  "nginx-identity-map": {
    ...nginxServer("on", nginxNoCertificate),
    kind: "nginx-identity-map",
    policy: `ssl_verify_client on; ssl_client_certificate trust-a; map $ssl_client_s_dn: only "CN=${clientIdentity}" is allowed, any other verified client gets 403 (${nginxTls})`,
    // The fixture client (CN=client) is from the trusted issuer but not the allowed identity.
    truth: {
      ...nginxServer("on", nginxNoCertificate).truth,
      valid: { verdict: "refused", seen: 'handshake completes (TLS 1.2), then HTTP/1.1 403 Forbidden "identity not allowed" (CN=client); a certificate with CN=spiffe://cluster.local/ns/default/sa/client gets 200 "hello from nginx"' },
    },
  },
  // The truth at /: what nginx-verify-optional does. Under /api a client without a certificate gets 403 "client certificate required".
  "nginx-per-location": {
    ...nginxServer("optional", nginxOptionalNoCertificate),
    kind: "nginx-per-location",
    policy: `ssl_verify_client optional; ssl_client_certificate trust-a; location /api { if ($ssl_client_verify != SUCCESS) { return 403; } } (${nginxTls})`,
  },
  // The truth with SNI api.mesh.test is nginx-verify-on's; the name paths are in docs/gallery.md ("Name paths").
  "nginx-default-server-open": {
    ...nginxServer("on", nginxNoCertificate),
    kind: "nginx-default-server-open",
    policy: `the API server: ssl_verify_client on, trust-a; a default_server beside it with no client auth serving its own 200 (${nginxTls})`,
  },
  "nginx-default-server-closed": {
    ...nginxServer("on", nginxNoCertificate),
    kind: "nginx-default-server-closed",
    policy: `the API server: ssl_verify_client on, trust-a; a default_server with ssl_reject_handshake on and 421 for requests routed to it (${nginxTls})`,
  },
  // Measured with curl (docs/gallery.md "Protocol paths"); the rows are what s_client's default (TLS 1.3, no ALPN: HTTP/1.1) gets.
  "nginx-refuses-http1-only": {
    ...nginxServer("optional", { verdict: "refused", seen: "TLS 1.3, HTTP/1.1 403 Forbidden \"client certificate required\"; over HTTP/2 (ALPN h2): HTTP/2 200" }),
    kind: "nginx-refuses-http1-only",
    policy: "listen ssl http2; ssl_protocols TLSv1.2 TLSv1.3; ssl_verify_client optional; 403 when $ssl_client_verify != SUCCESS and $http2 is empty (HTTP/1.1 only)",
  },
  "nginx-refuses-tls12-only": {
    ...nginxServer("optional", { verdict: "served", seen: "TLS 1.3, HTTP/1.1 200 OK; under TLS 1.2: HTTP/1.1 403 Forbidden \"client certificate required\"" }),
    kind: "nginx-refuses-tls12-only",
    policy: "listen ssl http2; ssl_protocols TLSv1.2 TLSv1.3; ssl_verify_client optional; 403 when $ssl_client_verify != SUCCESS and $ssl_protocol is TLSv1.2",
  },
  // With SNI api.mesh.test both are strict (nginx-shared-sessions answers as nginx-verify-on, over TLS 1.3 too);
  // resuming a session from alt.mesh.test is in docs/gallery.md ("Resumption").
  "haproxy-crt-list-resumption": haproxyServer("haproxy-crt-list-resumption", "bind ... ssl crt-list: api.mesh.test [verify required ca-file trust-a], alt.mesh.test [verify none]", {
    ...strictAlerts(alert(116, "certificate_required"), alert(40, "handshake_failure", "during the handshake")),
  }),
  "nginx-shared-sessions": {
    ...nginxServer("on", nginxNoCertificate),
    kind: "nginx-shared-sessions",
    policy: "api.mesh.test: ssl_verify_client on, trust-a; alt.mesh.test: no client auth; ssl_protocols TLSv1.2 TLSv1.3, a shared ssl_session_cache and ssl_session_ticket_key",
  },
  // With trust-a both are strict; what a saved session gets after a restart on trust-b is in docs/gallery.md ("Resumption after a trust change").
  "haproxy-ticket-keys": haproxyServer("haproxy-ticket-keys", "bind ... ssl ca-file trust-a verify required tls-ticket-keys FILE (the file survives a restart)", {
    ...strictAlerts(alert(116, "certificate_required"), alert(40, "handshake_failure", "during the handshake")),
  }),
  "nginx-client-ca": {
    ...nginxServer("on", nginxNoCertificate),
    kind: "nginx-client-ca",
    policy: "ssl_verify_client on; ssl_client_certificate trust-a; ssl_protocols TLSv1.2 TLSv1.3; ssl_session_ticket_key FILE (the file survives a restart)",
  },
  // The fixture client (CN=client) is not the allowed identity: 403 on api.mesh.test; resuming a session from alt.mesh.test is in docs/gallery.md.
  "haproxy-sni-identity": (() => {
    const server = haproxyServer("haproxy-sni-identity", `bind ... ssl crt-list: api.mesh.test and alt.mesh.test [verify required ca-file trust-a]; http-request deny 403 if { ssl_fc_sni -i api.mesh.test } !{ ssl_c_s_dn(CN) -m str ${clientIdentity} }`, {
      ...strictAlerts(alert(116, "certificate_required"), alert(40, "handshake_failure", "during the handshake")),
    });
    return { ...server, truth: { ...server.truth, valid: { verdict: "refused", seen: `${http13}, HTTP/1.1 403 Forbidden (CN=client is not ${clientIdentity}); on alt.mesh.test 200 "hello from haproxy"` } } };
  })(),
  "nginx-identity-per-name": {
    ...nginxServer("on", nginxNoCertificate),
    kind: "nginx-identity-per-name",
    policy: `both names ssl_verify_client on, trust-a; api.mesh.test: map $ssl_client_s_dn, only "CN=${clientIdentity}"; a shared ssl_session_cache and ssl_session_ticket_key; TLS 1.2 and 1.3`,
    truth: { ...nginxServer("on", nginxNoCertificate).truth, valid: { verdict: "refused", seen: 'HTTP/1.1 403 Forbidden "identity not allowed" (CN=client); on alt.mesh.test 200 "hello from alt"' } },
  },
  "caddy-require-and-verify": {
    kind: "caddy-require-and-verify",
    program: "caddy",
    debianPackage: "caddy",
    protocol: "http",
    policy: "tls { client_auth { mode require_and_verify; trusted_ca_cert_file trust-a } }",
    truth: {
      plaintext: { verdict: "refused", seen: "HTTP/1.0 400 Bad Request, body \"Client sent an HTTP request to an HTTPS server.\", then close" },
      // Go 1.19's crypto/tls sends bad_certificate for every client-certificate failure, a missing one included.
      "no-client-cert": { verdict: "refused", seen: alert(42, "bad_certificate"), tls12: alert(42, "bad_certificate", "during the handshake") },
      "rogue-ca": { verdict: "refused", seen: alert(42, "bad_certificate"), tls12: alert(42, "bad_certificate", "during the handshake") },
      "self-signed": { verdict: "refused", seen: alert(42, "bad_certificate"), tls12: alert(42, "bad_certificate", "during the handshake") },
      valid: { verdict: "served", seen: `${http13}, HTTP/1.1 200 OK "hello from caddy"` },
      expired: { verdict: "refused", seen: alert(42, "bad_certificate"), tls12: alert(42, "bad_certificate", "during the handshake") },
    },
  },
  "haproxy-optional-403": haproxyServer("haproxy-optional-403", "bind ... ssl ca-file trust-a verify optional; http-request deny deny_status 403 if !{ ssl_c_used } || !{ ssl_c_verify 0 }", {
    // verify optional lets a missing certificate through TLS; the deny rule refuses it in HTTP.
    "no-client-cert": { verdict: "refused", seen: `${http13}, handshake completes, then HTTP/1.1 403 Forbidden`, tls12: "handshake completes, then HTTP/1.1 403 Forbidden" },
    // A certificate that fails verification still fails the handshake under verify optional.
    ...badCertAlerts,
  }),
  "mosquitto-require-certificate": {
    kind: "mosquitto-require-certificate",
    program: "mosquitto",
    debianPackage: "mosquitto",
    protocol: "raw",
    policy: "listener with cafile trust-a, require_certificate true, use_identity_as_username true",
    truth: {
      plaintext: { verdict: "refused", seen: "TCP RST (ECONNRESET) without a byte" },
      ...strictAlerts(alert(116, "certificate_required"), alert(40, "handshake_failure", "during the handshake")),
      valid: {
        verdict: "served",
        seen: `${http13}, handshake completes; sending nothing, the connection stays open with no alert (6 s measured); an HTTP request gets a close`,
      },
    },
  },
  "nghttpx-h2-verify-client": {
    kind: "nghttpx-h2-verify-client",
    program: "nghttpx",
    debianPackage: "nghttp2-proxy",
    protocol: "h2",
    policy: "verify-client=yes, verify-client-cacert=trust-a; ALPN h2,http/1.1 in front of a plaintext HTTP/1.1 backend",
    truth: {
      plaintext: { verdict: "refused", seen: "close (FIN) without a byte" },
      ...strictAlerts(alert(116, "certificate_required"), alert(40, "handshake_failure", "during the handshake")),
      valid: {
        verdict: "served",
        seen: `${http13}; with ALPN h2 the server's SETTINGS frame first (curl --http2: HTTP/2 200), without ALPN HTTP/1.1 200 OK from the backend`,
      },
    },
  },
  "postgres-hostssl-cert": {
    kind: "postgres-hostssl-cert",
    program: join(postgresBin, "postgres"),
    debianPackage: "postgresql",
    protocol: "postgres",
    policy: "ssl = on, ssl_ca_file = trust-a; pg_hba.conf: hostssl all all 127.0.0.0/8 cert (TLS after the SSLRequest preamble)",
    truth: {
      plaintext: { verdict: "refused", seen: "close (FIN) without a byte: an HTTP request is not a startup packet" },
      // postgres asks for a certificate but does not require one in TLS: pg_hba.conf refuses after the StartupMessage.
      "no-client-cert": {
        verdict: "refused",
        seen: `${http13}, handshake completes with no alert and the server waits for the StartupMessage; psql gets "FATAL: connection requires a valid client certificate"`,
        tls12: "the same under TLS 1.2",
      },
      ...badCertAlerts,
      valid: { verdict: "served", seen: `${http13}, handshake completes, the server waits for the StartupMessage; psql as role "client" gets "select 1" = 1` },
    },
  },
  // The truth at /secure; / serves anyone with 200 "hello from apache" (TLS 1.2 and 1.3).
  "apache-location-require": {
    kind: "apache-location-require",
    program: "apache2",
    debianPackage: "apache2",
    protocol: "http",
    policy: "SSLVerifyClient none in the vhost; <Location /secure> SSLVerifyClient require; SSLCACertificateFile trust-a; SSLProtocol TLSv1.2 TLSv1.3",
    truth: apacheLocationTruth,
  },
  "apache-vhost-require": {
    kind: "apache-vhost-require",
    program: "apache2",
    debianPackage: "apache2",
    protocol: "http",
    policy: "SSLVerifyClient require in the vhost (and in <Location /secure>); SSLCACertificateFile trust-a; SSLProtocol TLSv1.2 TLSv1.3",
    truth: {
      plaintext: apachePlaintext,
      ...strictAlerts(alert(116, "certificate_required"), alert(40, "handshake_failure", "during the handshake")),
      valid: { verdict: "served", seen: `${http13}, HTTP/1.1 200 OK "hello from apache" (at /secure "hello from apache /secure")` },
    },
  },
  silent: {
    kind: "silent",
    program: "node",
    protocol: "http",
    policy: "accepts TCP and never sends a byte",
    truth: Object.fromEntries(galleryProbes.map((probe) => [probe, { verdict: "no-answer", seen: "connection stays open, nothing is sent: s_client waits for the ServerHello until it is killed" }])) as Record<GalleryProbe, ProbeTruth>,
  },
  "reset-after-hello": {
    kind: "reset-after-hello",
    program: "node",
    protocol: "http",
    policy: "reads the ClientHello (or any first bytes), then resets",
    truth: { ...(Object.fromEntries(galleryProbes.map((probe) => [probe, resetAfterHello])) as Record<GalleryProbe, ProbeTruth>), plaintext: { verdict: "reset", seen: "TCP RST (ECONNRESET) after the request" } },
  },
  "stops-mid-run": {
    kind: "stops-mid-run",
    program: "node",
    protocol: "http",
    policy: "node:https strict mTLS (requestCert, rejectUnauthorized) for the first serveConnections connections, then reset-after-hello for every connection",
    truth: {
      plaintext: { verdict: "refused", seen: "while serving: close (FIN) without a byte; afterwards TCP RST" },
      "no-client-cert": { verdict: "refused", seen: `while serving: ${alert(116, "certificate_required")}; afterwards TCP RST after the ClientHello` },
      // Node checks the client certificate in JS after the handshake and destroys the socket: no alert.
      "rogue-ca": { verdict: "refused", seen: "while serving: handshake completes, then close without an alert (s_client: unexpected eof while reading); afterwards TCP RST after the ClientHello" },
      "self-signed": { verdict: "refused", seen: "while serving: as rogue-ca; afterwards TCP RST after the ClientHello" },
      valid: { verdict: "served", seen: "while serving: HTTP/1.1 200 OK; afterwards TCP RST after the ClientHello" },
      expired: { verdict: "refused", seen: "while serving: as rogue-ca; afterwards TCP RST after the ClientHello" },
    },
  },
  "random-reset": {
    kind: "random-reset",
    program: "node",
    protocol: "http",
    policy: "TCP RST after the ClientHello on ~30% of connections (seeded), otherwise node:https strict mTLS",
    truth: Object.fromEntries(galleryProbes.map((probe) => [probe, { verdict: "reset", seen: "sometimes (~30%) a TCP RST after the ClientHello, otherwise what stops-mid-run does while serving" }])) as Record<GalleryProbe, ProbeTruth>,
  },
};
