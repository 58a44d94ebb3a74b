// What an external run reports: the endpoint's observed mode, the control, and one result per check.
import type { PolicyMode } from "../core/observation.js";
import type { CheckResult } from "./check-result.js";
import type { CertificateExpiry } from "./expiry.js";
import type { ObservedMode } from "./observed-mode.js";
import type { Classification, Control } from "./oracle.js";
import type { Protocol } from "./protocols.js";
import type { SessionVersion } from "./saved-sessions.js";

/**
 * judged: every check ran against a working control. no-control: the control got no usable answer
 * (silence, or the connection ended before TLS). control-refused: the trusted client (the valid
 * certificate) was refused, on every TLS version tried, so nothing defines served. control-lost:
 * the control's answer changed during the run. unreachable: every connection was refused or timed out.
 */
export type RunStatus = "judged" | "no-control" | "control-refused" | "control-lost" | "unreachable";

/** A path judged over TLS 1.2 only: its control is refused over TLS 1.3 and served over TLS 1.2. */
export interface VersionFallback {
  path: string;
  tlsVersion: "TLSv1.2";
  reason: string;
}

export interface ExternalReport {
  /** The HTTP paths probed (--path), each with its own control; check ids carry "@PATH" when there are several. */
  paths: string[];
  target: string;
  protocol: Protocol;
  expectMode: PolicyMode | null;
  /** null when the run could not judge the endpoint (status other than judged). */
  observedMode: ObservedMode | null;
  modeEvidence: string[];
  negotiated: { tlsVersion?: string; cipher?: string; alpn?: string };
  /** server::expiry's inputs: every certificate seen with its days left, and the nearest (null: no TLS session to read a chain from). */
  expiry: { minDays: number; nearest?: CertificateExpiry; certificates: CertificateExpiry[] } | null;
  control: { path: Control["path"]; answer: string; classification: Classification; reason: string; repeats: string[] };
  status: RunStatus;
  /** One line on why the run could not judge, when status is not judged. */
  problem?: string;
  /** False when every connection was refused or timed out: nothing could be judged. */
  judgeable: boolean;
  /** 0 every check met its expectation; 1 a determined check failed; 2 nothing (or not everything) could be judged. */
  exitCode: 0 | 1 | 2;
  checks: CheckResult[];
  /** Paths whose checks were judged over TLS 1.2 only, and why (absent when none). */
  judgedOver?: VersionFallback[];
  /** --save-sessions: the file written and how many sessions it holds per version (with why none, where none). */
  savedSessions?: { file: string; sessions: Record<SessionVersion, number>; problems: string[] };
}
