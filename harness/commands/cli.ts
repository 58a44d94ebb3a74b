// The `mtls-conformance` command: a thin front over the external checks. It validates input
// (exit 2 with one line), runs the checks in this process, and writes every report from one
// results model (harness/report): the table, --json, --junit, --tap.
import { parseArgs } from "node:util";
import { FixtureError } from "../../fixtures/fixture-set.js";
import { clientMain } from "./client.js";
import { planMain } from "./plan.js";
import { importIssuer, readCertificates } from "../../fixtures/import-issuer.js";
import { describeExpiry } from "../external/expiry.js";
import { externalResultsModel, summaryLine } from "../external/report-model.js";
import { statusLabel } from "../core/case-record.js";
import { runExternalChecks, type ExternalReport } from "../external/run-checks.js";
import { readSessionFile } from "../external/saved-sessions.js";
import { issuerKeyPassphrase, parseSettings, SettingsError, type ExternalSettings, type RawSettings } from "../external/settings.js";
import { isMeshInputError, meshCommandOf, meshCommandOptions, runMeshCommand, type MeshCommand } from "./mesh.js";
import { targetSettingFlags } from "../mesh/targets-file.js";
import { writeMetricsFile, type TargetMetrics } from "../report/metrics.js";
import { printReports, reportFlags, verdictTable, writeReportFiles } from "../report/command-reports.js";
export const usage = `Usage: mtls-conformance run --target HOST:PORT [options]
       mtls-conformance run --targets FILE [--concurrency N] [--shard I/N] [--baseline FILE]
       mtls-conformance merge RESULTS.json... [--reports DIR | --json --junit --summary --html FILE]
       mtls-conformance client --command 'TEMPLATE' [options]   (client --help: test your client)
       mtls-conformance plan FILE|DIR... --out TARGETS.yaml    (plan --help: targets from declared policy)

Probes a TLS or mTLS endpoint from outside with certificates it mints, and reports, per policy
check, what the endpoint did and whether that is what the expected mode requires.

Options:
  --target HOST:PORT        the endpoint (MTLS_TARGET)
  --server-name NAME        SNI to send and the name its certificate must match (MTLS_SERVER_NAME)
  --trust-bundle FILE       PEM roots that must verify the server's chain (MTLS_TRUST_BUNDLE)
  --issuer-cert FILE        a CA the endpoint trusts, to mint valid, expired, not-yet-valid and
  --issuer-key FILE           serverAuth-only client certificates (MTLS_ISSUER_CERT, MTLS_ISSUER_KEY)
  --issuer-key-passphrase-file FILE
                            the issuer key's passphrase, first line of FILE, if the key is
                            encrypted (MTLS_ISSUER_KEY_PASSPHRASE_FILE; or the passphrase itself
                            in MTLS_ISSUER_KEY_PASSPHRASE)
  --expect-mode MODE        strict | permissive | disabled (MTLS_EXPECT_MODE)
  --expect-identity URI     the server's URI SAN, e.g. spiffe://cluster.local/ns/default/sa/api
                            (MTLS_EXPECT_IDENTITY)
  --allow-identity ID       a client identity the endpoint should admit (repeatable; a URI such as
                            spiffe://cluster.local/ns/default/sa/client, or a DNS name): a
                            certificate for it from the issuer must be served, one for another
                            identity from the same issuer refused (MTLS_ALLOW_IDENTITY, comma list)
  --path PATH               the path HTTP probes request (repeatable, default /): every probe check
                            runs per path against that path's own control (MTLS_PATH, comma list)
  --header 'NAME: VALUE'    a header sent on every HTTP request (repeatable; MTLS_HEADER)
  --resume-from NAME        a name the endpoint serves without a client certificate: resume::
                            checks resume its session on --server-name (default a name it does
                            not serve, its default virtual host) (MTLS_RESUME_FROM)
  --save-sessions FILE      write the TLS 1.2 and 1.3 sessions established with this run's valid
                            certificate, with that certificate and its key, to FILE (mode 0600;
                            it holds session secrets: keep it private) (MTLS_SAVE_SESSIONS)
  --resume-sessions FILE    a later run: offer FILE's sessions (resume::saved-session::), judged
                            against a full handshake with the saved certificate now; FILE must be
                            for this --target and --server-name (MTLS_RESUME_SESSIONS)
  --detect                  also run the detect:: checks against a protocol detector in front of
                            the endpoint: a ClientHello split into 1-byte segments, a first byte
                            after a pause of min(11 s, --timeout-ms), a client that says nothing
                            (MTLS_DETECT=1)
  --protocol NAME           what a probe says after the handshake (MTLS_PROTOCOL):
                            http (default) an HTTP/1.1 GET /; h2 the same over HTTP/2 (ALPN h2);
                            raw nothing (served: the handshake completes and no alert comes
                            within 1.5 s); postgres the SSLRequest preamble, then a StartupMessage
  --alpn LIST               ALPN protocols to offer, e.g. h2 for gRPC (MTLS_ALPN)
  --timeout-ms N            per-connection timeout, default 5000 (MTLS_TIMEOUT_MS)
  --min-days N              server::expiry fails when the leaf, a chain certificate, the trust
                            anchor or the issuer has fewer days left, default 14 (MTLS_MIN_DAYS)
  --json FILE               write the report as JSON
  --junit FILE              write JUnit XML
  --metrics FILE            write OpenMetrics text for a textfile collector or a Pushgateway:
                            each check 0/1, the observed mode, probe_ssl_earliest_cert_expiry
                            (docs/metrics.md); with --targets too
  --tap                     print TAP on stdout (the table then goes to stderr)
  -h, --help                this text

Many endpoints (docs/external.md, "Targets files, baselines, shards and merge"):
  --targets FILE            a YAML or JSON file: { defaults: {...}, targets: [ { name, target, ... } ] },
                            each key the camelCase of a flag above, paths relative to the file
  --concurrency N           targets probed at once, default 8
  --shard I/N               only the I-th of N shards of the targets sorted by name (I from 0)
  --reports DIR             write junit.xml, results.json, summary.md and matrix.html to DIR
                            (default reports/ for --targets); --json, --junit, --summary and
                            --html FILE name one each (--json is then results.json)
  --baseline FILE           a previous results.json: exit 1 only for regressions (failing now,
                            passed there or new); known and fixed cases are marked in every report
  --update-baseline FILE    write this run's results.json to FILE as the next baseline
  merge --runs              the inputs are runs of the same tests on different runtimes (npm test
                            and npm run test:containers), not shards: a test in both is kept
                            once per run, its name suffixed with the runtime

A probe is served when it is answered the way the control (the trusted client: a valid
certificate from --issuer-cert, else TLS without a client certificate) is answered; refused on a
TLS alert, a close or reset during the handshake, or a refusing answer the control did not get;
undetermined otherwise; unstable when repeated attempts disagree.

Exit status: 0 every check met its expectation; 1 at least one determined check did not;
2 nothing, or not everything, could be judged (bad usage or input, an unreachable endpoint, a
control that stopped answering, an undetermined or unstable check).`;

