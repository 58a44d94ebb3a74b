// Kuma, as https://kuma.io/docs/latest/policies/mutual-tls/ and
// https://kuma.io/docs/latest/policies/meshtls/ document it: a workload belongs to the Mesh its
// kuma.io/mesh annotation (workload, else namespace) names, "default" otherwise; mTLS is off
// unless the Mesh's mtls.enabledBackend names a backend, whose mode is STRICT unless it says
// PERMISSIVE; a MeshTLS policy's rules[].default.mode (Strict, Permissive) overrides the backend's
// for what its targetRef selects (Mesh < MeshSubset tags < Dataplane labels: the more specific
// wins). A data plane's identity is spiffe://MESH/SERVICE, SERVICE the kuma.io/service tag
// NAME_NAMESPACE_svc_PORT.
import type { PolicyMode } from "../core/observation.js";
import { matchesLabels, refOf, runsContainer, type Cluster } from "./cluster.js";
import { isRecord, type Declaration, type MeshResolver, type PortInQuestion } from "./declaration.js";
import type { KubeObject } from "./manifests.js";

const group = "kuma.io";
const backendModes: Record<string, PolicyMode> = { STRICT: "strict", PERMISSIVE: "permissive" };
const policyModes: Record<string, PolicyMode> = { Strict: "strict", Permissive: "permissive" };
const specificity: Record<string, number> = { Mesh: 0, MeshSubset: 1, MeshService: 2, Dataplane: 2 };

const namespaceOf = (object: KubeObject) => object.metadata.namespace ?? "default";

function meshNameOf(cluster: Cluster, { workload }: Pick<PortInQuestion, "workload">): string {
  const namespace = cluster.namespaces.get(workload.namespace);
  return workload.annotations["kuma.io/mesh"] ?? namespace?.metadata.annotations?.["kuma.io/mesh"] ?? namespace?.metadata.labels?.["kuma.io/mesh"] ?? "default";
}

/** The tags Kuma gives the data plane of this workload and Service port: its pod labels and the kuma.io/service tag. */
function tagsOf({ workload, service, servicePort }: PortInQuestion): Record<string, string> {
  return { ...workload.labels, "kuma.io/service": `${service.name}_${service.namespace}_svc_${servicePort.port}`, "k8s.kuma.io/namespace": workload.namespace };
}

/** Whether a MeshTLS targetRef selects this data plane; a string for a form not read. */
function selects(targetRef: unknown, question: PortInQuestion): boolean | string {
  if (!isRecord(targetRef) || targetRef.kind === "Mesh") return true;
  const tags = tagsOf(question);
  if (targetRef.kind === "MeshSubset" && isRecord(targetRef.tags)) return matchesLabels(targetRef.tags as Record<string, string>, tags);
  if (targetRef.kind === "Dataplane" && isRecord(targetRef.labels)) return matchesLabels(targetRef.labels as Record<string, string>, tags);
  if (targetRef.kind === "MeshService" && typeof targetRef.name === "string") return targetRef.name === question.service.name && (targetRef.namespace ?? question.service.namespace) === question.service.namespace;
  return `targetRef kind ${String(targetRef.kind)} (${JSON.stringify(targetRef)}) not read`;
}

/** A MeshTLS's mode: rules[] (Kuma 2.10 on); a leftover from[] is read with a note (Kuma 3.0 drops it). */
function meshTLSMode(policy: KubeObject): { mode?: PolicyMode; note?: string; unread?: string } {
  const rules = Array.isArray(policy.spec?.rules) ? policy.spec.rules.filter(isRecord) : undefined;
  const from = Array.isArray(policy.spec?.from) ? policy.spec.from.filter(isRecord) : undefined;
  const entries = rules ?? from?.filter((entry) => !isRecord(entry.targetRef) || entry.targetRef.kind === "Mesh") ?? [];
  const modes = entries.map((entry) => (isRecord(entry.default) ? entry.default.mode : undefined)).filter((mode) => mode !== undefined);
  const last = modes.at(-1);
  if (last !== undefined && !policyModes[String(last)]) return { unread: `${refOf(policy)}: mode "${String(last)}" is not Strict or Permissive` };
  const note = from && !rules ? `${refOf(policy)} declares its mode in from[], which Kuma 3.0 no longer reads: move it to rules[]` : from && rules ? `${refOf(policy)}: from[] is ignored beside rules[]` : undefined;
  return { mode: last === undefined ? undefined : policyModes[String(last)], ...(note ? { note } : {}) };
}

