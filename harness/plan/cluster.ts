// The cluster the manifests describe: namespaces, Services and the workloads behind them (pods and
// pod templates), with label selection and Service port -> workload port mapping as Kubernetes
// does it. The meshes resolve their policy against this.
import type { KubeObject } from "./manifests.js";

/** A pod or a pod template: what a policy's selector and a Service's selector match. */
export interface Workload {
  object: KubeObject;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccount: string;
  containers: Array<{ name: string; ports: Array<{ name?: string; containerPort: number; protocol?: string }> }>;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort: number | string;
  protocol: string;
  appProtocol?: string;
}

export interface Service {
  object: KubeObject;
  namespace: string;
  name: string;
  selector?: Record<string, string>;
  ports: ServicePort[];
}

const workloadKinds = new Set(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"]);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const strings = (value: unknown): Record<string, string> => (isRecord(value) ? Object.fromEntries(Object.entries(value).filter(([, text]) => typeof text === "string")) as Record<string, string> : {});

/** Objects without a namespace: Kubernetes' own cluster-scoped kinds, Kuma's Mesh, Consul config entries. */
const clusterScoped = (object: KubeObject): boolean =>
  ["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"].includes(object.kind) || (object.kind === "Mesh" && object.apiVersion.startsWith("kuma.io/")) || object.apiVersion === "consul/config-entry";

export const namespaceOf = (object: KubeObject): string => object.metadata.namespace ?? "default";

/** KIND/NAMESPACE/NAME (a namespaced object without one is in default), or KIND/NAME for a cluster-scoped one: how declaredBy names an object. */
export const refOf = (object: KubeObject): string => `${object.kind}/${clusterScoped(object) ? "" : `${namespaceOf(object)}/`}${object.metadata.name}`;

function workloadOf(object: KubeObject): Workload | undefined {
  if (!workloadKinds.has(object.kind)) return undefined;
  // A pod is its own template; a CronJob's is one level deeper.
  const spec = object.kind === "Pod" ? object.spec : object.kind === "CronJob" ? (object.spec?.jobTemplate as { spec?: Record<string, unknown> })?.spec : object.spec;
  const template = object.kind === "Pod" ? { metadata: object.metadata, spec } : (spec?.template as { metadata?: KubeObject["metadata"]; spec?: Record<string, unknown> } | undefined);
  const podSpec = (object.kind === "Pod" ? object.spec : template?.spec) ?? {};
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers.filter(isRecord) : [];
  return {
    object,
    namespace: namespaceOf(object),
    labels: strings(template?.metadata?.labels),
    annotations: strings(template?.metadata?.annotations),
    serviceAccount: typeof podSpec.serviceAccountName === "string" ? podSpec.serviceAccountName : typeof podSpec.serviceAccount === "string" ? podSpec.serviceAccount : "default",
    containers: containers.map((container) => ({
      name: String(container.name ?? ""),
      ports: (Array.isArray(container.ports) ? container.ports.filter(isRecord) : []).map((port) => ({
        name: typeof port.name === "string" ? port.name : undefined,
        containerPort: Number(port.containerPort),
        protocol: typeof port.protocol === "string" ? port.protocol : undefined,
      })),
    })),
  };
}

function serviceOf(object: KubeObject): Service | undefined {
  if (object.kind !== "Service" || object.apiVersion !== "v1") return undefined;
  const spec = object.spec ?? {};
  const ports = (Array.isArray(spec.ports) ? spec.ports.filter(isRecord) : []).map((port) => ({
    name: typeof port.name === "string" ? port.name : undefined,
    port: Number(port.port),
    // Kubernetes defaults targetPort to the port.
    targetPort: (typeof port.targetPort === "string" || typeof port.targetPort === "number" ? port.targetPort : Number(port.port)) as number | string,
    protocol: typeof port.protocol === "string" ? port.protocol : "TCP",
    appProtocol: typeof port.appProtocol === "string" ? port.appProtocol : undefined,
  }));
  return { object, namespace: namespaceOf(object), name: object.metadata.name, selector: isRecord(spec.selector) ? strings(spec.selector) : undefined, ports };
}

/** A running pod (from a dump) with this container: an injected sidecar, whatever the labels say. */
export const runsContainer = (workload: Workload, name: string): boolean => workload.object.kind === "Pod" && workload.containers.some((container) => container.name === name);

/** Every key of `selector` has that value in `labels` (an empty selector matches everything). */
export const matchesLabels = (selector: Record<string, string>, labels: Record<string, string>): boolean => Object.entries(selector).every(([key, value]) => labels[key] === value);

export class Cluster {
  readonly namespaces = new Map<string, KubeObject>();
  readonly services: Service[] = [];
  readonly workloads: Workload[] = [];

  constructor(readonly objects: readonly KubeObject[]) {
    for (const object of objects) {
      if (object.kind === "Namespace" && object.apiVersion === "v1") this.namespaces.set(object.metadata.name, object);
      const service = serviceOf(object);
      if (service) this.services.push(service);
      const workload = workloadOf(object);
      // A ReplicaSet or Pod owned by a Deployment (in a dump) repeats its owner's template: counted once.
      const owned = Array.isArray(object.metadata && (object.metadata as { ownerReferences?: unknown }).ownerReferences) && object.kind !== "Deployment";
      if (workload && !(owned && object.kind === "ReplicaSet")) this.workloads.push(workload);
    }
  }

  namespaceLabels(namespace: string): Record<string, string> {
    return strings(this.namespaces.get(namespace)?.metadata.labels);
  }

  namespaceAnnotations(namespace: string): Record<string, string> {
    return strings(this.namespaces.get(namespace)?.metadata.annotations);
  }

  /** Of the objects read, those of `kind` whose apiVersion's group is `group` (e.g. security.istio.io). */
  ofKind(kind: string, group: string): KubeObject[] {
    return this.objects.filter((object) => object.kind === kind && object.apiVersion.split("/")[0] === group);
  }

  /** The workloads a Service selects; a dump's pods and their Deployment both select: the Deployment is kept. */
  workloadsOf(service: Service): Workload[] {
    if (!service.selector || !Object.keys(service.selector).length) return [];
    const matching = this.workloads.filter((workload) => workload.namespace === service.namespace && matchesLabels(service.selector!, workload.labels));
    const templates = matching.filter((workload) => workload.object.kind !== "Pod");
    return templates.length ? templates : matching;
  }

  workloadsMatching(namespace: string | undefined, selector: Record<string, string>): Workload[] {
    return this.workloads.filter((workload) => (namespace === undefined || workload.namespace === namespace) && matchesLabels(selector, workload.labels));
  }
}

/** The workload port a Service port forwards to: its number, or the container port of that name; undefined when the name is not declared. */
export function workloadPort(port: ServicePort, workload: Workload): number | undefined {
  if (typeof port.targetPort === "number") return port.targetPort;
  if (/^\d+$/.test(port.targetPort)) return Number(port.targetPort);
  for (const container of workload.containers) {
    const named = container.ports.find((candidate) => candidate.name === port.targetPort);
    if (named) return named.containerPort;
  }
  return undefined;
}

/** The container port (with its name) a workload port number is, if declared. */
export function containerPortOf(workload: Workload, port: number): { name?: string; containerPort: number } | undefined {
  for (const container of workload.containers) {
    const found = container.ports.find((candidate) => candidate.containerPort === port);
    if (found) return found;
  }
  return undefined;
}