class UsageError extends Error {}

interface CliOptions {
  raw: RawSettings;
  json?: string;
  junit?: string;
  metrics?: string;
  tap: boolean;
}

function parseCommandLine(argv: string[]): CliOptions | MeshCommand | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        target: { type: "string" },
        ...targetSettingFlags,
        ...reportFlags,
        ...meshCommandOptions,
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const mesh = meshCommandOf(values, positionals);
  if (mesh) {
    // A target's own settings live in the targets file: given as flags they would be ignored.
    const setting = Object.keys(values).find((flag) => flag in targetSettingFlags);
    if (setting) throw new UsageError(`--${setting} is a target's setting: ${mesh.mesh === "run" ? "with --targets, put it in the file's defaults or entries" : "merge takes none"}`);
    return mesh;
  }
  if (positionals[0] !== "run" || positionals.length > 1) {
    throw new UsageError(positionals.length ? `unknown command "${positionals.join(" ")}": the commands are "run", "merge", "client" and "plan"` : 'missing command: "mtls-conformance run --target HOST:PORT"');
  }
  // Flags mirror the MTLS_* variables; a flag wins over the variable.
  const fromEnv = (flag: string | undefined, variable: string) => flag ?? (process.env[variable] || undefined);
  return {
    raw: {
      target: fromEnv(values.target, "MTLS_TARGET"),
      serverName: fromEnv(values["server-name"], "MTLS_SERVER_NAME"),
      trustBundle: fromEnv(values["trust-bundle"], "MTLS_TRUST_BUNDLE"),
      issuerCert: fromEnv(values["issuer-cert"], "MTLS_ISSUER_CERT"),
      issuerKey: fromEnv(values["issuer-key"], "MTLS_ISSUER_KEY"),
      issuerKeyPassphraseFile: fromEnv(values["issuer-key-passphrase-file"], "MTLS_ISSUER_KEY_PASSPHRASE_FILE"),
      issuerKeyPassphrase: fromEnv(undefined, "MTLS_ISSUER_KEY_PASSPHRASE"),
      expectMode: fromEnv(values["expect-mode"], "MTLS_EXPECT_MODE"),
      expectIdentity: fromEnv(values["expect-identity"], "MTLS_EXPECT_IDENTITY"),
      protocol: fromEnv(values.protocol, "MTLS_PROTOCOL"),
      alpn: fromEnv(values.alpn, "MTLS_ALPN"),
      timeoutMs: fromEnv(values["timeout-ms"], "MTLS_TIMEOUT_MS"),
      minDays: fromEnv(values["min-days"], "MTLS_MIN_DAYS"),
      allowIdentities: fromEnv(values["allow-identity"]?.join(","), "MTLS_ALLOW_IDENTITY"),
      paths: fromEnv(values.path?.join(","), "MTLS_PATH"),
      headers: fromEnv(values.header?.join("\n"), "MTLS_HEADER"),
      resumeFrom: fromEnv(values["resume-from"], "MTLS_RESUME_FROM"),
      saveSessions: fromEnv(values["save-sessions"], "MTLS_SAVE_SESSIONS"),
      resumeSessions: fromEnv(values["resume-sessions"], "MTLS_RESUME_SESSIONS"),
      detect: fromEnv(values.detect ? "1" : undefined, "MTLS_DETECT"),
    },
    json: values.json,
    junit: values.junit,
    metrics: values.metrics,
    tap: values.tap ?? false,
  };
}

