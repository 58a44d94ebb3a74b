// plaintext: the protocol's request in plaintext on the TLS port, judged against the control (or as
// the control itself when the control is plaintext).
import { confirm } from "../confirm.js";
import { probeEndpoint } from "../endpoint-probe.js";
import { judge } from "../oracle.js";
import type { ProbeStrategy } from "./strategy.js";

export const plaintextStrategy: ProbeStrategy<"plaintext"> = {
  kind: "plaintext",
  async probe(_check, run) {
    const reference = run.control.path === "plaintext" ? undefined : run.control;
    return { attempts: await confirm(async () => judge(await probeEndpoint(run.specFor("plaintext")), reference, "plaintext")) };
  },
};
