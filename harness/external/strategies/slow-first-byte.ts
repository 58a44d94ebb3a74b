// slow-first-byte: the plaintext and no-client-certificate probes sent after a pause longer than a
// protocol detector's timeout (a detector that gives up waiting for a ClientHello and forwards the
// connection as plaintext serves the plaintext request).
import { confirm } from "../confirm.js";
import { probeEndpoint } from "../endpoint-probe.js";
import { judge } from "../oracle.js";
import type { ExternalSettings } from "../settings.js";
import { pairJudgement } from "./paired.js";
import type { ProbeStrategy } from "./strategy.js";

/** Linkerd's proxy waits 10 s for a protocol to be detected; one more second to be past it. */
export const detectionTimeoutMs = 11_000;

/** The pause: past the detection timeout, but never longer than the run's per-connection budget (--timeout-ms). */
export const detectionPauseMs = (settings: Pick<ExternalSettings, "timeoutMs">): number => Math.min(detectionTimeoutMs, settings.timeoutMs);

export const slowFirstByteStrategy: ProbeStrategy<"slow-first-byte"> = {
  kind: "slow-first-byte",
  async probe(_check, run) {
    const pauseMs = detectionPauseMs(run.settings);
    const reference = run.control.path === "plaintext" ? undefined : run.control;
    const attempt = async () => {
      const plaintext = judge(await probeEndpoint({ ...run.specFor("plaintext"), pauseMs }), reference, "plaintext");
      const noCert = judge(await probeEndpoint({ ...run.specFor("tls"), pauseMs }), run.control);
      return pairJudgement({ label: `plaintext after ${pauseMs} ms`, judgement: plaintext }, { label: `no client certificate after ${pauseMs} ms`, judgement: noCert });
    };
    return { attempts: await confirm(attempt) };
  },
};
