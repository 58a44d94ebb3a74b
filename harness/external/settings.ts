// Settings for probing an external endpoint, from MTLS_* variables (npm test) or CLI flags. Bad
// values are a SettingsError with one line a user can act on.
import { readFile } from "node:fs/promises";
import type { PolicyMode } from "../core/observation.js";
import { defaultMinDays } from "./expiry.js";
import { parseIdentity, type ClientIdentity } from "./identities.js";
import { protocols, type Protocol } from "./protocols.js";

export interface ExternalSettings {
  host: string;
  port: number;
  serverName?: string;
  trustBundle?: string;
  issuerCert?: string;
  issuerKey?: string;
  /** A file whose first line is the issuer key's passphrase; wins over issuerKeyPassphrase. */
  issuerKeyPassphraseFile?: string;
  /** The passphrase itself (from MTLS_ISSUER_KEY_PASSPHRASE only): never printed or reported. */
  issuerKeyPassphrase?: string;
  expectMode?: PolicyMode;
  expectIdentity?: string;
  /** What a probe says after the handshake: http (default), h2, raw (nothing), postgres (SSLRequest first). */
  protocol: Protocol;
  /** ALPN protocols to offer, e.g. ["h2"] for a gRPC collector (h2 by default with --protocol h2). */
  alpn: string[];
  timeoutMs: number;
  /** server::expiry fails below this many days left. */
  minDays: number;
  /** --allow-identity: the client identities the endpoint should admit (identity:: checks; needs the issuer). */
  allowIdentities: ClientIdentity[];
  /** --path (http, h2): every probe check runs once per path, each against its own control; default ["/"]. */
  paths: string[];
  /** --header (http, h2): sent on every request. */
  headers: Array<[name: string, value: string]>;
  /** --resume-from: a name the endpoint serves without a client certificate, whose session the resume:: checks carry to --server-name (default a name it does not serve: its default virtual host). */
  resumeFrom?: string;
  /** --save-sessions: write the TLS 1.2 and 1.3 sessions established with this run's valid certificate, with that certificate and key, to this file (saved-sessions.ts). */
  saveSessions?: string;
  /** --resume-sessions: a file an earlier run saved; the resume::saved-session checks offer its sessions. */
  resumeSessions?: string;
  /** --detect: run the detect:: checks (protocol detectors: a split ClientHello, a slow first byte, a server that speaks first); each pauses up to --timeout-ms. */
  detect?: boolean;
}

export class SettingsError extends Error {}

export const policyModes: PolicyMode[] = ["strict", "permissive", "disabled"];
export const defaultTimeoutMs = 5_000;

/** Everything a run takes, keyed by the environment variable that carries it. */
export const settingVariables = {
  target: "MTLS_TARGET",
  serverName: "MTLS_SERVER_NAME",
  trustBundle: "MTLS_TRUST_BUNDLE",
  issuerCert: "MTLS_ISSUER_CERT",
  issuerKey: "MTLS_ISSUER_KEY",
  issuerKeyPassphraseFile: "MTLS_ISSUER_KEY_PASSPHRASE_FILE",
  issuerKeyPassphrase: "MTLS_ISSUER_KEY_PASSPHRASE",
  expectMode: "MTLS_EXPECT_MODE",
  expectIdentity: "MTLS_EXPECT_IDENTITY",
  protocol: "MTLS_PROTOCOL",
  alpn: "MTLS_ALPN",
  timeoutMs: "MTLS_TIMEOUT_MS",
  minDays: "MTLS_MIN_DAYS",
  /** Comma-separated; the flag is repeatable. */
  allowIdentities: "MTLS_ALLOW_IDENTITY",
  /** Comma-separated; the flag is repeatable. */
  paths: "MTLS_PATH",
  /** Newline-separated "Name: value" lines; the flag is repeatable. */
  headers: "MTLS_HEADER",
  resumeFrom: "MTLS_RESUME_FROM",
  saveSessions: "MTLS_SAVE_SESSIONS",
  resumeSessions: "MTLS_RESUME_SESSIONS",
  /** 1 or true (the flag takes no value). */
  detect: "MTLS_DETECT",
} as const;

export type RawSettings = Partial<Record<keyof typeof settingVariables, string>>;

/** Headers that frame the request (HTTP/1.1 and HTTP/2 alike): the harness writes them. */
const reservedHeaders = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive", "upgrade", "te"]);

export function parseTarget(target: string): { host: string; port: number } {
  const match = /^\[([0-9a-fA-F:]+)\]:(\d+)$/.exec(target) ?? /^([^:\s]+):(\d+)$/.exec(target);
  if (!match) throw new SettingsError(`invalid target "${target}": expected HOST:PORT (or [IPv6]:PORT)`);
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SettingsError(`invalid target "${target}": port must be 1-65535`);
  return { host: match[1]!, port };
}

