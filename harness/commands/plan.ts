// `mtls-conformance plan FILE|DIR... --out TARGETS`: the declared mesh policy (harness/plan) as a
// targets file for `run --targets`. Bad input is one line each on stderr; exit 2 when a file
// cannot be read or nothing could be planned.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { defaultPlanOptions, type PlanOptions } from "../plan/declaration.js";
import { loadManifests } from "../plan/manifests.js";
import { meshResolvers } from "../plan/meshes.js";
import { planMesh, targetsFileText, type AddressMap } from "../plan/plan.js";

export const planUsage = `Usage: mtls-conformance plan FILE|DIR... --out TARGETS.yaml [options]

Reads the declared mTLS policy (kubectl get ... -A -o yaml|json output, or folders of manifests) of
Istio, Linkerd, Kuma and Consul, and writes a targets file: per Service port, the mode, identities
and server name the declarations imply, and declaredBy (the objects they came from). What cannot
be told is listed under "undeclared" with the reason. Then: mtls-conformance run --targets TARGETS.yaml

Options:
  --out FILE                the targets file to write (- for stdout)
  --address NAME.NS=HOST    reach Service NAME in namespace NS at HOST (the Service's ports kept);
  --address NAME.NS:PORT=HOST:PORT   one Service port at HOST:PORT (repeatable; default
                            NAME.NS.svc.cluster.local:PORT)
  --issuer-cert FILE        the mesh CA, written to the file's defaults (identity checks need it)
  --issuer-key FILE
  --trust-bundle FILE       the roots that must verify the servers' chains, to the defaults
  --trust-domain NAME       SPIFFE trust domain / Linkerd identity domain (default cluster.local)
  --istio-root-namespace NS Istio's root namespace (default istio-system)
  --linkerd-default-policy POLICY   Linkerd's cluster-wide default inbound policy
                            (proxy.defaultInboundPolicy at install; default all-unauthenticated)
  --kuma-system-namespace NS        Kuma's system namespace (default kuma-system)

Exit status: 0 the file was written (problems with single objects are one line each on stderr);
2 an input could not be read or parsed, or no Service port has a declared mode.`;

class PlanUsageError extends Error {}

function addressMap(entries: readonly string[]): AddressMap {
  const map: AddressMap = new Map();
  for (const entry of entries) {
    const match = /^([a-z0-9-]+\.[a-z0-9-]+)(?::(\d+))?=(\S+)$/.exec(entry);
    if (!match || (match[2] !== undefined) !== /:\d+$/.test(match[3]!)) throw new PlanUsageError(`invalid --address "${entry}": expected NAME.NS=HOST or NAME.NS:PORT=HOST:PORT`);
    map.set(match[2] ? `${match[1]}:${match[2]}` : match[1]!, match[3]!);
  }
  return map;
}

export async function planMain(argv: string[]): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: {
          out: { type: "string" },
          address: { type: "string", multiple: true },
          "issuer-cert": { type: "string" },
          "issuer-key": { type: "string" },
          "trust-bundle": { type: "string" },
          "trust-domain": { type: "string" },
          "istio-root-namespace": { type: "string" },
          "linkerd-default-policy": { type: "string" },
          "kuma-system-namespace": { type: "string" },
          help: { type: "boolean", short: "h" },
        },
      });
    } catch (error) {
      throw new PlanUsageError((error as Error).message.split("\n")[0]!);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      process.stdout.write(`${planUsage}\n`);
      return 0;
    }
    if (!positionals.length) throw new PlanUsageError('nothing to read: "mtls-conformance plan FILE|DIR... --out TARGETS.yaml"');
    if (!values.out) throw new PlanUsageError("missing --out FILE (- for stdout)");
    if ((values["issuer-cert"] === undefined) !== (values["issuer-key"] === undefined)) throw new PlanUsageError("the issuer needs both --issuer-cert and --issuer-key");
    const linkerdPolicies = ["all-unauthenticated", "all-authenticated", "cluster-unauthenticated", "cluster-authenticated", "deny", "audit"];
    if (values["linkerd-default-policy"] !== undefined && !linkerdPolicies.includes(values["linkerd-default-policy"])) {
      throw new PlanUsageError(`invalid --linkerd-default-policy "${values["linkerd-default-policy"]}": expected one of ${linkerdPolicies.join(", ")}`);
    }
    const options: PlanOptions = {
      trustDomain: values["trust-domain"] ?? defaultPlanOptions.trustDomain,
      istioRootNamespace: values["istio-root-namespace"] ?? defaultPlanOptions.istioRootNamespace,
      linkerdDefaultPolicy: values["linkerd-default-policy"] ?? defaultPlanOptions.linkerdDefaultPolicy,
      kumaSystemNamespace: values["kuma-system-namespace"] ?? defaultPlanOptions.kumaSystemNamespace,
    };
    const addresses = addressMap(values.address ?? []);
    const loaded = await loadManifests(positionals);
    const plan = planMesh(loaded.objects, meshResolvers, options, addresses);
    for (const line of [...loaded.problems, ...plan.problems]) process.stderr.write(`mtls-conformance: ${line}\n`);
    if (loaded.unreadable) throw new PlanUsageError(`nothing written: ${loaded.unreadable} input file${loaded.unreadable === 1 ? "" : "s"} could not be read or parsed`);
    if (!plan.targets.length) throw new PlanUsageError(`nothing to plan: no Service port has a declared mode (${plan.undeclared.length} undeclared${plan.undeclared[0] ? `, e.g. ${plan.undeclared[0].name}: ${plan.undeclared[0].reason}` : ""})`);
    // Paths in a targets file are relative to it: written absolute, they hold wherever it goes.
    const defaults: Record<string, string> = {};
    if (values["issuer-cert"]) Object.assign(defaults, { issuerCert: resolve(values["issuer-cert"]), issuerKey: resolve(values["issuer-key"]!) });
    if (values["trust-bundle"]) defaults.trustBundle = resolve(values["trust-bundle"]);
    const text = targetsFileText(plan, defaults);
    if (values.out === "-") process.stdout.write(text);
    else await writeFile(values.out, text);
    process.stderr.write(`mtls-conformance: planned ${plan.targets.length} target${plan.targets.length === 1 ? "" : "s"}, ${plan.undeclared.length} undeclared, ${loaded.problems.length + plan.problems.length} problem line${loaded.problems.length + plan.problems.length === 1 ? "" : "s"}${values.out === "-" ? "" : ` -> ${values.out}`}\n`);
    return 0;
  } catch (error) {
    if (error instanceof PlanUsageError) {
      process.stderr.write(`mtls-conformance: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`mtls-conformance: plan failed unexpectedly: ${(error as Error).message.replace(/\s+/g, " ")}\n`);
    return 2;
  }
}
