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

describe("plan: Linkerd", () => {
  it("resolves the documentation's Server, ServerAuthorization, AuthorizationPolicy and default-policy examples", async () => {
    const plan = await planOf("linkerd-docs");
    const web = "web.emojivoto.serviceaccount.identity.linkerd.cluster.local";
    expect(modes(plan)).toEqual({
      "emojivoto/emoji-svc:grpc": ["strict", ["Service/emojivoto/emoji-svc", "Server/emojivoto/emoji-grpc", "ServerAuthorization/emojivoto/emoji-grpc", "Deployment/emojivoto/emoji (linkerd.io/inject=enabled)"]],
      "emojivoto/emoji-svc:prom": ["permissive", ["Service/emojivoto/emoji-svc", "linkerd cluster default: all-unauthenticated", "Deployment/emojivoto/emoji (linkerd.io/inject=enabled)"]],
      "emojivoto/voting-svc:grpc": ["strict", ["Service/emojivoto/voting-svc", "Server/emojivoto/voting-grpc", "AuthorizationPolicy/emojivoto/voting-policy", "Deployment/emojivoto/voting (linkerd.io/inject=enabled)"]],
      "emojivoto/voting-svc:prom": ["permissive", ["Service/emojivoto/voting-svc", "linkerd cluster default: all-unauthenticated", "Deployment/emojivoto/voting (linkerd.io/inject=enabled)"]],
      "emojivoto/web-svc:http": ["permissive", ["Service/emojivoto/web-svc", "Server/emojivoto/web-http", "ServerAuthorization/emojivoto/web-public", "Deployment/emojivoto/web (linkerd.io/inject=enabled)"]],
      "payments/ledger:http": ["strict", ["Service/payments/ledger", "Namespace/payments (config.linkerd.io/default-inbound-policy=all-authenticated)", "Namespace/payments (linkerd.io/inject=enabled)"]],
      "payments/ledger:mysql": ["strict", ["Service/payments/ledger", "Namespace/payments (config.linkerd.io/default-inbound-policy=all-authenticated)", "Deployment/payments/ledger (config.linkerd.io/opaque-ports)", "Namespace/payments (linkerd.io/inject=enabled)"]],
    });
    expect(targetNamed(plan, "emojivoto/emoji-svc:grpc")).toMatchObject({ serverName: "emoji.emojivoto.serviceaccount.identity.linkerd.cluster.local", allowIdentity: [web] });
    expect(targetNamed(plan, "emojivoto/voting-svc:grpc").allowIdentity).toEqual([web]);
    expect(targetNamed(plan, "payments/ledger:mysql").protocol).toBe("raw");
    expect(reasons(plan)).toEqual({ "payments/audit:9000": "linkerd: Deployment/payments/audit (config.linkerd.io/default-inbound-policy=deny): deny admits no client, so there is no mode to expect" });
    expect([...plan.problems, ...plan.loadProblems]).toEqual([]);
  });
});

describe("plan: Kuma", () => {
  it("resolves the Mesh backends' modes and MeshTLS rules[] (a from[] read with a note)", async () => {
    const plan = await planOf("kuma-docs");
    expect(modes(plan)).toEqual({
      "kuma-demo/redis:6379": ["permissive", ["Service/kuma-demo/redis", "MeshTLS/kuma-system/permissive-redis", "Mesh/default", "Namespace/kuma-demo (kuma.io/sidecar-injection=enabled)"]],
      "kuma-demo/demo-app:5000": ["strict", ["Service/kuma-demo/demo-app", "Mesh/default (backend ca-1, mode STRICT (the default))", "Namespace/kuma-demo (kuma.io/sidecar-injection=enabled)"]],
      "kuma-demo/legacy:8080": ["permissive", ["Service/kuma-demo/legacy", "MeshTLS/kuma-demo/legacy-from", "Mesh/default", "Namespace/kuma-demo (kuma.io/sidecar-injection=enabled)"]],
      "migration/orders:8080": ["permissive", ["Service/migration/orders", "Mesh/migrating (backend ca-1, mode PERMISSIVE)", "Namespace/migration (kuma.io/sidecar-injection=enabled)"]],
    });
    expect(targetNamed(plan, "kuma-demo/redis:6379").expectIdentity).toBe("spiffe://default/redis_kuma-demo_svc_6379");
    expect(targetNamed(plan, "kuma-demo/legacy:8080").notes).toEqual(["MeshTLS/kuma-demo/legacy-from declares its mode in from[], which Kuma 3.0 no longer reads: move it to rules[]"]);
    expect([...plan.undeclared, ...plan.problems, ...plan.loadProblems]).toEqual([]);
  });
});

describe("plan: Consul", () => {
  it("resolves service-defaults over proxy-defaults, permissive only where the mesh entry allows it", async () => {
    const plan = await planOf("consul-docs");
    expect(modes(plan)).toEqual({
      "default/example-service:80": ["permissive", ["Service/default/example-service", "ServiceDefaults/default/example-service", "Mesh/default/mesh", "Deployment/default/example-service (consul.hashicorp.com/connect-inject=true)"]],
      "default/static-server:80": ["strict", ["Service/default/static-server", "proxy-defaults/global", "Deployment/default/static-server (consul.hashicorp.com/connect-inject=true)"]],
    });
    expect([...plan.undeclared, ...plan.problems, ...plan.loadProblems]).toEqual([]);
    const { objects } = await loadManifests([join(testdata, "consul-docs")]);
    const withoutMesh = planMesh(objects.filter((object) => object.kind !== "Mesh"), meshResolvers, defaultPlanOptions);
    expect(reasons(withoutMesh)).toEqual({
      "default/example-service:80": "consul: ServiceDefaults/default/example-service asks for permissive, which Consul refuses unless the mesh config entry sets AllowEnablingPermissiveMutualTLS (none in the inputs does)",
    });
  });

  it("a workload two meshes inject is undeclared, never one of them picked", async () => {
    const { objects } = await loadManifests([join(testdata, "consul-docs", "consul.yaml")]);
    const both = objects.map((object) => (object.kind === "Deployment" && object.metadata.name === "static-server" ? JSON.parse(JSON.stringify(object).replace('"consul.hashicorp.com/connect-inject":"true"', '"consul.hashicorp.com/connect-inject":"true","linkerd.io/inject":"enabled"')) : object));
    expect(reasons(planMesh(both, meshResolvers, defaultPlanOptions))["default/static-server:80"]).toBe(
      "Deployment/default/static-server is injected by linkerd (Deployment/default/static-server (linkerd.io/inject=enabled)) and consul (Deployment/default/static-server (consul.hashicorp.com/connect-inject=true))",
    );
  });
});

describe("plan: bad manifests, one line each", () => {
  it("an object read twice counts once, with a line naming both places", async () => {
    const plan = await planOf("istio-cluster-dump.yaml", "istio-cluster-dump.yaml");
    expect(plan.targets.map((target) => target.name)).toEqual(["shop/api:http", "shop/api:metrics", "shop/web:https", "data/db:postgres"]);
    // One line per item of the second copy (the dump lists 20).
    expect(plan.problems).toHaveLength(20);
    expect(plan.problems[0]).toMatch(/istio-cluster-dump\.yaml\[0\]: Namespace\/istio-system is also in .*istio-cluster-dump\.yaml\[0\]: the first is read$/);
  });

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