/** Reads every input file once before any connection, so bad input fails fast with one line. */
async function validateInputs(settings: ExternalSettings): Promise<void> {
  if (settings.trustBundle) await readCertificates(settings.trustBundle, "trust bundle");
  if (settings.issuerCert && settings.issuerKey) await importIssuer(settings.issuerCert, settings.issuerKey, { passphrase: await issuerKeyPassphrase(settings) });
  if (settings.resumeSessions) await readSessionFile(settings.resumeSessions, settings);
}

function formatTable(report: ExternalReport): string {
  const mark: Record<string, string> = { pass: "PASS", fail: "FAIL", undetermined: "UNDET", unstable: "UNSTABLE", error: "ERROR", recorded: "-", "not-probed": "-" };
  const rows = report.checks.map((check) => [mark[check.verdict] ?? check.verdict, check.id, check.expected, check.observed, check.answer ?? ""]);
  const mode = report.observedMode ? `observed mode ${report.observedMode}` : "no mode (the run could not judge the endpoint)";
  return [
    `target ${report.target} (${report.protocol}${report.paths.join("") === "/" ? "" : ` ${report.paths.join(" ")}`}): ${mode}${report.expectMode ? `, expected ${report.expectMode}` : ""}`,
    `control (${report.control.path}): ${report.control.answer} -> ${report.control.classification}`,
    ...(report.expiry?.nearest ? [`nearest expiry: ${describeExpiry(report.expiry.nearest)}`] : []),
    ...(report.savedSessions ? [savedSessionsLine(report.savedSessions)] : []),
    ...(report.judgedOver ?? []).map((fallback) => `judged over ${fallback.tlsVersion.replace("TLSv", "TLS ")} at ${fallback.path}: ${fallback.reason}`),
    ...verdictTable(["", "check", "expected", "observed", "answer"], rows, 8),
    "",
    ...(report.modeEvidence.length ? [`evidence: ${report.modeEvidence.join("; ")}`] : []),
    // Every check that did not pass says why, except a recorded one (observed, with no verdict to give).
    ...report.checks.filter((check) => check.verdict !== "pass" && check.verdict !== "recorded").map((check) => `${statusLabel(check.verdict)} ${check.id}: ${check.title}; ${check.detail}`),
    summaryLine(report.checks.map((check) => check.verdict)),
  ].join("\n");
}


