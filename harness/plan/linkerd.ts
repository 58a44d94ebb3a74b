// Linkerd, as https://linkerd.io/2-edge/reference/authorization-policy/ documents it: a port no
// Server selects gets the default inbound policy (the workload's, else the namespace's
// config.linkerd.io/default-inbound-policy annotation, else the cluster's, set at install); a port
// a Server selects (podSelector, port by number or container port name) admits what its
// ServerAuthorizations and AuthorizationPolicies (with MeshTLSAuthentication, NetworkAuthentication
// or ServiceAccount) allow, and nothing else unless the Server's accessPolicy says otherwise.
// Identities are SA.NS.serviceaccount.identity.linkerd.TRUST-DOMAIN (DNS names in the certificate).
import type { PolicyMode } from "../core/observation.js";
import { containerPortOf, matchesLabels, refOf, runsContainer, type Cluster, type Workload } from "./cluster.js";
import { isRecord, matchLabelsOf, type Declaration, type MeshResolver, type PlanOptions, type PortInQuestion } from "./declaration.js";
import type { KubeObject } from "./manifests.js";

const group = "policy.linkerd.io";
const policyAnnotation = "config.linkerd.io/default-inbound-policy";

/** What each default policy admits from a client the harness can be: mTLS only, or plaintext too; deny admits nothing. */
const defaultPolicyModes: Record<string, PolicyMode | "deny"> = {
  "all-unauthenticated": "permissive",
  "cluster-unauthenticated": "permissive",
  audit: "permissive",
  "all-authenticated": "strict",
  "cluster-authenticated": "strict",
  deny: "deny",
};

const identityOf = (serviceAccount: string, namespace: string, options: PlanOptions) => `${serviceAccount}.${namespace}.serviceaccount.identity.linkerd.${options.trustDomain}`;
const namespaceOf = (object: KubeObject) => object.metadata.namespace ?? "default";

function portMatches(server: KubeObject, workload: Workload, port: number): boolean {
  const wanted = server.spec?.port;
  if (typeof wanted === "number") return wanted === port;
  if (typeof wanted === "string") return /^\d+$/.test(wanted) ? Number(wanted) === port : containerPortOf(workload, port)?.name === wanted;
  return false;
}

/** Who an authorization admits: anyone (plaintext included), these identities, or any meshed client (a pattern). */
type Admits = { unauthenticated: true } | { identities: string[]; patterns: string[] };

function serverAuthorizationAdmits(object: KubeObject, options: PlanOptions): Admits {
  const client = isRecord(object.spec?.client) ? object.spec.client : {};
  if (client.unauthenticated === true) return { unauthenticated: true };
  const meshTLS = isRecord(client.meshTLS) ? client.meshTLS : {};
  const identities = Array.isArray(meshTLS.identities) ? meshTLS.identities.map(String) : [];
  const accounts = Array.isArray(meshTLS.serviceAccounts) ? meshTLS.serviceAccounts.filter(isRecord).map((account) => identityOf(String(account.name), String(account.namespace ?? namespaceOf(object)), options)) : [];
  const all = [...identities, ...accounts];
  return { identities: all.filter((identity) => !identity.includes("*")), patterns: [...all.filter((identity) => identity.includes("*")), ...(meshTLS.unauthenticatedTLS === true ? ["any TLS client (unauthenticatedTLS)"] : [])] };
}

function authorizationPolicyAdmits(cluster: Cluster, policy: KubeObject, options: PlanOptions): Admits | string {
  const refs = Array.isArray(policy.spec?.requiredAuthenticationRefs) ? policy.spec.requiredAuthenticationRefs.filter(isRecord) : [];
  const identities: string[] = [];
  const patterns: string[] = [];
  let meshTLS = false;
  for (const ref of refs) {
    const namespace = String(ref.namespace ?? namespaceOf(policy));
    if (ref.kind === "ServiceAccount") {
      meshTLS = true;
      identities.push(identityOf(String(ref.name), namespace, options));
    } else if (ref.kind === "MeshTLSAuthentication") {
      meshTLS = true;
      const authentication = cluster.ofKind("MeshTLSAuthentication", group).find((object) => object.metadata.name === ref.name && namespaceOf(object) === namespace);
      if (!authentication) return `${refOf(policy)}: MeshTLSAuthentication/${namespace}/${String(ref.name)} is not in the inputs`;
      const listed = Array.isArray(authentication.spec?.identities) ? authentication.spec.identities.map(String) : [];
      const byRef = Array.isArray(authentication.spec?.identityRefs) ? authentication.spec.identityRefs.filter(isRecord) : [];
      for (const identity of listed) (identity.includes("*") ? patterns : identities).push(identity);
      for (const identityRef of byRef) {
        if (identityRef.kind === "ServiceAccount" && identityRef.name) identities.push(identityOf(String(identityRef.name), String(identityRef.namespace ?? namespaceOf(authentication)), options));
        else patterns.push(`${String(identityRef.kind)} ${String(identityRef.name ?? "*")}`);
      }
    } else if (ref.kind !== "NetworkAuthentication") {
      return `${refOf(policy)}: authentication kind ${String(ref.kind)} not read`;
    }
  }
  return meshTLS ? { identities, patterns } : { unauthenticated: true };
}

