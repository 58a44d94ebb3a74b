// What one mesh declares for one workload port: a mode with the objects that decided it, or the
// reason it cannot be told (never a guess).
import type { PolicyMode } from "../core/observation.js";
import type { Cluster, Service, ServicePort, Workload } from "./cluster.js";

export type MeshName = "istio" | "linkerd" | "kuma" | "consul";

export interface Declaration {
  mesh: MeshName;
  /** Absent when `undeclared` says why the mode cannot be told. */
  mode?: PolicyMode;
  undeclared?: string;
  /** The objects the expectation came from, KIND/NAMESPACE/NAME (or a default, said as such). */
  declaredBy: string[];
  allowIdentity?: string[];
  expectIdentity?: string;
  serverName?: string;
  /** raw for a port the mesh treats as opaque TCP (no HTTP to speak). */
  protocol?: "raw";
  /** Said in the targets file as comments: what was declared but cannot become a check. */
  notes?: string[];
}

export interface PlanOptions {
  /** SPIFFE trust domain of Istio identities and Linkerd's identity domain. */
  trustDomain: string;
  istioRootNamespace: string;
  /** Linkerd's cluster-wide default inbound policy (set at install: proxy.defaultInboundPolicy). */
  linkerdDefaultPolicy: string;
  kumaSystemNamespace: string;
}

export const defaultPlanOptions: PlanOptions = { trustDomain: "cluster.local", istioRootNamespace: "istio-system", linkerdDefaultPolicy: "all-unauthenticated", kumaSystemNamespace: "kuma-system" };

export interface PortInQuestion {
  service: Service;
  servicePort: ServicePort;
  workload: Workload;
  /** The workload port the Service port forwards to. */
  port: number;
}

export interface KindRead {
  kind: string;
  group: string;
  resource: string;
}

export interface MeshResolver {
  mesh: MeshName;
  /** The kinds read, with their API group and resource (the RBAC the in-cluster Job needs). */
  kinds: KindRead[];
  /** Why the workload is in this mesh (what injects it), or undefined when it is not. */
  membership(cluster: Cluster, workload: Workload): string | undefined;
  resolve(cluster: Cluster, question: PortInQuestion, options: PlanOptions): Declaration;
  /** Problems with the mesh's objects, one line each: a selector matching nothing, a form not read. */
  problems(cluster: Cluster): string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
export { isRecord };

/** A selector's matchLabels, or undefined for a form not read (matchExpressions); {} when there is no selector. */
export function matchLabelsOf(selector: unknown): Record<string, string> | undefined {
  if (selector === undefined || selector === null) return {};
  if (!isRecord(selector)) return undefined;
  if (selector.matchExpressions !== undefined) return undefined;
  const labels = selector.matchLabels ?? {};
  return isRecord(labels) ? (Object.fromEntries(Object.entries(labels).map(([key, value]) => [key, String(value)])) as Record<string, string>) : undefined;
}