/** A single run's metrics: the target is named by its address. */
function singleTargetMetrics(report: ExternalReport): TargetMetrics {
  return {
    name: report.target,
    address: report.target,
    expectMode: report.expectMode,
    observedMode: report.observedMode,
    checks: report.checks.map((check) => ({ check: check.id, status: check.verdict })),
    ...(report.expiry?.nearest ? { earliestExpiry: report.expiry.nearest.notAfter } : {}),
  };
}

function savedSessionsLine(saved: NonNullable<ExternalReport["savedSessions"]>): string {
  const problems = saved.problems.length ? ` (${saved.problems.join("; ")})` : "";
  return `sessions saved to ${saved.file}: TLS 1.2 ${saved.sessions["tls1.2"]}, TLS 1.3 ${saved.sessions["tls1.3"]}${problems}; it holds session secrets and a private key: keep it private`;
}

export async function main(argv: string[]): Promise<number> {
  try {
    // The client gallery has its own flags (harness/commands/client.ts).
    if (argv[0] === "client") return await clientMain(argv.slice(1));
    if (argv[0] === "plan") return await planMain(argv.slice(1));
    const options = parseCommandLine(argv);
    if (options === "help") {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if ("mesh" in options) return await runMeshCommand(options);
    const settings = parseSettings(options.raw);
    await validateInputs(settings);
    const started = performance.now();
    const report = await runExternalChecks(settings);
    const model = externalResultsModel(report);
    // The reports are written whatever the run found, an unreachable target included: a script
    // reading them never finds a lost result.
    await writeReportFiles(options, model, report);
    if (options.metrics) await writeMetricsFile(options.metrics, { finishedAt: new Date(), durationMs: performance.now() - started, targets: [singleTargetMetrics(report)] });
    if (report.status === "unreachable") throw new UsageError(`failed to reach ${report.target}: every connection was refused or timed out (${report.control.answer})`);
    printReports(options, model, formatTable(report));
    if (report.problem) process.stderr.write(`mtls-conformance: ${report.problem}\n`);
    return report.exitCode;
  } catch (error) {
    if (error instanceof UsageError || error instanceof SettingsError || error instanceof FixtureError || isMeshInputError(error)) {
      process.stderr.write(`mtls-conformance: ${error.message}\n`);
      return 2;
    }
    // One line, with the cause chain: the stack stays out of the user's terminal.
    const causes: string[] = [];
    for (let cause: unknown = error; cause instanceof Error && causes.length < 4; cause = cause.cause) causes.push(cause.message);
    process.stderr.write(`mtls-conformance: failed unexpectedly: ${causes.join(": ").replace(/\s+/g, " ")}\n`);
    return 2;
  }
}
