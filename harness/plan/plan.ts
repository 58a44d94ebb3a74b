// `mtls-conformance plan`: the declared state -> a targets file (harness/mesh/targets-file.ts's
// format) with, per Service port, what the mesh that injects its workloads declares, and where
// each expectation came from (declaredBy). What cannot be told is listed under `undeclared` with
// the reason; nothing is guessed.
import { stringify } from "yaml";
import { Cluster, refOf, workloadPort, type Service, type ServicePort } from "./cluster.js";
import type { Declaration, KindRead, MeshResolver, PlanOptions } from "./declaration.js";
import type { KubeObject } from "./manifests.js";

export interface PlannedTarget {
  name: string;
  target: string;
  serverName?: string;
  expectMode: string;
  expectIdentity?: string;
  allowIdentity?: string[];
  protocol?: string;
  declaredBy: string[];
  notes?: string[];
}

export interface UndeclaredTarget {
  name: string;
  reason: string;
  declaredBy?: string[];
}

export interface Plan {
  targets: PlannedTarget[];
  undeclared: UndeclaredTarget[];
  /** One line per object the plan could not use. */
  problems: string[];
}

/** Where a Service port is reached: `<svc>.<ns>.svc.cluster.local:<port>` unless the address map names it. */
export type AddressMap = Map<string, string>;

/** Kinds that carry no mTLS policy: read as part of the cluster or passed over without a word. */
const clusterKinds = new Set([
  "Namespace", "Service", "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController",
  "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "Endpoints", "EndpointSlice",
  "PersistentVolumeClaim", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "Ingress", "IngressClass", "CustomResourceDefinition",
]);

/** The Kubernetes kinds the cluster is read from: namespaces, Services and every kind that holds a pod template. */
const clusterKindsRead: KindRead[] = [
  { kind: "Namespace", group: "", resource: "namespaces" },
  { kind: "Service", group: "", resource: "services" },
  { kind: "Pod", group: "", resource: "pods" },
  { kind: "ReplicationController", group: "", resource: "replicationcontrollers" },
  { kind: "Deployment", group: "apps", resource: "deployments" },
  { kind: "StatefulSet", group: "apps", resource: "statefulsets" },
  { kind: "DaemonSet", group: "apps", resource: "daemonsets" },
  { kind: "ReplicaSet", group: "apps", resource: "replicasets" },
  { kind: "Job", group: "batch", resource: "jobs" },
  { kind: "CronJob", group: "batch", resource: "cronjobs" },
];

/** Every API resource plan reads (what `kubectl get` must fetch and RBAC must allow), as RESOURCE or RESOURCE.GROUP. */
export function resourcesRead(resolvers: readonly MeshResolver[]): string[] {
  return [...clusterKindsRead, ...resolvers.flatMap((resolver) => resolver.kinds)].filter((kind) => kind.resource).map((kind) => (kind.group ? `${kind.resource}.${kind.group}` : kind.resource));
}

function addressOf(service: Service, port: ServicePort, addresses: AddressMap): string {
  const key = `${service.name}.${service.namespace}`;
  const exact = addresses.get(`${key}:${port.port}`);
  if (exact) return exact;
  const host = addresses.get(key);
  return `${host ?? `${key}.svc.cluster.local`}:${port.port}`;
}

const portLabel = (service: Service, port: ServicePort) => `${service.namespace}/${service.name}:${port.name ?? port.port}`;

/** Declarations that agree are one; any difference leaves the port undeclared, saying which. */
function combine(declarations: Declaration[]): Declaration {
  const first = declarations[0]!;
  const differing = declarations.find((other) => other.mode !== first.mode || other.undeclared || JSON.stringify(other.allowIdentity) !== JSON.stringify(first.allowIdentity) || other.expectIdentity !== first.expectIdentity);
  if (first.undeclared || !differing) return { ...first, declaredBy: [...new Set(declarations.flatMap((item) => item.declaredBy))], notes: [...new Set(declarations.flatMap((item) => item.notes ?? []))] };
  return { mesh: first.mesh, undeclared: `the workloads behind it are declared differently (${first.mode} by ${first.declaredBy.join(", ")}; ${differing.mode ?? differing.undeclared} by ${differing.declaredBy.join(", ")})`, declaredBy: [] };
}

