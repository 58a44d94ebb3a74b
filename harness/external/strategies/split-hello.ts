// split-hello: the no-client-certificate and rogue-CA probes with their ClientHello written one
// byte per TCP segment (a detector that decides on the first segment alone lets it through).
import { confirm } from "../confirm.js";
import { probeEndpoint } from "../endpoint-probe.js";
import { judge } from "../oracle.js";
import { pairJudgement } from "./paired.js";
import type { ProbeStrategy } from "./strategy.js";

/** Between the hello's bytes: long enough that each leaves as its own segment, short enough that a ~500-byte hello takes well under a second. */
export const helloSegmentMs = 1;

export const splitHelloStrategy: ProbeStrategy<"split-hello"> = {
  kind: "split-hello",
  async probe(_check, run) {
    const attempt = async () => {
      const noCert = judge(await probeEndpoint({ ...run.specFor("tls"), helloSegmentMs }), run.control);
      const rogue = judge(await probeEndpoint({ ...run.specFor("tls", "rogue-ca"), helloSegmentMs }), run.control);
      return pairJudgement({ label: "no client certificate", judgement: noCert }, { label: "rogue CA", judgement: rogue });
    };
    return { attempts: await confirm(attempt) };
  },
};