export function parseSettings(raw: RawSettings): ExternalSettings {
  if (!raw.target) throw new SettingsError("missing target: pass --target HOST:PORT (or set MTLS_TARGET)");
  const { host, port } = parseTarget(raw.target);
  if (raw.expectMode !== undefined && !policyModes.includes(raw.expectMode as PolicyMode)) {
    throw new SettingsError(`invalid expected mode "${raw.expectMode}": expected one of ${policyModes.join(", ")}`);
  }
  if ((raw.issuerCert === undefined) !== (raw.issuerKey === undefined)) {
    throw new SettingsError("the issuer needs both --issuer-cert and --issuer-key (MTLS_ISSUER_CERT and MTLS_ISSUER_KEY)");
  }
  if (raw.expectIdentity !== undefined && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(raw.expectIdentity)) {
    throw new SettingsError(`invalid expected identity "${raw.expectIdentity}": expected a URI such as spiffe://cluster.local/ns/default/sa/api`);
  }
  if (raw.protocol !== undefined && !protocols.includes(raw.protocol as Protocol)) {
    throw new SettingsError(`invalid protocol "${raw.protocol}": expected one of ${protocols.join(", ")}`);
  }
  const protocol = (raw.protocol ?? "http") as Protocol;
  const alpn = (raw.alpn ?? "").split(",").map((name) => name.trim()).filter(Boolean);
  const timeoutMs = raw.timeoutMs === undefined ? defaultTimeoutMs : Number(raw.timeoutMs);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 600_000) {
    throw new SettingsError(`invalid timeout "${raw.timeoutMs}": expected whole milliseconds between 100 and 600000`);
  }
  const minDays = raw.minDays === undefined ? defaultMinDays : Number(raw.minDays);
  if (!/^\d+$/.test(raw.minDays ?? "0") || minDays > 36_500) {
    throw new SettingsError(`invalid minimum days "${raw.minDays}": expected whole days between 0 and 36500`);
  }
  const allowIdentities = (raw.allowIdentities ?? "").split(",").map((text) => text.trim()).filter(Boolean).map((text) => {
    const identity = parseIdentity(text);
    if (!identity) throw new SettingsError(`invalid allowed identity "${text}": expected a URI such as spiffe://cluster.local/ns/default/sa/client or a DNS name such as client.mesh.test`);
    return identity;
  });
  if (allowIdentities.length && raw.issuerCert === undefined) {
    throw new SettingsError("--allow-identity needs --issuer-cert and --issuer-key: the identities are minted from the issuer the endpoint trusts");
  }
  const paths = [...new Set((raw.paths ?? "").split(",").map((path) => path.trim()).filter(Boolean))];
  for (const path of paths) {
    if (!/^\/[\x21-\x7e]*$/.test(path)) throw new SettingsError(`invalid path "${path}": expected an absolute path such as /api, no spaces`);
  }
  const headers = (raw.headers ?? "").split("\n").filter((line) => line.trim()).map((line): [string, string] => {
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n]*?)[ \t]*$/.exec(line);
    if (!match) throw new SettingsError(`invalid header "${line}": expected 'Name: value'`);
    if (reservedHeaders.has(match[1]!.toLowerCase())) throw new SettingsError(`invalid header "${line}": the harness sets ${match[1]} itself`);
    return [match[1]!, match[2]!];
  });
  if (raw.resumeFrom !== undefined && !parseIdentity(`dns:${raw.resumeFrom}`)) throw new SettingsError(`invalid --resume-from "${raw.resumeFrom}": expected a DNS name`);
  if (raw.saveSessions && raw.issuerCert === undefined) {
    throw new SettingsError("--save-sessions needs --issuer-cert and --issuer-key: the sessions are established with a valid certificate minted from the issuer the endpoint trusts");
  }
  if (raw.detect !== undefined && !/^(1|true|0|false)$/.test(raw.detect)) throw new SettingsError(`invalid MTLS_DETECT "${raw.detect}": expected 1, true, 0 or false`);
  if ((paths.length || headers.length) && protocol !== "http" && protocol !== "h2") {
    throw new SettingsError(`--path and --header apply to --protocol http and h2, not ${protocol}`);
  }
  return {
    host,
    port,
    serverName: raw.serverName || undefined,
    trustBundle: raw.trustBundle || undefined,
    issuerCert: raw.issuerCert || undefined,
    issuerKey: raw.issuerKey || undefined,
    issuerKeyPassphraseFile: raw.issuerKeyPassphraseFile || undefined,
    issuerKeyPassphrase: raw.issuerKeyPassphrase,
    expectMode: raw.expectMode as PolicyMode | undefined,
    expectIdentity: raw.expectIdentity || undefined,
    protocol,
    alpn: alpn.length || protocol !== "h2" ? alpn : ["h2"],
    timeoutMs,
    minDays,
    allowIdentities,
    paths: paths.length ? paths : ["/"],
    headers,
    resumeFrom: raw.resumeFrom || undefined,
    saveSessions: raw.saveSessions || undefined,
    resumeSessions: raw.resumeSessions || undefined,
    detect: raw.detect === "1" || raw.detect === "true",
  };
}

/** The issuer key's passphrase: the first line of the file, else the variable, else none. */
export async function issuerKeyPassphrase(settings: Pick<ExternalSettings, "issuerKeyPassphraseFile" | "issuerKeyPassphrase">): Promise<string | undefined> {
  if (!settings.issuerKeyPassphraseFile) return settings.issuerKeyPassphrase;
  try {
    return (await readFile(settings.issuerKeyPassphraseFile, "utf8")).split(/\r?\n/)[0];
  } catch (error) {
    throw new SettingsError(`failed to read issuer key passphrase file ${settings.issuerKeyPassphraseFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function rawSettingsFromEnv(env: NodeJS.ProcessEnv): RawSettings {
  return Object.fromEntries(
    Object.entries(settingVariables)
      .map(([key, variable]) => [key, env[variable]])
      .filter(([, value]) => value !== undefined && value !== ""),
  ) as RawSettings;
}

export function settingsToEnv(raw: RawSettings): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [settingVariables[key as keyof typeof settingVariables], value!]),
  );
}