export function planMesh(inputs: readonly KubeObject[], resolvers: readonly MeshResolver[], options: PlanOptions, addresses: AddressMap = new Map()): Plan {
  const problems: string[] = [];
  // One object read twice (a dump and a manifest folder, two dumps) counts once: the first read.
  const seen = new Map<string, string>();
  const objects = inputs.filter((object) => {
    const key = `${object.apiVersion.split("/")[0]}\u0000${refOf(object)}`;
    const first = seen.get(key);
    if (first) problems.push(`${object.source}: ${refOf(object)} is also in ${first}: the first is read`);
    else seen.set(key, object.source);
    return !first;
  });
  const cluster = new Cluster(objects);
  for (const object of objects) {
    if (clusterKinds.has(object.kind)) continue;
    const read = resolvers.some((resolver) => resolver.kinds.some((kind) => kind.kind === object.kind && kind.group === object.apiVersion.split("/")[0]));
    if (!read) problems.push(`${object.source}: ${object.kind} (${object.apiVersion}) ${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}: unknown kind, not read`);
  }
  for (const resolver of resolvers) problems.push(...resolver.problems(cluster));
  const targets: PlannedTarget[] = [];
  const undeclared: UndeclaredTarget[] = [];
  for (const service of cluster.services) {
    const workloads = cluster.workloadsOf(service);
    for (const servicePort of service.ports) {
      const name = portLabel(service, servicePort);
      if (servicePort.protocol !== "TCP") {
        undeclared.push({ name, reason: `protocol ${servicePort.protocol}: the meshes' mTLS is for TCP` });
        continue;
      }
      if (!workloads.length) {
        undeclared.push({ name, reason: service.selector ? `Service/${service.namespace}/${service.name} selects no workload in the inputs` : `Service/${service.namespace}/${service.name} has no selector` });
        continue;
      }
      const declarations: Declaration[] = [];
      let reason: string | undefined;
      for (const workload of workloads) {
        const port = workloadPort(servicePort, workload);
        if (port === undefined) {
          reason ??= `targetPort "${servicePort.targetPort}" is no container port of ${workload.object.kind}/${workload.namespace}/${workload.object.metadata.name}`;
          continue;
        }
        const members = resolvers.map((resolver) => ({ resolver, why: resolver.membership(cluster, workload) })).filter((member) => member.why);
        if (!members.length) {
          reason ??= `${workload.object.kind}/${workload.namespace}/${workload.object.metadata.name} is in no mesh (no injection label or annotation of Istio, Linkerd, Kuma or Consul)`;
          continue;
        }
        if (members.length > 1) {
          reason ??= `${workload.object.kind}/${workload.namespace}/${workload.object.metadata.name} is injected by ${members.map((member) => `${member.resolver.mesh} (${member.why})`).join(" and ")}`;
          continue;
        }
        const declaration = members[0]!.resolver.resolve(cluster, { service, servicePort, workload, port }, options);
        declarations.push({ ...declaration, declaredBy: [...declaration.declaredBy, members[0]!.why!] });
      }
      if (reason) {
        undeclared.push({ name, reason });
        continue;
      }
      const declaration = combine(declarations);
      if (!declaration.mode) {
        undeclared.push({ name, reason: `${declaration.mesh}: ${declaration.undeclared}`, ...(declaration.declaredBy.length ? { declaredBy: declaration.declaredBy } : {}) });
        continue;
      }
      targets.push({
        name,
        target: addressOf(service, servicePort, addresses),
        ...(declaration.serverName ? { serverName: declaration.serverName } : {}),
        expectMode: declaration.mode,
        ...(declaration.expectIdentity ? { expectIdentity: declaration.expectIdentity } : {}),
        ...(declaration.allowIdentity?.length ? { allowIdentity: declaration.allowIdentity } : {}),
        ...(declaration.protocol ? { protocol: declaration.protocol } : {}),
        declaredBy: [`Service/${service.namespace}/${service.name}`, ...declaration.declaredBy],
        ...(declaration.notes?.length ? { notes: declaration.notes } : {}),
      });
    }
  }
  return { targets, undeclared, problems };
}

/** The plan as a targets file: `defaults` (the issuer the user names), `targets`, `undeclared`; notes as comments. */
export function targetsFileText(plan: Plan, defaults: Record<string, string>): string {
  const header = ["# Written by mtls-conformance plan: each target's expectations are what its declaredBy objects declare.", "# Run it with: mtls-conformance run --targets FILE"];
  const body: string[] = [];
  if (Object.keys(defaults).length) body.push(stringify({ defaults }, { lineWidth: 0 }).trimEnd());
  body.push("targets:");
  for (const { notes, allowIdentity, ...target } of plan.targets) {
    // Identity checks need the issuer: without one they stay a note.
    const entry = allowIdentity && defaults.issuerCert ? { ...target, allowIdentity } : target;
    const comments = [...(notes ?? []), ...(allowIdentity && !defaults.issuerCert ? [`allowIdentity ${allowIdentity.join(", ")} left out: plan --issuer-cert/--issuer-key to check it`] : [])];
    body.push(...comments.map((note) => `  # ${note.replace(/\n/g, " ")}`));
    body.push(stringify([entry], { lineWidth: 0 }).trimEnd().replace(/^/gm, "  "));
  }
  if (plan.undeclared.length) body.push(stringify({ undeclared: plan.undeclared }, { lineWidth: 0 }).trimEnd());
  return [...header, ...body].join("\n") + "\n";
}