export const kuma: MeshResolver = {
  mesh: "kuma",
  kinds: [
    { kind: "Mesh", group, resource: "meshes" },
    { kind: "MeshTLS", group, resource: "meshtlses" },
  ],
  membership(cluster, workload) {
    const own = workload.labels["kuma.io/sidecar-injection"] ?? workload.annotations["kuma.io/sidecar-injection"];
    if (own === "disabled" || own === "false") return undefined;
    if (own === "enabled" || own === "true") return `${refOf(workload.object)} (kuma.io/sidecar-injection=${own})`;
    if (runsContainer(workload, "kuma-sidecar")) return `${refOf(workload.object)} (kuma-sidecar container)`;
    const namespace = cluster.namespaces.get(workload.namespace);
    const value = namespace?.metadata.labels?.["kuma.io/sidecar-injection"] ?? namespace?.metadata.annotations?.["kuma.io/sidecar-injection"];
    return value === "enabled" || value === "true" ? `Namespace/${workload.namespace} (kuma.io/sidecar-injection=${value})` : undefined;
  },
  resolve(cluster, question, options): Declaration {
    const meshName = meshNameOf(cluster, question);
    const mesh = cluster.ofKind("Mesh", group).find((object) => object.metadata.name === meshName);
    if (!mesh) return { mesh: "kuma", undeclared: `Mesh ${meshName} is not in the inputs`, declaredBy: [] };
    const mtls = isRecord(mesh.spec?.mtls) ? mesh.spec.mtls : undefined;
    if (!mtls?.enabledBackend) return { mesh: "kuma", mode: "disabled", declaredBy: [`${refOf(mesh)} (no mtls.enabledBackend)`] };
    const backend = (Array.isArray(mtls.backends) ? mtls.backends.filter(isRecord) : []).find((entry) => entry.name === mtls.enabledBackend);
    if (!backend) return { mesh: "kuma", undeclared: `${refOf(mesh)}: enabledBackend ${String(mtls.enabledBackend)} is not among its backends`, declaredBy: [refOf(mesh)] };
    const backendMode = backendModes[String(backend.mode ?? "STRICT")];
    if (!backendMode) return { mesh: "kuma", undeclared: `${refOf(mesh)}: backend mode "${String(backend.mode)}" is not STRICT or PERMISSIVE`, declaredBy: [refOf(mesh)] };
    // Policies in the system namespace apply mesh-wide; in a workload's namespace, to that namespace.
    const policies = cluster.ofKind("MeshTLS", group).filter((policy) => (policy.metadata.labels?.["kuma.io/mesh"] ?? "default") === meshName && [options.kumaSystemNamespace, question.workload.namespace].includes(namespaceOf(policy)));
    const chosen: Array<{ policy: KubeObject; rank: number; mode: PolicyMode; note?: string }> = [];
    for (const policy of policies) {
      const selected = selects(policy.spec?.targetRef, question);
      if (typeof selected === "string") return { mesh: "kuma", undeclared: `${refOf(policy)}: ${selected}`, declaredBy: [refOf(policy)] };
      if (!selected) continue;
      const { mode, note, unread } = meshTLSMode(policy);
      if (unread) return { mesh: "kuma", undeclared: unread, declaredBy: [refOf(policy)] };
      const kind = isRecord(policy.spec?.targetRef) ? String(policy.spec.targetRef.kind) : "Mesh";
      // A namespaced policy outranks a system-namespace one of the same kind.
      if (mode) chosen.push({ policy, rank: (specificity[kind] ?? 0) * 2 + (namespaceOf(policy) === options.kumaSystemNamespace ? 0 : 1), mode, ...(note ? { note } : {}) });
    }
    chosen.sort((a, b) => a.rank - b.rank || a.policy.metadata.name.localeCompare(b.policy.metadata.name));
    const top = chosen.at(-1);
    const tags = tagsOf(question);
    return {
      mesh: "kuma",
      mode: top?.mode ?? backendMode,
      declaredBy: top ? [refOf(top.policy), refOf(mesh)] : [`${refOf(mesh)} (backend ${String(backend.name)}, mode ${String(backend.mode ?? "STRICT (the default)")})`],
      expectIdentity: `spiffe://${meshName}/${tags["kuma.io/service"]}`,
      ...(top?.note ? { notes: [top.note] } : {}),
    };
  },
  problems(cluster) {
    const lines: string[] = [];
    for (const policy of cluster.ofKind("MeshTLS", group)) {
      const meshName = policy.metadata.labels?.["kuma.io/mesh"] ?? "default";
      if (!cluster.ofKind("Mesh", group).some((mesh) => mesh.metadata.name === meshName)) lines.push(`${policy.source}: ${refOf(policy)}: Mesh ${meshName} (its kuma.io/mesh label) is not in the inputs`);
      const targetRef = policy.spec?.targetRef;
      if (isRecord(targetRef) && (targetRef.kind === "MeshSubset" || targetRef.kind === "Dataplane")) {
        const wanted = (targetRef.tags ?? targetRef.labels) as Record<string, string> | undefined;
        const plain = Object.fromEntries(Object.entries(wanted ?? {}).filter(([key]) => !key.startsWith("kuma.io/") && !key.startsWith("k8s.kuma.io/")));
        if (wanted && Object.keys(plain).length === Object.keys(wanted).length && !cluster.workloadsMatching(undefined, plain).length) {
          lines.push(`${policy.source}: ${refOf(policy)}: targetRef ${String(targetRef.kind)} ${Object.entries(plain).map(([key, value]) => `${key}=${value}`).join(",")} matches no workload`);
        }
      }
    }
    return lines;
  },
};
