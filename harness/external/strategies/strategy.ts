// The shape of a probe strategy (one per CheckProbe kind, registry.ts): a probe check probes in its
// group and returns its confirmed attempts, or why it was not probed; a check read from the run's
// handshakes (server certificate, expiry, negotiated) judges after the groups instead.
import type { KeyPairFiles } from "../../core/observation.js";
import type { CheckResult } from "../check-result.js";
import type { CheckDefinition, CheckProbe, ClientCredential, ProtocolPath } from "../checks.js";
import type { Exchange, ProbeSpec } from "../endpoint-probe.js";
import type { ExternalReport, VersionFallback } from "../external-report.js";
import type { Control, Judgement } from "../oracle.js";
import type { SessionFile } from "../saved-sessions.js";
import type { ExternalSettings } from "../settings.js";

export type CheckOf<K extends CheckProbe["kind"]> = CheckDefinition & { probe: Extract<CheckProbe, { kind: K }> };

/** --resume-sessions: the session file and its certificate, written for this run. */
export interface SavedSessions {
  file: SessionFile;
  identity: KeyPairFiles;
}

/** What a probe check may use: the run's settings, its control, and the probes of this HTTP path. */
export interface ProbeRun {
  settings: ExternalSettings;
  control: Control;
  /** Set when this path is judged over TLS 1.2 only. */
  fallback?: VersionFallback;
  saved?: SavedSessions;
  /** A probe of this path, presenting the credential's certificate (forced onto TLS 1.2 under a fallback). */
  specFor(transport: "plaintext" | "tls", credential?: ClientCredential | "none"): ProbeSpec;
  /** The control forced onto a protocol path (probed once per run), or why that path is not probed. */
  pathControl(over: ProtocolPath): Promise<Control | string>;
}

/** A probe check's confirmed attempts, with its own rendering when the common one does not fit; or why it was not probed. */
export type ProbeOutcome = { attempts: Judgement[]; result?: (common: CheckResult) => CheckResult } | { notProbed: string };

/** What a check judged after the groups reads: the first control's handshake and one inspection of the server. */
export interface JudgeView {
  settings: ExternalSettings;
  path: Control["path"];
  negotiated: ExternalReport["negotiated"];
  expiry: ExternalReport["expiry"];
  inspection?: Exchange;
}

export interface ProbeStrategy<K extends CheckProbe["kind"] = CheckProbe["kind"]> {
  kind: K;
  /** Why the check is not probed on this run (before anything else is decided about it). */
  unprobed?(check: CheckOf<K>, run: ProbeRun): Promise<string | undefined>;
  /** Probes a check in its group: its attempts, confirmed (confirm.ts). */
  probe?(check: CheckOf<K>, run: ProbeRun): Promise<ProbeOutcome>;
  /** Whether the check reads the server inspection (one extra handshake after the groups). */
  inspects?: boolean;
  /** A check without a probe: judged from what the run saw. */
  judge?(check: CheckOf<K>, view: JudgeView): CheckResult;
}
