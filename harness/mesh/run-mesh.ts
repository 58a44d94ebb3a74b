// Judges every target of a mesh: the external checks (harness/external/run-checks.ts) against each,
// at most `concurrency` at once, each bounded by a deadline. A target whose input cannot be read or
// whose run does not finish in time gets no report, only the problem: it is reported as a
// `control` check that is undetermined (never a pass), like an endpoint that could not be judged.
import { importIssuer, readCertificates } from "../../fixtures/import-issuer.js";
import { readSessionFile } from "../external/saved-sessions.js";
import { runExternalChecks, type ExternalReport } from "../external/run-checks.js";
import { issuerKeyPassphrase, type ExternalSettings } from "../external/settings.js";
import type { MeshTarget } from "./targets-file.js";

export const defaultConcurrency = 8;
/**
 * A target's run makes about 30 probes, each bounded by its timeout, and a control that is not
 * answered ends it after one; this many timeouts is far beyond a run that still makes progress.
 */
export const deadlineTimeouts = 40;

export interface TargetOutcome {
  name: string;
  /** HOST:PORT as given. */
  target: string;
  /** The run's report; absent when the target could not be run or did not finish in time. */
  report?: ExternalReport;
  /** Why there is no report. */
  problem?: string;
  durationMs: number;
}

export interface MeshRunOptions {
  concurrency?: number;
  /** Per-target deadline; default `deadlineTimeouts` x the target's per-connection timeout. */
  deadlineMs?: (settings: ExternalSettings) => number;
  /** Called once per finished target, in the order they finish. */
  onFinished?: (outcome: TargetOutcome, finished: number, total: number) => void;
}

const targetText = (settings: ExternalSettings): string => (settings.host.includes(":") ? `[${settings.host}]:${settings.port}` : `${settings.host}:${settings.port}`);

/**
 * Reads every distinct input file once before any connection (a bad PEM, a key that does not match,
 * a wrong passphrase): returns the first problem as one line naming the target, or undefined.
 */
export async function validateTargetInputs(targets: readonly MeshTarget[]): Promise<string | undefined> {
  const checked = new Map<string, Promise<void>>();
  const once = (key: string, check: () => Promise<unknown>) => {
    if (!checked.has(key)) checked.set(key, check().then(() => undefined));
    return checked.get(key)!;
  };
  for (const { name, settings } of targets) {
    try {
      if (settings.trustBundle) await once(`bundle\u0000${settings.trustBundle}`, () => readCertificates(settings.trustBundle!, "trust bundle"));
      if (settings.issuerCert && settings.issuerKey) {
        const passphrase = await issuerKeyPassphrase(settings);
        await once(`issuer\u0000${settings.issuerCert}\u0000${settings.issuerKey}\u0000${passphrase ?? ""}`, () => importIssuer(settings.issuerCert!, settings.issuerKey!, { passphrase }));
      }
      // A session file for another target or server name stops the run before any connection.
      if (settings.resumeSessions) await readSessionFile(settings.resumeSessions, settings);
    } catch (error) {
      return `target ${name}: ${(error as Error).message}`;
    }
  }
  return undefined;
}

async function runOne({ name, settings }: MeshTarget, deadlineMs: number): Promise<TargetOutcome> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"deadline">((resolve) => {
    timer = setTimeout(() => resolve("deadline"), deadlineMs);
  });
  const run = runExternalChecks(settings).then(
    (report) => ({ report }),
    (error: unknown) => ({ problem: `failed to judge ${targetText(settings)}: ${(error as Error).message}` }),
  );
  try {
    const result = await Promise.race([run, deadline]);
    const durationMs = Math.round(performance.now() - started);
    // A run past its deadline is abandoned: its probes end on their own timeouts, its scratch files
    // are removed when it settles, and its slot is free at once.
    if (result === "deadline") return { name, target: targetText(settings), problem: `did not finish within ${deadlineMs} ms`, durationMs };
    return { name, target: targetText(settings), ...result, durationMs };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every target, at most `concurrency` at once; the outcomes come back in the targets' order. */
export async function runMesh(targets: readonly MeshTarget[], options: MeshRunOptions = {}): Promise<TargetOutcome[]> {
  const concurrency = Math.max(1, options.concurrency ?? defaultConcurrency);
  const deadlineOf = options.deadlineMs ?? ((settings: ExternalSettings) => settings.timeoutMs * deadlineTimeouts);
  const outcomes: TargetOutcome[] = new Array(targets.length);
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < targets.length) {
      const index = next++;
      const target = targets[index]!;
      outcomes[index] = await runOne(target, deadlineOf(target.settings));
      finished++;
      options.onFinished?.(outcomes[index]!, finished, targets.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return outcomes;
}
