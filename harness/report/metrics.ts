// `run --metrics FILE`: a run as OpenMetrics text (docs/metrics.md), for the node-exporter
// textfile collector or a Pushgateway. Only gauges, no sample timestamps and no `info` type: the
// same file is then valid OpenMetrics and valid Prometheus text 0.0.4 (which the textfile collector
// parses, and which knows no `info` type; its parser reads `# EOF` as a comment).
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { isPassed, type Verdict } from "../core/case-record.js";
import type { ResultsModel } from "./results.js";

/** One target's part of the metrics: its checks' statuses and the nearest expiry on its horizon. */
export interface TargetMetrics {
  /** The target's name (a single run: its address). */
  name: string;
  /** HOST:PORT, the blackbox exporter's `instance`. */
  address: string;
  expectMode: string | null;
  observedMode: string | null;
  checks: ReadonlyArray<{ check: string; status: Verdict }>;
  /** ISO 8601 notAfter of the certificate that expires first (leaf, chain, trust anchor, issuer); absent: no chain was read. */
  earliestExpiry?: string;
}

export interface RunMetrics {
  finishedAt: Date;
  durationMs: number;
  targets: readonly TargetMetrics[];
}

/** A mesh results model's targets, each with its checks (the cases labelled with its name). */
export function meshTargetMetrics(model: ResultsModel): TargetMetrics[] {
  return (model.mesh?.targets ?? []).map((target) => ({
    name: target.name,
    address: target.target,
    expectMode: target.expectMode,
    observedMode: target.observedMode,
    checks: model.cases.filter((entry) => entry.properties.target === target.name && entry.properties.check !== undefined).map((entry) => ({ check: entry.properties.check!, status: entry.verdict })),
    ...(target.nearestExpiry ? { earliestExpiry: target.nearestExpiry.notAfter } : {}),
  }));
}

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (pairs: Record<string, string>) => `{${Object.entries(pairs).map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(",")}}`;
const seconds = (ms: number) => String(Math.round(ms) / 1000);

interface Family {
  name: string;
  help: string;
  samples: Array<[Record<string, string>, string]>;
}

export function openMetricsText(run: RunMetrics): string {
  const families: Family[] = [
    {
      name: "mtls_conformance_check_passed",
      help: "1 when the check passed (pass or other reason), else 0; status is the check's status",
      samples: run.targets.flatMap((target) => target.checks.map(({ check, status }) => [{ target: target.name, instance: target.address, check, status }, isPassed(status) ? "1" : "0"] as [Record<string, string>, string])),
    },
    {
      name: "mtls_conformance_observed_mode_info",
      help: "The mode the run observed (none: it could not judge the endpoint) and the mode expected",
      samples: run.targets.map((target) => [{ target: target.name, instance: target.address, mode: target.observedMode ?? "none", expected: target.expectMode ?? "" }, "1"]),
    },
    {
      // The blackbox exporter's name and unit (a Unix time in seconds), so alerts written for it apply.
      name: "probe_ssl_earliest_cert_expiry",
      help: "Unix time in seconds of the earliest notAfter on the target's horizon (leaf, chain, trust anchor, client issuer)",
      samples: run.targets.flatMap((target) => (target.earliestExpiry ? [[{ target: target.name, instance: target.address }, String(Date.parse(target.earliestExpiry) / 1000)] as [Record<string, string>, string]] : [])),
    },
    { name: "mtls_conformance_run_duration_seconds", help: "Wall time of the whole run", samples: [[{}, seconds(run.durationMs)]] },
    { name: "mtls_conformance_run_timestamp_seconds", help: "Unix time in seconds at which the run finished", samples: [[{}, seconds(run.finishedAt.getTime())]] },
  ];
  const lines = families.flatMap((family) => [
    `# HELP ${family.name} ${family.help}`,
    `# TYPE ${family.name} gauge`,
    ...family.samples.map(([pairs, value]) => `${family.name}${Object.keys(pairs).length ? labels(pairs) : ""} ${value}`),
  ]);
  return [...lines, "# EOF", ""].join("\n");
}

/** Writes the file whole or not at all (a new file renamed over the old): a textfile collector never reads half a run. */
export async function writeMetricsFile(path: string, run: RunMetrics): Promise<void> {
  const file = resolve(path);
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, openMetricsText(run));
  await rename(partial, file);
}
