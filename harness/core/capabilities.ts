// Things a scenario row may need of the stack under test that some stacks cannot do. A stack lists
// the ones it cannot do, each with the reason (StackDefinition.cannot); a row lists the ones it
// needs (Scenario.needs); the skip and its reason follow from the two (scenario.ts expectationFor),
// as x509-limbo's testcase "features" and BoGo's unimplemented-test lists do.
export const capabilities = {
  "require-uri-san": "a client that insists on a URI SAN (SPIFFE ID) in the server certificate",
  "verify-name-other-than-sni": "a client that verifies a name other than the SNI it sends",
  "serve-several-sni-names": "a server that chooses among more than one SNI certificate",
  "verify-ip-san": "a client that verifies an IP SAN against the address it dials",
  alpn: "a client that offers ALPN protocols",
  "authorize-client-identity": "a server that admits only listed client identities (URI or DNS SANs) once the chain verifies",
  "reload-identity": "a server that switches to another certificate chain while it runs, without a restart (RunningServer.rotate)",
  "present-client-certificate": "a client that presents a certificate when the server asks for one",
  "reload-trust": "a server that changes the client CAs or CRLs it checks while it runs, keeping its sessions and ticket keys (RunningServer.retrust)",
  "add-crl": "a server that starts checking CRLs while it runs when it was started without any (RunningServer.retrust with crls)",
  "resume-session-id": "a server that keeps a session cache and resumes TLS 1.2 sessions by session ID",
} as const;
export type Capability = keyof typeof capabilities;

export function isCapability(name: string): name is Capability {
  return Object.hasOwn(capabilities, name);
}

/** What a stack cannot do, by capability, with the reason a row needing it is skipped. */
export type Incapacities = Partial<Record<Capability, string>>;
