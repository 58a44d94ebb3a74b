// `plan` on manifests as the meshes' documentation publishes them (testdata/*-docs, each document
// citing its page) and on a cluster dump: each Service port resolves to what the docs say, with the
// objects that declared it; what cannot be told is undeclared with the reason.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultPlanOptions } from "./declaration.js";
import { loadManifests } from "./manifests.js";
import { meshResolvers } from "./meshes.js";
import { planMesh, type Plan } from "./plan.js";

const testdata = join(import.meta.dirname, "testdata");

async function planOf(...paths: string[]): Promise<Plan & { loadProblems: string[] }> {
  const loaded = await loadManifests(paths.map((path) => join(testdata, path)));
  return { ...planMesh(loaded.objects, meshResolvers, defaultPlanOptions), loadProblems: loaded.problems };
}

/** name -> [mode, declaredBy] for targets; name -> reason for undeclared ports. */
const modes = (plan: Plan) => Object.fromEntries(plan.targets.map((target) => [target.name, [target.expectMode, target.declaredBy]]));
const reasons = (plan: Plan) => Object.fromEntries(plan.undeclared.map((entry) => [entry.name, entry.reason]));
const targetNamed = (plan: Plan, name: string) => plan.targets.find((target) => target.name === name)!;

describe("plan: Istio", () => {
  it("resolves the documentation's PeerAuthentication and AuthorizationPolicy examples", async () => {
    const plan = await planOf("istio-docs");
    expect(modes(plan)).toEqual({
      // foo: namespace PERMISSIVE over the mesh's STRICT.
      "foo/httpbin:http": ["permissive", ["Service/foo/httpbin", "PeerAuthentication/foo/default", "AuthorizationPolicy/foo/httpbin", "Namespace/foo (istio-injection=enabled)"]],
      // bar: the workload policy's port 8080 (the container port behind Service port 8000) DISABLE.
      "bar/httpbin:http": ["disabled", ["Service/bar/httpbin", "PeerAuthentication/bar/httpbin", "Namespace/bar (istio-injection=enabled)"]],
      "default/details:http": ["strict", ["Service/default/details", "PeerAuthentication/istio-system/default", "AuthorizationPolicy/default/details-viewer", "Namespace/default (istio-injection=enabled)"]],
      // finance: UNSET inherits; port 8080 (named targetPort http) DISABLE, 9090 the mesh's STRICT.
      "finance/finance:http": ["disabled", ["Service/finance/finance", "PeerAuthentication/finance/default", "Namespace/finance (istio-injection=enabled)"]],
      "finance/finance:grpc": ["strict", ["Service/finance/finance", "PeerAuthentication/istio-system/default", "Namespace/finance (istio-injection=enabled)"]],
    });
    expect(reasons(plan)).toEqual({ "legacy/httpbin:http": "Deployment/legacy/httpbin is in no mesh (no injection label or annotation of Istio, Linkerd, Kuma or Consul)" });
    expect(targetNamed(plan, "default/details:http")).toMatchObject({
      target: "details.default.svc.cluster.local:9080",
      expectIdentity: "spiffe://cluster.local/ns/default/sa/bookinfo-details",
      allowIdentity: ["spiffe://cluster.local/ns/default/sa/bookinfo-productpage"],
    });
    // Sources admitted by namespace are no identity list: said, not guessed.
    expect(targetNamed(plan, "foo/httpbin:http")).toMatchObject({ expectIdentity: "spiffe://cluster.local/ns/foo/sa/httpbin", notes: ["AuthorizationPolicy/foo/httpbin admits sources by something other than principals: no identity checks"] });
    expect(targetNamed(plan, "foo/httpbin:http").allowIdentity).toBeUndefined();
    expect(targetNamed(plan, "bar/httpbin:http").expectIdentity).toBeUndefined();
    expect([...plan.problems, ...plan.loadProblems]).toEqual([]);
  });

  it("a cluster dump: workload > namespace > mesh, UNSET inherits, the oldest of two, targetPort by name, the pod's Deployment once", async () => {
    const plan = await planOf("istio-cluster-dump.yaml");
    expect(modes(plan)).toEqual({
      "shop/api:http": ["permissive", ["Service/shop/api", "PeerAuthentication/shop/default", "Namespace/shop (istio-injection=enabled)"]],
      "shop/api:metrics": ["disabled", ["Service/shop/api", "PeerAuthentication/shop/api-metrics", "Namespace/shop (istio-injection=enabled)"]],
      "shop/web:https": ["strict", ["Service/shop/web", "PeerAuthentication/shop/web-strict", "Namespace/shop (istio-injection=enabled)"]],
      "data/db:postgres": ["strict", ["Service/data/db", "PeerAuthentication/istio-system/default", "AuthorizationPolicy/data/db-clients", "Namespace/data (istio.io/rev=1-22)"]],
    });
    expect(targetNamed(plan, "data/db:postgres").allowIdentity).toEqual(["spiffe://cluster.local/ns/shop/sa/api", "spiffe://cluster.local/ns/shop/sa/worker"]);
    expect(targetNamed(plan, "shop/api:http").expectIdentity).toBe("spiffe://cluster.local/ns/shop/sa/api");
    expect(reasons(plan)).toEqual({
      "shop/cart:8080": "Deployment/shop/cart is in no mesh (no injection label or annotation of Istio, Linkerd, Kuma or Consul)",
      "data/db:dns": "protocol UDP: the meshes' mTLS is for TCP",
      "data/ledger:http": 'targetPort "web" is no container port of Deployment/data/ledger',
    });
    expect(plan.problems).toEqual([]);
  });

  it("two policies at one level without timestamps, an unread selector form: undeclared with the reason", async () => {
    const { objects } = await loadManifests([join(testdata, "istio-docs", "workloads.yaml")]);
    const extra = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name, namespace: "bar" }, spec, source: "extra.yaml" });
    const twice = planMesh([...objects, extra("one", { mtls: { mode: "STRICT" } }), extra("two", { mtls: { mode: "DISABLE" } })], meshResolvers, defaultPlanOptions);
    expect(reasons(twice)["bar/httpbin:http"]).toBe("istio: PeerAuthentication/bar/one and PeerAuthentication/bar/two apply at one level and Istio keeps the oldest: no creationTimestamp tells which");
    const expressions = planMesh([...objects, extra("exp", { selector: { matchExpressions: [{ key: "app", operator: "In", values: ["httpbin"] }] }, mtls: { mode: "STRICT" } })], meshResolvers, defaultPlanOptions);
    expect(reasons(expressions)["bar/httpbin:http"]).toBe("istio: PeerAuthentication/bar/exp: selector form not read (matchExpressions or targetRef)");
    expect(expressions.problems).toEqual(["extra.yaml: PeerAuthentication/bar/exp: selector form not read (only matchLabels)"]);
  });
});

describe("plan: bad manifests, one line each", () => {
  it("a file that is not YAML, a document that is no object, an unknown kind, a selector matching nothing", async () => {
    const plan = await planOf("bad");
    expect(plan.loadProblems).toEqual([
      expect.stringMatching(/bad\/broken\.yaml: not YAML or JSON \(.+\)$/),
      expect.stringMatching(/bad\/manifests\.yaml#2: not a Kubernetes object \(expected apiVersion, kind and metadata\.name\)$/),
    ]);
    expect(plan.problems).toEqual([
      expect.stringMatching(/bad\/manifests\.yaml#3: DestinationRule \(networking\.istio\.io\/v1\) foo\/reviews: unknown kind, not read$/),
      expect.stringMatching(/bad\/manifests\.yaml#1: PeerAuthentication\/foo\/reviews: selector app=reviews matches no workload in namespace foo$/),
    ]);
  });
});
