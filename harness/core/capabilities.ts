// Things a scenario row may need of the stack under test beyond a plain handshake. A row lists the
// ones it needs (Scenario.needs); a stack opts in to the ones it can do (StackDefinition.can) and
// explains, where it matters, the ones it cannot (StackDefinition.cannot: the stack's limit) or our
// peer does not drive yet (StackDefinition.notYet); the skip and its reason follow (capabilitySkip,
// used by scenario.ts expectationFor), as x509-limbo's testcase "features" and BoGo's
// unimplemented-test lists do. A new capability touches no stack that does not claim it: its rows
// are skipped for the others as "<stack> does not declare <capability>".
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
  "tls1.3": "a stack that speaks TLS 1.3 in the role it plays (a row whose other side speaks TLS 1.3 alone)",
} as const;
export type Capability = keyof typeof capabilities;

export function isCapability(name: string): name is Capability {
  return Object.hasOwn(capabilities, name);
}

/** What a stack cannot do, by capability, with the reason a row needing it is skipped. */
export type Incapacities = Partial<Record<Capability, string>>;

/** What a stack declares: the capabilities it can do, and the reasons for some it cannot do or our peer does not drive yet. */
export interface CapabilityDeclarations {
  can?: readonly Capability[];
  cannot?: Incapacities;
  notYet?: Incapacities;
}

/** Why a row is not played: the stack cannot, our peer does not yet, or the stack does not declare a capability it needs. */
export type CapabilitySkipKind = "stack-cannot" | "peer-not-yet" | "not-declared";

/**
 * Why `name` does not play a row that needs `needs`, or undefined when it can do them all. A stated
 * reason comes first (cannot, then notYet), so a skip says why where the stack folder says why.
 */
export function capabilitySkip(name: string, declared: CapabilityDeclarations, needs: readonly Capability[]): { reason: string; kind: CapabilitySkipKind } | undefined {
  const cannot = needs.find((need) => declared.cannot?.[need] !== undefined);
  if (cannot) return { reason: declared.cannot![cannot]!, kind: "stack-cannot" };
  const notYet = needs.find((need) => declared.notYet?.[need] !== undefined);
  if (notYet) return { reason: declared.notYet![notYet]!, kind: "peer-not-yet" };
  const undeclared = needs.find((need) => !declared.can?.includes(need));
  if (undeclared) return { reason: `${name} does not declare ${undeclared}`, kind: "not-declared" };
  return undefined;
}

export class CapabilityDeclarationError extends Error {}

/** Refuses a declaration that claims a capability and gives a reason it lacks it, or names an unknown one. */
export function checkDeclarations(name: string, declared: CapabilityDeclarations): void {
  for (const capability of [...(declared.can ?? []), ...Object.keys(declared.cannot ?? {}), ...Object.keys(declared.notYet ?? {})]) {
    if (!isCapability(capability)) throw new CapabilityDeclarationError(`failed to read the capabilities of ${name}: unknown capability "${capability}"`);
  }
  for (const capability of declared.can ?? []) {
    if (declared.cannot?.[capability] !== undefined || declared.notYet?.[capability] !== undefined) {
      throw new CapabilityDeclarationError(`failed to read the capabilities of ${name}: it declares it can ${capability} and gives a reason it cannot`);
    }
  }
}
