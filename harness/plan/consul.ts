// Consul, as https://developer.hashicorp.com/consul/docs/connect/config-entries/service-defaults
// and .../proxy-defaults document it: MutualTLSMode "strict" (the default) or "permissive", set by
// the service's service-defaults, else the global proxy-defaults; permissive takes effect only
// when the mesh config entry allows it (AllowEnablingPermissiveMutualTLS), else Consul refuses the
// entry. Read as the Kubernetes CRDs (ServiceDefaults, ProxyDefaults, Mesh of
// consul.hashicorp.com) or as config entries in YAML or JSON (Kind, Name, MutualTLSMode).
import type { PolicyMode } from "../core/observation.js";
import { refOf, runsContainer, type Cluster } from "./cluster.js";
import type { Declaration, MeshResolver } from "./declaration.js";
import type { KubeObject } from "./manifests.js";

const group = "consul.hashicorp.com";
const modes: Record<string, PolicyMode> = { strict: "strict", permissive: "permissive" };

/** A CRD or a config entry of this kind, e.g. ServiceDefaults / service-defaults. */
function entries(cluster: Cluster, crdKind: string, entryKind: string): Array<{ object: KubeObject; mode?: string; allowPermissive?: boolean }> {
  const crds = cluster.ofKind(crdKind, group).map((object) => ({ object, mode: object.spec?.mutualTLSMode as string | undefined, allowPermissive: object.spec?.allowEnablingPermissiveMutualTLS as boolean | undefined }));
  const configEntries = cluster.objects.filter((object) => object.apiVersion === "consul/config-entry" && object.kind === entryKind).map((object) => ({ object, mode: object.MutualTLSMode as string | undefined, allowPermissive: object.AllowEnablingPermissiveMutualTLS as boolean | undefined }));
  return [...crds, ...configEntries];
}

export const consul: MeshResolver = {
  mesh: "consul",
  kinds: [
    { kind: "ServiceDefaults", group, resource: "servicedefaults" },
    { kind: "ProxyDefaults", group, resource: "proxydefaults" },
    { kind: "Mesh", group, resource: "meshes" },
    { kind: "service-defaults", group: "consul", resource: "" },
    { kind: "proxy-defaults", group: "consul", resource: "" },
    { kind: "mesh", group: "consul", resource: "" },
  ],
  membership(_cluster, workload) {
    const inject = workload.annotations["consul.hashicorp.com/connect-inject"];
    if (inject === "true") return `${refOf(workload.object)} (consul.hashicorp.com/connect-inject=true)`;
    if (runsContainer(workload, "consul-dataplane")) return `${refOf(workload.object)} (consul-dataplane container)`;
    return undefined;
  },
  resolve(cluster, { workload, service }): Declaration {
    const serviceName = workload.annotations["consul.hashicorp.com/connect-service"] ?? service.name;
    const own = entries(cluster, "ServiceDefaults", "service-defaults").find((entry) => entry.object.metadata.name === serviceName && entry.mode);
    const global = entries(cluster, "ProxyDefaults", "proxy-defaults").find((entry) => entry.object.metadata.name === "global" && entry.mode);
    const chosen = own ?? global;
    if (!chosen) return { mesh: "consul", mode: "strict", declaredBy: ["consul default: MutualTLSMode strict (no service-defaults or proxy-defaults sets it)"] };
    const mode = modes[chosen.mode!];
    if (!mode) return { mesh: "consul", undeclared: `${refOf(chosen.object)}: MutualTLSMode "${chosen.mode}" is not strict or permissive`, declaredBy: [refOf(chosen.object)] };
    if (mode === "permissive") {
      const mesh = entries(cluster, "Mesh", "mesh").find((entry) => entry.allowPermissive === true);
      if (!mesh) return { mesh: "consul", undeclared: `${refOf(chosen.object)} asks for permissive, which Consul refuses unless the mesh config entry sets AllowEnablingPermissiveMutualTLS (none in the inputs does)`, declaredBy: [refOf(chosen.object)] };
      return { mesh: "consul", mode, declaredBy: [refOf(chosen.object), refOf(mesh.object)] };
    }
    return { mesh: "consul", mode, declaredBy: [refOf(chosen.object)] };
  },
  problems(cluster) {
    return entries(cluster, "ServiceDefaults", "service-defaults")
      .filter((entry) => !cluster.services.some((service) => service.name === entry.object.metadata.name) && !cluster.workloads.some((workload) => workload.annotations["consul.hashicorp.com/connect-service"] === entry.object.metadata.name))
      .map((entry) => `${entry.object.source}: ${refOf(entry.object)}: names service ${entry.object.metadata.name}, which no Service or workload in the inputs is`);
  },
};
