// tls: a handshake presenting one of the run's certificates (or none), under the server name or a
// name path, optionally forced onto a protocol path and then judged against the control forced
// onto the same path; a path whose pair the endpoint does not accept is not probed.
import { protocolPairs } from "../checks.js";
import { confirm } from "../confirm.js";
import { probeEndpoint, type ProbeSpec } from "../endpoint-probe.js";
import { judge, type Control } from "../oracle.js";
import { nameSpec, protocolSpec } from "../probe-specs.js";
import type { CheckOf, ProbeRun, ProbeStrategy } from "./strategy.js";

/** The probe a tls check sends. */
export function tlsSpec(check: CheckOf<"tls">, run: ProbeRun): ProbeSpec {
  const spec = run.specFor("tls", check.probe.credential);
  if (check.probe.over) return { ...spec, ...protocolSpec[check.probe.over] };
  return check.probe.name ? { ...spec, ...nameSpec(check.probe.name, run.settings.serverName!) } : spec;
}

export const tlsStrategy: ProbeStrategy<"tls"> = {
  kind: "tls",
  async unprobed(check, run) {
    const { over } = check.probe;
    if (!over) return undefined;
    const entries = [await run.pathControl(over), await run.pathControl(protocolPairs[over])];
    return entries.find((entry): entry is string => typeof entry === "string");
  },
  async probe(check, run) {
    const reference = check.probe.over ? ((await run.pathControl(check.probe.over)) as Control) : run.control;
    return { attempts: await confirm(async () => judge(await probeEndpoint(tlsSpec(check, run)), reference)) };
  },
};
