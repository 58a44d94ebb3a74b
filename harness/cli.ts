// The `mtls-conformance` command: a thin front over the external suite. It validates input
// (exit 2 with one line), runs suites/external.test.ts through vitest so JUnit and TAP come from
// the same reporters as `npm test`, then prints the table and writes the JSON.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FixtureError } from "../fixtures/fixture-set.js";
import { importIssuer, readCertificates } from "../fixtures/import-issuer.js";
import { resultsFileVariable } from "./external/external-suite.js";
import type { ExternalReport } from "./external/run-checks.js";
import ResultsReporter from "./report/reporter.js";
import { issuerKeyPassphrase, parseSettings, SettingsError, settingsToEnv, type ExternalSettings, type RawSettings } from "./external/settings.js";

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const usage = `Usage: mtls-conformance run --target HOST:PORT [options]

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
  --alpn LIST               ALPN protocols to offer, e.g. h2 for gRPC (MTLS_ALPN)
  --timeout-ms N            per-connection timeout, default 5000 (MTLS_TIMEOUT_MS)
  --json FILE               write the report as JSON
  --junit FILE              write JUnit XML
  --tap                     print TAP on stdout (the table then goes to stderr)
  -h, --help                this text

Exit status: 0 every check met its expectation; 1 at least one did not; 2 nothing could be
judged (bad usage or input, or every connection refused or timed out).`;

class UsageError extends Error {}

interface CliOptions {
  raw: RawSettings;
  json?: string;
  junit?: string;
  tap: boolean;
}

function parseCommandLine(argv: string[]): CliOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        target: { type: "string" },
        "server-name": { type: "string" },
        "trust-bundle": { type: "string" },
        "issuer-cert": { type: "string" },
        "issuer-key": { type: "string" },
        "issuer-key-passphrase-file": { type: "string" },
        "expect-mode": { type: "string" },
        "expect-identity": { type: "string" },
        alpn: { type: "string" },
        "timeout-ms": { type: "string" },
        json: { type: "string" },
        junit: { type: "string" },
        tap: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals[0] !== "run" || positionals.length > 1) {
    throw new UsageError(positionals.length ? `unknown command "${positionals.join(" ")}": the command is "run"` : 'missing command: "mtls-conformance run --target HOST:PORT"');
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
      alpn: fromEnv(values.alpn, "MTLS_ALPN"),
      timeoutMs: fromEnv(values["timeout-ms"], "MTLS_TIMEOUT_MS"),
    },
    json: values.json,
    junit: values.junit,
    tap: values.tap ?? false,
  };
}

/** Reads every input file once before any connection, so bad input fails fast with one line. */
async function validateInputs(settings: ExternalSettings): Promise<void> {
  if (settings.trustBundle) await readCertificates(settings.trustBundle, "trust bundle");
  if (settings.issuerCert && settings.issuerKey) await importIssuer(settings.issuerCert, settings.issuerKey, { passphrase: await issuerKeyPassphrase(settings) });
}

function formatTable(report: ExternalReport): string {
  const rows = report.checks.map((check) => [check.pass ? "PASS" : "FAIL", check.id, check.expected, check.observed]);
  const widths = [4, ...[1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length), 8))];
  const line = (cells: string[]) => cells.map((cell, index) => (index < 3 ? cell.padEnd(widths[index]!) : cell)).join("  ");
  const failed = report.checks.filter((check) => !check.pass).length;
  return [
    `target ${report.target}: observed mode ${report.observedMode}${report.expectMode ? `, expected ${report.expectMode}` : ""}`,
    line(["", "check", "expected", "observed"]),
    ...rows.map(line),
    "",
    `evidence: ${report.modeEvidence.join("; ")}`,
    ...report.checks.filter((check) => !check.pass).map((check) => `failed ${check.id}: ${check.title}; ${check.detail}`),
    `${report.checks.length - failed} passed, ${failed} failed`,
  ].join("\n");
}

async function runSuite(options: CliOptions, settings: ExternalSettings): Promise<ExternalReport | undefined> {
  const scratch = await mkdtemp(join(tmpdir(), "mtls-run-"));
  const resultsFile = join(scratch, "results.json");
  Object.assign(process.env, settingsToEnv(options.raw), { [resultsFileVariable]: resultsFile });
  const progress = {
    onTestCaseResult(testCase: { name: string; parent: { name?: string }; result(): { state: string } }) {
      if (process.stderr.isTTY) process.stderr.write(`${testCase.result().state === "passed" ? "pass" : "FAIL"} ${testCase.parent.name ?? ""}\n`);
    },
  };
  const reporters: unknown[] = [progress];
  if (options.junit) reporters.push(new ResultsReporter({ junit: resolve(options.junit) }));
  if (options.tap) reporters.push("tap-flat");
  try {
    const { startVitest } = await import("vitest/node");
    const vitest = await startVitest("test", [], {
      root: packageRoot,
      config: false,
      include: ["suites/external.test.ts"],
      watch: false,
      reporters: reporters as never,
      testTimeout: settings.timeoutMs * 4 + 10_000,
      hookTimeout: settings.timeoutMs * 30 + 30_000,
    });
    await vitest?.close();
    return JSON.parse(await readFile(resultsFile, "utf8")) as ExternalReport;
  } catch {
    return undefined;
  } finally {
    process.exitCode = undefined;
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const options = parseCommandLine(argv);
    if (options === "help") {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const settings = parseSettings(options.raw);
    await validateInputs(settings);
    const report = await runSuite(options, settings);
    if (!report) throw new UsageError(`failed to probe ${options.raw.target}: the checks did not complete (run with the same MTLS_* variables under npm test for details)`);
    if (!report.judgeable) throw new UsageError(`failed to reach ${report.target}: every connection was refused or timed out`);
    (options.tap ? process.stderr : process.stdout).write(`${formatTable(report)}\n`);
    if (options.json) await writeFile(resolve(options.json), JSON.stringify(report, null, 2) + "\n");
    return report.checks.every((check) => check.pass) ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError || error instanceof SettingsError || error instanceof FixtureError) {
      process.stderr.write(`mtls-conformance: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`mtls-conformance: failed unexpectedly: ${(error as Error).message}\n`);
    return 2;
  }
}
