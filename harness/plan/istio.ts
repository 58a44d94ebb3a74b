// Istio, as https://istio.io/latest/docs/reference/config/security/peer_authentication/ and
// https://istio.io/latest/docs/concepts/security/#peer-authentication document it: a
// PeerAuthentication in the root namespace without a selector is mesh-wide, one in a namespace
// without a selector namespace-wide, one with selector.matchLabels workload-wide, its portLevelMtls
// keyed by the workload's port; UNSET (or no mtls) inherits; the narrowest wins; nothing declared is
// PERMISSIVE. AuthorizationPolicy ALLOW rules' principals
// (https://istio.io/latest/docs/reference/config/security/authorization-policy/) are the admitted
// client identities, trust-domain/ns/NS/sa/SA = spiffe://trust-domain/ns/NS/sa/SA.
import type { PolicyMode } from "../core/observation.js";
import { matchesLabels, refOf, runsContainer, type Cluster, type Workload } from "./cluster.js";
import { isRecord, matchLabelsOf, type Declaration, type MeshResolver, type PlanOptions, type PortInQuestion } from "./declaration.js";
import type { KubeObject } from "./manifests.js";

const group = "security.istio.io";
const modes: Record<string, PolicyMode> = { STRICT: "strict", PERMISSIVE: "permissive", DISABLE: "disabled" };

const selectorOf = (object: KubeObject) => matchLabelsOf(object.spec?.selector);
const isWide = (object: KubeObject) => Object.keys(selectorOf(object) ?? { unread: "" }).length === 0;

/** The policies of one level that apply; Istio takes the oldest of several (by creationTimestamp). */
function oldest(policies: KubeObject[]): KubeObject | string | undefined {
  if (policies.length <= 1) return policies[0];
  if (policies.some((policy) => !policy.metadata.creationTimestamp)) return `${policies.map(refOf).join(" and ")} apply at one level and Istio keeps the oldest: no creationTimestamp tells which`;
  return [...policies].sort((a, b) => a.metadata.creationTimestamp!.localeCompare(b.metadata.creationTimestamp!))[0];
}

/** Objects of a kind that apply to a workload: mesh-wide, namespace-wide, selecting it (narrowest last). */
function applying(cluster: Cluster, kind: string, workload: Workload, options: PlanOptions): { mesh: KubeObject[]; namespace: KubeObject[]; workload: KubeObject[]; unread: KubeObject[] } {
  const all = cluster.ofKind(kind, group);
  const inNamespace = (namespace: string) => all.filter((object) => (object.metadata.namespace ?? "default") === namespace);
  const root = options.istioRootNamespace;
  return {
    mesh: inNamespace(root).filter(isWide),
    namespace: workload.namespace === root ? [] : inNamespace(workload.namespace).filter(isWide),
    workload: inNamespace(workload.namespace).filter((object) => !isWide(object) && selectorOf(object) && matchesLabels(selectorOf(object)!, workload.labels)),
    unread: inNamespace(workload.namespace).filter((object) => selectorOf(object) === undefined || object.spec?.targetRef !== undefined || object.spec?.targetRefs !== undefined),
  };
}

function modeText(value: unknown): string {
  return isRecord(value) && typeof value.mode === "string" ? value.mode : "UNSET";
}

/** STRICT/PERMISSIVE/DISABLE; undefined for UNSET (inherit); a string for a value Istio does not define. */
function modeOf(text: string): PolicyMode | undefined | { unknown: string } {
  if (text === "UNSET") return undefined;
  return modes[text] ?? { unknown: text };
}

function peerAuthentication(cluster: Cluster, { workload, port }: PortInQuestion, options: PlanOptions): Pick<Declaration, "mode" | "undeclared" | "declaredBy"> {
  const levels = applying(cluster, "PeerAuthentication", workload, options);
  if (levels.unread.length) return { undeclared: `${levels.unread.map(refOf).join(", ")}: selector form not read (matchExpressions or targetRef)`, declaredBy: levels.unread.map(refOf) };
  const chosen = [levels.workload, levels.namespace, levels.mesh].map(oldest);
  const conflict = chosen.find((choice): choice is string => typeof choice === "string");
  if (conflict) return { undeclared: conflict, declaredBy: [] };
  const [own, namespace, mesh] = chosen as Array<KubeObject | undefined>;
  const portLevel = own?.spec?.portLevelMtls;
  const steps: Array<[KubeObject | undefined, string]> = [
    [own, isRecord(portLevel) ? modeText(portLevel[String(port)]) : "UNSET"],
    [own, modeText(own?.spec?.mtls)],
    [namespace, modeText(namespace?.spec?.mtls)],
    [mesh, modeText(mesh?.spec?.mtls)],
  ];
  for (const [object, text] of steps) {
    if (!object) continue;
    const mode = modeOf(text);
    if (mode === undefined) continue;
    if (typeof mode === "object") return { undeclared: `${refOf(object)}: mtls mode "${mode.unknown}" is not one of STRICT, PERMISSIVE, DISABLE, UNSET`, declaredBy: [refOf(object)] };
    return { mode, declaredBy: [refOf(object)] };
  }
  return { mode: "permissive", declaredBy: ["istio default: PERMISSIVE (no PeerAuthentication sets a mode)"] };
}

/** `*` anywhere makes a principal a pattern: no one certificate stands for it. */
const principalIdentity = (principal: string) => (principal.includes("*") ? undefined : `spiffe://${principal}`);