function serverFor(cluster: Cluster, workload: Workload, port: number): KubeObject[] | string {
  const servers: KubeObject[] = [];
  for (const server of cluster.ofKind("Server", group).filter((object) => namespaceOf(object) === workload.namespace)) {
    const selector = matchLabelsOf(server.spec?.podSelector);
    if (selector === undefined) return `${refOf(server)}: podSelector form not read (only matchLabels)`;
    if (matchesLabels(selector, workload.labels) && portMatches(server, workload, port)) servers.push(server);
  }
  return servers;
}

export const linkerd: MeshResolver = {
  mesh: "linkerd",
  kinds: [
    { kind: "Server", group, resource: "servers" },
    { kind: "ServerAuthorization", group, resource: "serverauthorizations" },
    { kind: "AuthorizationPolicy", group, resource: "authorizationpolicies" },
    { kind: "MeshTLSAuthentication", group, resource: "meshtlsauthentications" },
    { kind: "NetworkAuthentication", group, resource: "networkauthentications" },
  ],
  membership(cluster, workload) {
    const own = workload.annotations["linkerd.io/inject"];
    if (own === "disabled") return undefined;
    if (own === "enabled" || own === "ingress") return `${refOf(workload.object)} (linkerd.io/inject=${own})`;
    if (runsContainer(workload, "linkerd-proxy")) return `${refOf(workload.object)} (linkerd-proxy container)`;
    const namespace = cluster.namespaceAnnotations(workload.namespace)["linkerd.io/inject"];
    return namespace === "enabled" || namespace === "ingress" ? `Namespace/${workload.namespace} (linkerd.io/inject=${namespace})` : undefined;
  },
  resolve(cluster, { workload, port }, options): Declaration {
    const namespaceAnnotations = cluster.namespaceAnnotations(workload.namespace);
    const annotation = (key: string): [string, string] | undefined =>
      workload.annotations[key] !== undefined ? [workload.annotations[key]!, refOf(workload.object)] : namespaceAnnotations[key] !== undefined ? [namespaceAnnotations[key]!, `Namespace/${workload.namespace}`] : undefined;
    const listsPort = (value: string | undefined) => (value ?? "").split(",").some((part) => {
      const [low, high] = part.trim().split("-").map(Number);
      return low !== undefined && port >= low && port <= (high ?? low);
    });
    const skipped = annotation("config.linkerd.io/skip-inbound-ports");
    if (skipped && listsPort(skipped[0])) return { mesh: "linkerd", mode: "disabled", declaredBy: [`${skipped[1]} (config.linkerd.io/skip-inbound-ports)`] };
    const opaque = annotation("config.linkerd.io/opaque-ports");
    const opaqueBy = opaque && listsPort(opaque[0]) ? [`${opaque[1]} (config.linkerd.io/opaque-ports)`] : [];
    const identity = { serverName: identityOf(workload.serviceAccount, workload.namespace, options) };
    const servers = serverFor(cluster, workload, port);
    if (typeof servers === "string") return { mesh: "linkerd", undeclared: servers, declaredBy: [] };
    if (servers.length > 1) return { mesh: "linkerd", undeclared: `${servers.map(refOf).join(" and ")} select the same port`, declaredBy: servers.map(refOf) };
    const byDefault = (policy: string, declaredBy: string): Declaration => {
      const mode = defaultPolicyModes[policy];
      if (!mode) return { mesh: "linkerd", undeclared: `${declaredBy}: inbound policy "${policy}" is not one Linkerd defines`, declaredBy: [declaredBy] };
      if (mode === "deny") return { mesh: "linkerd", undeclared: `${declaredBy}: deny admits no client, so there is no mode to expect`, declaredBy: [declaredBy] };
      return { mesh: "linkerd", mode, declaredBy: [declaredBy, ...opaqueBy], ...identity, ...(opaqueBy.length ? { protocol: "raw" } : {}) };
    };
    const server = servers[0];
    if (!server) {
      const declared = annotation(policyAnnotation);
      return declared ? byDefault(declared[0], `${declared[1]} (${policyAnnotation}=${declared[0]})`) : byDefault(options.linkerdDefaultPolicy, `linkerd cluster default: ${options.linkerdDefaultPolicy}`);
    }
    const serverLabels = server.metadata.labels ?? {};
    const authorizations = cluster.ofKind("ServerAuthorization", group).filter((object) => {
      if (namespaceOf(object) !== workload.namespace || !isRecord(object.spec?.server)) return false;
      const { name, selector } = object.spec.server;
      return name === server.metadata.name || (selector !== undefined && matchesLabels(matchLabelsOf(selector) ?? { unread: "" }, serverLabels));
    });
    const policies = cluster.ofKind("AuthorizationPolicy", group).filter((object) => {
      const target = isRecord(object.spec?.targetRef) ? object.spec.targetRef : {};
      return namespaceOf(object) === workload.namespace && ((target.kind === "Server" && target.name === server.metadata.name) || target.kind === "Namespace");
    });
    const routePolicies = cluster.ofKind("AuthorizationPolicy", group).filter((object) => namespaceOf(object) === workload.namespace && isRecord(object.spec?.targetRef) && /Route$/.test(String(object.spec.targetRef.kind)));
    if (routePolicies.length) return { mesh: "linkerd", undeclared: `${routePolicies.map(refOf).join(", ")}: route-level authorization not read`, declaredBy: routePolicies.map(refOf) };
    const opaqueServer = server.spec?.proxyProtocol === "opaque" ? [refOf(server)] : [];
    const raw = opaqueBy.length || opaqueServer.length ? { protocol: "raw" as const } : {};
    if (!authorizations.length && !policies.length) {
      const access = typeof server.spec?.accessPolicy === "string" ? server.spec.accessPolicy : "deny";
      const declared = byDefault(access, `${refOf(server)} (accessPolicy ${access}${server.spec?.accessPolicy === undefined ? ", the default: no authorization names it" : ""})`);
      return { ...declared, ...raw };
    }
    const admits: Admits[] = [];
    for (const authorization of authorizations) admits.push(serverAuthorizationAdmits(authorization, options));
    for (const policy of policies) {
      const admitted = authorizationPolicyAdmits(cluster, policy, options);
      if (typeof admitted === "string") return { mesh: "linkerd", undeclared: admitted, declaredBy: [refOf(policy)] };
      admits.push(admitted);
    }
    const declaredBy = [refOf(server), ...authorizations.map(refOf), ...policies.map(refOf), ...opaqueBy];
    if (admits.some((admit) => "unauthenticated" in admit)) return { mesh: "linkerd", mode: "permissive", declaredBy, ...identity, ...raw };
    const identities = [...new Set(admits.flatMap((admit) => ("identities" in admit ? admit.identities : [])))];
    const patterns = admits.flatMap((admit) => ("patterns" in admit ? admit.patterns : []));
    return {
      mesh: "linkerd",
      mode: "strict",
      declaredBy,
      ...identity,
      ...raw,
      ...(patterns.length ? { notes: [`admits ${patterns.join(", ")}: a pattern, no identity checks`] } : identities.length ? { allowIdentity: identities } : {}),
    };
  },
  problems(cluster) {
    const lines: string[] = [];
    for (const server of cluster.ofKind("Server", group)) {
      const selector = matchLabelsOf(server.spec?.podSelector);
      if (selector === undefined) lines.push(`${server.source}: ${refOf(server)}: podSelector form not read (only matchLabels)`);
      else if (!cluster.workloadsMatching(namespaceOf(server), selector).length) lines.push(`${server.source}: ${refOf(server)}: podSelector ${Object.entries(selector).map(([key, value]) => `${key}=${value}`).join(",")} matches no workload in namespace ${namespaceOf(server)}`);
    }
    for (const policy of cluster.ofKind("AuthorizationPolicy", group)) {
      const target = isRecord(policy.spec?.targetRef) ? policy.spec.targetRef : {};
      if (target.kind === "Server" && !cluster.ofKind("Server", group).some((server) => server.metadata.name === target.name && namespaceOf(server) === namespaceOf(policy))) {
        lines.push(`${policy.source}: ${refOf(policy)}: targetRef Server/${String(target.name)} is not in the inputs`);
      }
    }
    return lines;
  },
};
