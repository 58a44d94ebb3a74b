// `mtls-conformance client`: the client gallery's front. Validates input (exit 2 with one line),
// runs the user's command against every client scenario, and writes the reports from one results
// model, as `run` does: the table, --json, --junit, --tap.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { FixtureError } from "../../fixtures/fixture-set.js";
import { importIssuer } from "../../fixtures/import-issuer.js";
import { issuerKeyPassphrase, SettingsError } from "../external/settings.js";
import { printReports, reportFlags, writeReportFiles, type ReportOptions } from "../report/command-reports.js";
import { p12Password } from "../client/fixtures.js";
import { clientResultsModel, clientTable } from "../client/report-model.js";
import { runClientScenarios, type ClientSettings } from "../client/run-client.js";
import { placeholders, splitTemplate, TemplateError } from "../client/template.js";

export const clientUsage = `Usage: mtls-conformance client --command 'TEMPLATE' [options]

Tests a TLS client: starts one server per client scenario on loopback (a valid control, expired,
not yet valid, wrong name, SNI-selected, untrusted CA, self-signed, missing intermediate, wrong URI
SAN, client certificate required, root rotation, plaintext downgrade) and runs the command once
against each. Exit status 0 (and --accepted-pattern) means the client accepted the server.

Options:
  --command TEMPLATE        the client command; placeholders ${placeholders.map((name) => `{${name}}`).join(" ")}
                            are replaced per scenario, each as one argument (no shell; quote
                            with '...' or "..." as in sh)
  --command-file FILE       the template read from FILE
  --shell                   run the template with sh -c (placeholders inserted single-quoted)
  --timeout-ms N            per command, default 10000: a command still running is killed
                            with its process group and the scenario is a timeout, never a pass
  --accepted-pattern REGEX  success also needs this in the command's output (stdout + stderr)
  --issuer-cert FILE        mint the client identity ({cert} {key} {p12}) from this CA instead
  --issuer-key FILE           of the fixture PKI; the client-certificate server trusts it
  --issuer-key-passphrase-file FILE
                            the issuer key's passphrase (or MTLS_ISSUER_KEY_PASSPHRASE)
  --expect-identity URI     the URI SAN your client requires of the server: the servers carry
                            it, and the wrong-URI-SAN scenario runs
  --name LABEL              the client's name in reports (default: the program's name)
  --json FILE               write the report as JSON
  --junit FILE              write JUnit XML
  --tap                     print TAP on stdout (the table then goes to stderr)
  -h, --help                this text

{url} is https://{server_name}:{port}/ and reaches the scenario through a CONNECT proxy the
command gets in https_proxy (no DNS, no /etc/hosts); clients that can dial an address use
{host} {port} and send {server_name} as SNI. {cert} is the client certificate followed by its
intermediates, {chain} the intermediates alone, {ca} the trust bundle, {p12} the identity as
PKCS#12 (password ${p12Password}).

Exit status: 0 every scenario met its expectation; 1 the client accepted a server it must refuse,
refused one it must accept, or sent its request in the clear; 2 nothing, or not everything, could
be judged (bad usage, a command that does not start, a control the client refused, a timeout).`;

class UsageError extends Error {}

interface ClientOptions extends ReportOptions {
  settings: ClientSettings;
}

async function parseClientCommandLine(argv: string[]): Promise<ClientOptions | "help"> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        command: { type: "string" },
        "command-file": { type: "string" },
        shell: { type: "boolean", default: false },
        "timeout-ms": { type: "string" },
        "accepted-pattern": { type: "string" },
        "issuer-cert": { type: "string" },
        "issuer-key": { type: "string" },
        "issuer-key-passphrase-file": { type: "string" },
        "expect-identity": { type: "string" },
        name: { type: "string" },
        ...reportFlags,
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]!);
  }
  const { values } = parsed;
  if (values.help) return "help";
  if ((values.command === undefined) === (values["command-file"] === undefined)) throw new UsageError("pass the client command with exactly one of --command 'TEMPLATE' and --command-file FILE");
  let template = values.command;
  if (values["command-file"] !== undefined) {
    template = await readFile(values["command-file"], "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`failed to read command file ${values["command-file"]}: ${error.code ?? error.message}`);
    });
  }
  template = template!.trim();
  if (!template) throw new UsageError("the client command is empty");
  const shell = values.shell ?? false;
  // Parsed now so that a quoting mistake is one line before any server starts.
  const program = shell ? "sh" : splitTemplate(template)[0]!;
  const timeoutMs = values["timeout-ms"] === undefined ? 10_000 : Number(values["timeout-ms"]);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 600_000) throw new UsageError(`invalid timeout "${values["timeout-ms"]}": expected whole milliseconds between 100 and 600000`);
  let acceptedPattern: RegExp | undefined;
  if (values["accepted-pattern"] !== undefined) {
    try {
      acceptedPattern = new RegExp(values["accepted-pattern"], "m");
    } catch (error) {
      throw new UsageError(`invalid accepted pattern: ${(error as Error).message}`);
    }
  }
  if ((values["issuer-cert"] === undefined) !== (values["issuer-key"] === undefined)) throw new UsageError("the issuer needs both --issuer-cert and --issuer-key");
  const expectIdentity = values["expect-identity"];
  if (expectIdentity !== undefined && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(expectIdentity)) {
    throw new UsageError(`invalid expected identity "${expectIdentity}": expected a URI such as spiffe://cluster.local/ns/default/sa/api`);
  }
  const passphrase = await issuerKeyPassphrase({ issuerKeyPassphraseFile: values["issuer-key-passphrase-file"], issuerKeyPassphrase: process.env.MTLS_ISSUER_KEY_PASSPHRASE || undefined });
  return {
    settings: {
      template,
      shell,
      timeoutMs,
      acceptedPattern,
      issuerCert: values["issuer-cert"],
      issuerKey: values["issuer-key"],
      issuerKeyPassphrase: passphrase,
      expectIdentity,
      label: values.name ?? (shell ? "sh" : basename(program)),
    },
    json: values.json,
    junit: values.junit,
    tap: values.tap ?? false,
  };
}

export async function clientMain(argv: string[]): Promise<number> {
  try {
    const options = await parseClientCommandLine(argv);
    if (options === "help") {
      process.stdout.write(`${clientUsage}\n`);
      return 0;
    }
    const { settings } = options;
    if (settings.issuerCert && settings.issuerKey) await importIssuer(settings.issuerCert, settings.issuerKey, { passphrase: settings.issuerKeyPassphrase });
    const report = await runClientScenarios(settings);
    const model = clientResultsModel(report);
    await writeReportFiles(options, model, { ...report, acceptedPattern: settings.acceptedPattern?.source ?? null });
    printReports(options, model, clientTable(report));
    if (report.problem) process.stderr.write(`mtls-conformance: ${report.problem}\n`);
    return report.exitCode;
  } catch (error) {
    if (error instanceof UsageError || error instanceof TemplateError || error instanceof SettingsError || error instanceof FixtureError) {
      process.stderr.write(`mtls-conformance: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