/** The client identities ALLOW policies admit on this port; undefined with notes when they cannot be listed. */
function allowedIdentities(cluster: Cluster, { workload, port }: PortInQuestion, options: PlanOptions): { identities?: string[]; declaredBy: string[]; notes: string[] } {
  const levels = applying(cluster, "AuthorizationPolicy", workload, options);
  const policies = [...levels.mesh, ...levels.namespace, ...levels.workload];
  const allow = policies.filter((policy) => (policy.spec?.action ?? "ALLOW") === "ALLOW" && policy.spec?.provider === undefined);
  const notes = policies.filter((policy) => !allow.includes(policy)).map((policy) => `${refOf(policy)}: ${String(policy.spec?.action)} rules are not turned into identity checks`);
  if (!allow.length) return { declaredBy: [], notes };
  const identities = new Set<string>();
  let unrestricted: string | undefined;
  for (const policy of allow) {
    const rules = Array.isArray(policy.spec?.rules) ? policy.spec.rules.filter(isRecord) : [];
    if (!rules.length) notes.push(`${refOf(policy)}: an ALLOW policy without rules admits nothing (every request is denied)`);
    for (const rule of rules) {
      const to = Array.isArray(rule.to) ? rule.to.filter(isRecord) : [];
      const ports = to.flatMap((entry) => (isRecord(entry.operation) && Array.isArray(entry.operation.ports) ? entry.operation.ports.map(String) : []));
      if (to.length && ports.length && !ports.includes(String(port))) continue;
      const from = Array.isArray(rule.from) ? rule.from.filter(isRecord) : [];
      if (!from.length) unrestricted ??= `${refOf(policy)} admits any source on this port`;
      for (const entry of from) {
        const principals = isRecord(entry.source) && Array.isArray(entry.source.principals) ? entry.source.principals.map(String) : [];
        if (!principals.length) unrestricted ??= `${refOf(policy)} admits sources by something other than principals`;
        for (const principal of principals) {
          const identity = principalIdentity(principal);
          if (identity) identities.add(identity);
          else unrestricted ??= `${refOf(policy)}: principal "${principal}" is a pattern`;
        }
      }
    }
  }
  const declaredBy = allow.map(refOf);
  if (unrestricted) return { declaredBy, notes: [...notes, `${unrestricted}: no identity checks`] };
  return { identities: identities.size ? [...identities] : undefined, declaredBy, notes };
}

export const istio: MeshResolver = {
  mesh: "istio",
  kinds: [
    { kind: "PeerAuthentication", group, resource: "peerauthentications" },
    { kind: "AuthorizationPolicy", group, resource: "authorizationpolicies" },
  ],
  membership(cluster, workload) {
    const inject = workload.labels["sidecar.istio.io/inject"] ?? workload.annotations["sidecar.istio.io/inject"];
    if (inject === "false") return undefined;
    if (inject === "true") return `${refOf(workload.object)} (sidecar.istio.io/inject=true)`;
    if (runsContainer(workload, "istio-proxy")) return `${refOf(workload.object)} (istio-proxy container)`;
    const labels = cluster.namespaceLabels(workload.namespace);
    if (labels["istio-injection"] === "enabled") return `Namespace/${workload.namespace} (istio-injection=enabled)`;
    if (labels["istio.io/rev"]) return `Namespace/${workload.namespace} (istio.io/rev=${labels["istio.io/rev"]})`;
    if (labels["istio.io/dataplane-mode"] === "ambient") return `Namespace/${workload.namespace} (istio.io/dataplane-mode=ambient)`;
    return undefined;
  },
  resolve(cluster, question, options) {
    const peer = peerAuthentication(cluster, question, options);
    if (!peer.mode) return { mesh: "istio", ...peer };
    const { workload } = question;
    const allowed = peer.mode === "disabled" ? { declaredBy: [], notes: [] } : allowedIdentities(cluster, question, options);
    return {
      mesh: "istio",
      mode: peer.mode,
      declaredBy: [...peer.declaredBy, ...allowed.declaredBy],
      ...(peer.mode === "disabled" ? {} : { expectIdentity: `spiffe://${options.trustDomain}/ns/${workload.namespace}/sa/${workload.serviceAccount}` }),
      ...(allowed.identities ? { allowIdentity: allowed.identities } : {}),
      ...(allowed.notes.length ? { notes: allowed.notes } : {}),
    };
  },
  problems(cluster) {
    const lines: string[] = [];
    for (const kind of ["PeerAuthentication", "AuthorizationPolicy"]) {
      for (const object of cluster.ofKind(kind, group)) {
        const selector = selectorOf(object);
        const namespace = object.metadata.namespace ?? "default";
        if (selector === undefined) lines.push(`${object.source}: ${refOf(object)}: selector form not read (only matchLabels)`);
        else if (Object.keys(selector).length && !cluster.workloadsMatching(namespace, selector).length) {
          lines.push(`${object.source}: ${refOf(object)}: selector ${Object.entries(selector).map(([key, value]) => `${key}=${value}`).join(",")} matches no workload in namespace ${namespace}`);
        }
        if (kind === "PeerAuthentication" && isWide(object) && object.spec?.portLevelMtls !== undefined) lines.push(`${object.source}: ${refOf(object)}: portLevelMtls without a selector is ignored by Istio`);
      }
    }
    return lines;
  },
};
