// Server identity: DNS and IP SANs, CN fallback, wildcards, SPIFFE URI SANs, and SNI selection.
import { altServerName, foreignTrustDomain, ipSanAddress, serverIdentity, serverName } from "../../fixtures/profiles.js";
import { defineCatalogue, type ClientSetup, type ServerSetup } from "../core/scenario.js";

const trusting = (extra: ClientSetup): ClientSetup => ({ trust: "trust-a", ...extra });
const javaAllWildcards = {
  outcome: "accepted" as const,
  reason: "JSSE's HTTPS endpoint identification follows RFC 2818 and matches wildcards in any label and within a label (HostnameChecker.matchAllWildcards for TLS)",
  reference: "RFC 9525 section 6.3; RFC 2818 section 3.1; OpenJDK 17 sun.security.util.HostnameChecker",
};
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
      node: { outcome: "accepted", reason: "node's tls.checkServerIdentity falls back to the subject CN when the certificate has no DNS, IP or URI SAN (RFC 6125 section 6.4.4 allowed it)", reference: "RFC 9525 section 6.3; Node.js docs, tls.checkServerIdentity" },
      openssl: { outcome: "accepted", reason: "OpenSSL X509_check_host falls back to the subject CN unless X509_CHECK_FLAG_NEVER_CHECK_SUBJECT is set, which s_client cannot set", reference: "RFC 9525 section 6.3; OpenSSL 3.0 X509_check_host(3)" },
      java: { outcome: "accepted", reason: "JSSE's HTTPS endpoint identification follows RFC 2818: with no dNSName SAN it matches the most specific subject CN (sun.security.util.HostnameChecker.matchDNS)", reference: "RFC 9525 section 6.3; RFC 2818 section 3.1; OpenJDK 17 sun.security.util.HostnameChecker" },
      gnutls: { outcome: "accepted", reason: "GnuTLS gnutls_x509_crt_check_hostname falls back to the subject CN when the certificate has no dNSName SAN, and gnutls-cli has no option to turn that off (measured with 3.7.9)", reference: "RFC 9525 section 6.3; GnuTLS manual, gnutls_x509_crt_check_hostname2" },
      curl: { outcome: "accepted", reason: "curl matches the URL's host against the subject CN when the certificate has no subjectAltName (its own name check, lib/vtls/openssl.c verifyhost), and the command line cannot turn that off (measured with 7.88.1)", reference: "RFC 9525 section 6.3; libcurl docs, CURLOPT_SSL_VERIFYHOST (https://curl.se/libcurl/c/CURLOPT_SSL_VERIFYHOST.html)" },
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
  // Name matching (RFC 9525 section 6.3): DNS names compare without regard to case; a wildcard is
  // the whole left-most label only, and never matches an IP address; an IP is matched only against
  // iPAddress SANs (section 6.2.1: never a DNS-ID that looks like one).
  { id: "identity::case::dialled-upper-case", title: "a name dialled in upper case matches the lower-case DNS SAN", subject: "client", server: { cert: "server" }, client: trusting({ serverName: serverName.toUpperCase() }), expect: "accepted" },
  { id: "identity::case::san-upper-case", title: "a DNS SAN in upper case matches the lower-case name dialled", subject: "client", server: { cert: "server-upper-case" }, client: trusting({ serverName }), expect: "accepted" },
  { id: "identity::case::wildcard-upper-case", title: "*.mesh.test matches DB.MESH.TEST", subject: "client", server: { cert: "server-wildcard" }, client: trusting({ serverName: "DB.MESH.TEST" }), expect: "accepted" },
  {
    id: "identity::trailing-dot::dialled",
    title: "a name dialled with a trailing dot (api.mesh.test.) matches the DNS SAN without one",
    subject: "client",
    server: { cert: "server" },
    client: trusting({ serverName: `${serverName}.` }),
    // The absolute name is the same DNS name (RFC 1034 section 3.1); node, Go, GnuTLS and curl strip the dot.
    expect: "accepted",
    deviations: {
      openssl: { outcome: "rejected:hostname-mismatch", reason: "OpenSSL's X509_check_host compares the name as given, so api.mesh.test. does not equal the DNS SAN api.mesh.test (measured with s_client -verify_hostname, 3.0.19)", reference: "OpenSSL 3.0 X509_check_host(3)" },
      python: { outcome: "rejected:hostname-mismatch", reason: "Python's ssl hands server_hostname to OpenSSL's X509_check_host, which compares the name as given, trailing dot included (measured with 3.11)", reference: "Python docs, ssl.SSLContext.check_hostname; OpenSSL 3.0 X509_check_host(3)" },
      botan: { outcome: "rejected:hostname-mismatch", reason: "Botan 2.19 matches the name as given, trailing dot included (measured with 2.19.3)", reference: "Botan 2.19 src/lib/x509/x509cert.cpp, matches_dns_name" },
      java: { outcome: "rejected:hostname-mismatch", reason: "JSSE refuses a host name with a trailing dot as SNI before connecting (RFC 6066 section 3: the HostName is sent without one), so the client never reaches the server", reference: "RFC 6066 section 3; OpenJDK 17 javax.net.ssl.SNIHostName" },
    },
  },
  {
    id: "identity::wildcard::not-left-most",
    title: "api.*.test (wildcard not the left-most label) does not match api.mesh.test",
    subject: "client",
    server: { cert: "server-wildcard-middle" },
    client: trusting({ serverName }),
    expect: "rejected:hostname-mismatch",
    deviations: { java: javaAllWildcards },
  },
  {
    id: "identity::wildcard::partial-label",
    title: "a*.mesh.test (wildcard inside a label) does not match api.mesh.test",
    subject: "client",
    server: { cert: "server-wildcard-partial" },
    client: trusting({ serverName }),
    expect: "rejected:hostname-mismatch",
    deviations: {
      node: { outcome: "accepted", reason: "node's tls.checkServerIdentity matches a wildcard that is part of the left-most label (a*), as RFC 6125 section 6.4.3 allowed", reference: "RFC 9525 section 6.3 (wildcard only as the whole left-most label); RFC 6125 section 6.4.3; Node.js docs, tls.checkServerIdentity" },
      openssl: { outcome: "accepted", reason: "OpenSSL's X509_check_host matches a partial wildcard label unless X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS is set, which s_client cannot set", reference: "RFC 9525 section 6.3; OpenSSL 3.0 X509_check_host(3)" },
      botan: { outcome: "accepted", reason: "Botan 2.19's host name match accepts a wildcard that is part of the left-most label (measured with 2.19.3)", reference: "RFC 9525 section 6.3; Botan 2.19 src/lib/x509/x509cert.cpp, matches_dns_name" },
      java: javaAllWildcards,
    },
  },
  { id: "identity::wildcard::not-an-ip", title: "the DNS SAN *.0.10.1 does not match the IP address 127.0.10.1", subject: "client", server: { cert: "server-wildcard-ip", listenHost: ipSanAddress }, client: trusting({ serverName: null, verifyIp: ipSanAddress }), needs: ["verify-ip-san"], expect: "rejected:hostname-mismatch" },
  { id: "identity::ip::ip-in-dns-san", title: "an IP address written as a DNS SAN does not match that IP", subject: "client", server: { cert: "server-ip-in-dns", listenHost: ipSanAddress }, client: trusting({ serverName: null, verifyIp: ipSanAddress }), needs: ["verify-ip-san"], expect: "rejected:hostname-mismatch" },
  { id: "identity::san::second-name", title: "the name dialled may be any of the DNS SANs, not only the first", subject: "client", server: { cert: "server-second-san" }, client: trusting({ serverName }), expect: "accepted" },
  { id: "identity::san::uri-only", title: "a certificate with only a SPIFFE URI SAN does not match a DNS name", subject: "client", server: { cert: "server-spiffe" }, client: trusting({ serverName }), expect: "rejected:hostname-mismatch" },
  { id: "identity::spiffe::other-workload", title: "a SPIFFE ID of another workload in the same trust domain is rejected", subject: "client", server: { cert: "server-spiffe-other-workload" }, client: trusting({ serverName: null, expectIdentity: serverIdentity }), needs: ["require-uri-san"], expect: "rejected:identity-mismatch" },
  { id: "identity::sni::selects-certificate", title: "the server presents the certificate for the SNI name asked for", subject: "server", server: sniServer, client: trusting({ serverName: altServerName }), expect: "accepted" },
  { id: "identity::sni::default-certificate", title: "the server presents its default certificate for its default name", subject: "server", server: sniServer, client: trusting({ serverName }), expect: "accepted" },
  { id: "identity::sni::no-sni", title: "without SNI the server presents its default certificate", subject: "server", server: sniServer, client: trusting({ serverName: null, verifyName: serverName }), expect: "accepted" },
  { id: "identity::sni::switch-is-real", title: "asking for the alternate name does not return the default certificate (control)", subject: "server", server: sniServer, client: trusting({ serverName: altServerName, verifyName: serverName }), expect: "rejected:hostname-mismatch" },
]);
