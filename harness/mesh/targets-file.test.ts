// The targets file's keys, as the settings they become: defaults under each target's own keys,
// paths against the file's folder, numbers and lists where the flag takes them, YAML and JSON alike.
import { describe, expect, it } from "vitest";
import { parseTargetsFile } from "./targets-file.js";

describe("parseTargetsFile", () => {
  const yaml = [
    "defaults:",
    "  issuerCert: ca/issuer.crt",
    "  issuerKey: /abs/issuer.key",
    "  expectMode: strict",
    "  minDays: 30",
    "  timeoutMs: 2000",
    "targets:",
    "  - name: api",
    "    target: 127.0.0.1:8443",
    "    path: [/health, /admin]",
    "    header: ['X-Tenant: a', 'X-Env: ci']",
    "    allowIdentity: [spiffe://cluster.local/ns/shop/sa/web]",
    "    alpn: [h2, http/1.1]",
    "  - target: '[::1]:9443'",
    "    expectMode: permissive",
    "    resumeFrom: public.mesh.test",
    "    saveSessions: state/local-sessions.json",
    "    resumeSessions: /var/lib/mesh/earlier.json",
  ].join("\n");

  it("applies defaults under each target's keys, resolves paths against the file, takes numbers and lists", () => {
    const { targets } = parseTargetsFile(yaml, "/etc/mesh/targets.yaml");
    expect(targets.map((target) => target.name)).toEqual(["api", "[::1]:9443"]);
    const [api, local] = targets.map((target) => target.settings);
    expect(api).toMatchObject({
      host: "127.0.0.1",
      port: 8443,
      issuerCert: "/etc/mesh/ca/issuer.crt",
      issuerKey: "/abs/issuer.key",
      expectMode: "strict",
      minDays: 30,
      timeoutMs: 2000,
      paths: ["/health", "/admin"],
      headers: [["X-Tenant", "a"], ["X-Env", "ci"]],
      alpn: ["h2", "http/1.1"],
    });
    expect(local).toMatchObject({ host: "::1", port: 9443, expectMode: "permissive", resumeFrom: "public.mesh.test", paths: ["/"], resumeSessions: "/var/lib/mesh/earlier.json" });
    // saveSessions needs the issuer: the defaults give it; the file is resolved against the targets file.
    expect(local!.saveSessions).toBe("/etc/mesh/state/local-sessions.json");
    expect(api!.saveSessions).toBeUndefined();
  });

  it("reads the same from JSON", () => {
    const json = JSON.stringify({ defaults: { expectMode: "strict", timeoutMs: 2000 }, targets: [{ name: "api", target: "127.0.0.1:8443", path: ["/health"] }] });
    expect(parseTargetsFile(json, "/etc/mesh/targets.json").targets[0]!.settings).toMatchObject({ expectMode: "strict", timeoutMs: 2000, paths: ["/health"] });
  });

  it("takes detect as a boolean, in the defaults or one target", () => {
    const yaml = "defaults:\n  detect: true\ntargets:\n  - {name: a, target: 127.0.0.1:1}\n  - {name: b, target: 127.0.0.1:2, detect: false}\n";
    expect(parseTargetsFile(yaml, "/t.yaml").targets.map((target) => target.settings.detect)).toEqual([true, false]);
  });

  it.each([
    ["detect that is not a boolean", "targets:\n  - target: 127.0.0.1:1\n    detect: 3\n", 'targets[0]: key "detect" must be true or false'],
    ["a number where a string goes", "targets:\n  - target: 127.0.0.1:1\n    serverName: 7\n", 'targets[0]: key "serverName" must be a string'],
    ["a list where the flag does not repeat", "targets:\n  - target: 127.0.0.1:1\n    protocol: [http]\n", 'targets[0]: key "protocol" must be a string'],
    ["a repeated name", "targets:\n  - {name: a, target: 127.0.0.1:1}\n  - {name: a, target: 127.0.0.1:2}\n", 'targets[1] (a): key "name": "a" is used by an earlier target'],
    ["a repeated key", "targets:\n  - target: 127.0.0.1:1\n    target: 127.0.0.1:2\n", "failed to parse targets file /t.yaml: Map keys must be unique"],
    ["a session file in the defaults", "defaults:\n  resumeSessions: s.json\ntargets:\n  - target: 127.0.0.1:1\n", 'defaults: key "resumeSessions" belongs to one target, not the defaults'],
    [
      "two targets saving to one session file",
      "defaults:\n  issuerCert: i.crt\n  issuerKey: i.key\ntargets:\n  - {name: a, target: 127.0.0.1:1, saveSessions: s.json}\n  - {name: b, target: 127.0.0.1:2, saveSessions: ./s.json}\n",
      'targets[1] (b): key "saveSessions": /s.json is saved to by target a too (one session file per target)',
    ],
    ["saveSessions without an issuer", "targets:\n  - target: 127.0.0.1:1\n    saveSessions: s.json\n", "targets[0]: --save-sessions needs --issuer-cert and --issuer-key"],
    ["no targets", "defaults:\n  expectMode: strict\n", 'targets file /t.yaml: "targets" must be a non-empty list'],
    ["an unknown top-level key", "target: 127.0.0.1:1\n", 'targets file /t.yaml: unknown key "target" (expected defaults, targets, undeclared)'],
    ["an empty declaredBy", "targets:\n  - name: api\n    target: 127.0.0.1:1\n    declaredBy: []\n", 'targets[0] (api): key "declaredBy" must be a non-empty list of strings (KIND/NAMESPACE/NAME)'],
    ["an undeclared entry without a reason", "targets:\n  - target: 127.0.0.1:1\nundeclared:\n  - name: shop/api:http\n", "targets file /t.yaml: undeclared[0]: expected { name, reason, declaredBy? } (a list of them)"],
  ])("refuses %s, naming the entry and the key", (_title, text, message) => {
    expect(() => parseTargetsFile(text, "/t.yaml")).toThrow(message);
  });
});
