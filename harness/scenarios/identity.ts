// Server identity: DNS and IP SANs, CN fallback, wildcards, SPIFFE URI SANs, and SNI selection.
import { altServerName, foreignTrustDomain, ipSanAddress, serverIdentity, serverName } from "../../fixtures/profiles.js";
import { defineCatalogue, type ClientSetup, type ServerSetup } from "../scenario.js";

const trusting = (extra: ClientSetup): ClientSetup => ({ trust: "trust-a", ...extra });
const sniServer: ServerSetup = { cert: "server", sniCerts: { [altServerName]: "server-alt" } };

export const identityScenarios = defineCatalogue("identity", [
  { id: "identity::san::dns-match", title: "a DNS SAN equal to the requested name is accepted", subject: "client", server: { cert: "server" }, client: trusting({ serverName }), expect: "accepted" },
  { id: "identity::san::dns-mismatch", title: "a certificate for another name is rejected", subject: "client", server: { cert: "server-wrong-san" }, client: trusting({ serverName }), expect: "rejected:hostname-mismatch" },
  {
    id: "identity::san::cn-only",
    title: "a certificate with the name only in the subject CN (no SAN) is rejected",
    subject: "client",
    server: { cert: "server-cn-only" },
    client: trusting({ serverName }),
    // RFC 9525 section 6.3: a client MUST NOT match the CN; Go does not since 1.15.
    expect: "rejected:hostname-mismatch",
    deviations: {
      node: { advisory: "accepted", reason: "node's tls.checkServerIdentity falls back to the subject CN when the certificate has no DNS, IP or URI SAN (RFC 6125 section 6.4.4 allowed it)", reference: "RFC 9525 section 6.3; Node.js docs, tls.checkServerIdentity" },
      openssl: { advisory: "accepted", reason: "OpenSSL X509_check_host falls back to the subject CN unless X509_CHECK_FLAG_NEVER_CHECK_SUBJECT is set, which s_client cannot set", reference: "RFC 9525 section 6.3; OpenSSL 3.0 X509_check_host(3)" },
      java: { advisory: "accepted", reason: "JSSE's HTTPS endpoint identification follows RFC 2818: with no dNSName SAN it matches the most specific subject CN (sun.security.util.HostnameChecker.matchDNS)", reference: "RFC 9525 section 6.3; RFC 2818 section 3.1; OpenJDK 17 sun.security.util.HostnameChecker" },
      gnutls: { advisory: "accepted", reason: "GnuTLS gnutls_x509_crt_check_hostname falls back to the subject CN when the certificate has no dNSName SAN, and gnutls-cli has no option to turn that off (measured with 3.7.9)", reference: "RFC 9525 section 6.3; GnuTLS manual, gnutls_x509_crt_check_hostname2" },
      curl: { advisory: "accepted", reason: "curl matches the URL's host against the subject CN when the certificate has no subjectAltName (its own name check, lib/vtls/openssl.c verifyhost), and the command line cannot turn that off (measured with 7.88.1)", reference: "RFC 9525 section 6.3; libcurl docs, CURLOPT_SSL_VERIFYHOST (https://curl.se/libcurl/c/CURLOPT_SSL_VERIFYHOST.html)" },
    },
  },
  { id: "identity::wildcard::one-label", title: "*.mesh.test matches db.mesh.test", subject: "client", server: { cert: "server-wildcard" }, client: trusting({ serverName: "db.mesh.test" }), expect: "accepted" },
  { id: "identity::wildcard::two-labels", title: "*.mesh.test does not match a.db.mesh.test (RFC 6125 section 6.4.3)", subject: "client", server: { cert: "server-wildcard" }, client: trusting({ serverName: "a.db.mesh.test" }), expect: "rejected:hostname-mismatch" },
  { id: "identity::wildcard::apex", title: "*.mesh.test does not match mesh.test", subject: "client", server: { cert: "server-wildcard" }, client: trusting({ serverName: "mesh.test" }), expect: "rejected:hostname-mismatch" },
  { id: "identity::ip::match", title: "an IP SAN equal to the address dialled is accepted", subject: "client", server: { cert: "server-ip", listenHost: ipSanAddress }, client: trusting({ serverName: null, verifyIp: ipSanAddress }), needs: ["verify-ip-san"], expect: "accepted" },
  { id: "identity::ip::mismatch", title: "an IP SAN for another address is rejected", subject: "client", server: { cert: "server-ip", listenHost: "127.0.10.2" }, client: trusting({ serverName: null, verifyIp: "127.0.10.2" }), needs: ["verify-ip-san"], expect: "rejected:hostname-mismatch" },
  { id: "identity::spiffe::same-trust-domain", title: "a SPIFFE URI SAN equal to the expected workload identity is accepted", subject: "client", server: { cert: "server-spiffe" }, client: trusting({ serverName: null, expectIdentity: serverIdentity }), needs: ["require-uri-san"], expect: "accepted" },
  {
    id: "identity::spiffe::foreign-trust-domain",
    title: `a SPIFFE ID from the ${foreignTrustDomain} trust domain is rejected although its chain verifies`,
    subject: "client",
    server: { cert: "server-spiffe-foreign" },
    client: trusting({ serverName: null, expectIdentity: serverIdentity }),
    needs: ["require-uri-san"],
    expect: "rejected:identity-mismatch",
  },
  { id: "identity::sni::selects-certificate", title: "the server presents the certificate for the SNI name asked for", subject: "server", server: sniServer, client: trusting({ serverName: altServerName }), expect: "accepted" },
  { id: "identity::sni::default-certificate", title: "the server presents its default certificate for its default name", subject: "server", server: sniServer, client: trusting({ serverName }), expect: "accepted" },
  { id: "identity::sni::no-sni", title: "without SNI the server presents its default certificate", subject: "server", server: sniServer, client: trusting({ serverName: null, verifyName: serverName }), expect: "accepted" },
  { id: "identity::sni::switch-is-real", title: "asking for the alternate name does not return the default certificate (control)", subject: "server", server: sniServer, client: trusting({ serverName: altServerName, verifyName: serverName }), expect: "rejected:hostname-mismatch" },
]);
