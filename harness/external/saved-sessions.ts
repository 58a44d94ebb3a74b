// The session file of --save-sessions and --resume-sessions (docs/external.md "Saved sessions"):
// the TLS 1.2 and 1.3 sessions one run established with its valid minted client certificate, that
// certificate and its key, and the endpoint they belong to, so that a later run, after the
// endpoint's trust changed, can offer them again beside a full handshake with the same
// certificate. A resumable session is a credential and the file holds a private key: it is written
// mode 0600 and nothing of it is printed.
import { X509Certificate } from "node:crypto";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { SettingsError, type ExternalSettings } from "./settings.js";

export const sessionFileFormat = "mtls-conformance-sessions/1";
export type SessionVersion = "tls1.2" | "tls1.3";
export const sessionVersions: readonly SessionVersion[] = ["tls1.2", "tls1.3"];

export interface SavedVersion {
  /** Each session as base64 of what Node's TLSSocket "session" event gave (an SSL_SESSION in DER), one per establishing connection. */
  sessions: string[];
  /** The first establishing connection's answer, in one line. */
  answer: string;
  /** Why no session was saved for this version, when none was. */
  problem?: string;
}

export interface SessionFile {
  format: typeof sessionFileFormat;
  warning: string;
  savedAt: string;
  /** HOST:PORT and the server name the sessions were established with: a later run must name the same. */
  target: string;
  serverName: string | null;
  /** The certificate the sessions were established with (PEM, its chain and key), and what identifies it in a report. */
  certificate: { subject: string; serial: string; notAfter: string; pem: string; chainPem?: string; keyPem: string };
  versions: Record<SessionVersion, SavedVersion>;
}

export const sessionFileWarning =
  "This file holds resumable TLS sessions (session secrets) and a client private key: anyone who has it can act as that client while the endpoint resumes them. Keep it private and delete it after the later run.";

/** The endpoint as reports and the session file name it: HOST:PORT, [IPv6]:PORT. */
export const endpointText = (settings: Pick<ExternalSettings, "host" | "port">): string => `${settings.host.includes(":") ? `[${settings.host}]` : settings.host}:${settings.port}`;

const describeEndpoint = (target: string, serverName: string | null | undefined) => `${target} (${serverName ? `server name ${serverName}` : "no server name"})`;

export async function writeSessionFile(path: string, file: SessionFile): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    // The mode above applies only when the file is created: an existing file is narrowed too.
    await chmod(path, 0o600);
  } catch (error) {
    throw new SettingsError(`failed to write session file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Reads a session file for `settings`' endpoint; anything else (unreadable, not a session file, another endpoint's) is a SettingsError with one line. */
export async function readSessionFile(path: string, settings: Pick<ExternalSettings, "host" | "port" | "serverName">): Promise<SessionFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SettingsError(`failed to read session file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    throw new SettingsError(`failed to read session file ${path}: not JSON (expected a file written by --save-sessions)`);
  }
  const versionsValid =
    isRecord(file) &&
    isRecord(file.versions) &&
    sessionVersions.every((version) => {
      const saved = (file as { versions: Record<string, unknown> }).versions[version];
      return isRecord(saved) && Array.isArray(saved.sessions) && saved.sessions.every((session) => typeof session === "string" && /^[A-Za-z0-9+/]+=*$/.test(session));
    });
  const certificate = isRecord(file) && isRecord(file.certificate) ? file.certificate : undefined;
  if (!isRecord(file) || file.format !== sessionFileFormat || !versionsValid || typeof file.target !== "string" || typeof file.savedAt !== "string" || typeof certificate?.pem !== "string" || typeof certificate.keyPem !== "string") {
    throw new SettingsError(`failed to read session file ${path}: not a session file of format ${sessionFileFormat} (written by --save-sessions)`);
  }
  try {
    new X509Certificate(certificate.pem);
  } catch {
    throw new SettingsError(`failed to read session file ${path}: its certificate is malformed`);
  }
  const saved = file as unknown as SessionFile;
  const target = endpointText(settings);
  if (saved.target !== target || (saved.serverName ?? undefined) !== settings.serverName) {
    throw new SettingsError(`session file ${path} was saved for ${describeEndpoint(saved.target, saved.serverName)}, not ${describeEndpoint(target, settings.serverName)}: offer sessions only to the endpoint that issued them`);
  }
  // A file without a session would make every resume::saved-session check not probed: nothing to run.
  if (sessionVersions.every((version) => saved.versions[version].sessions.length === 0)) {
    const why = sessionVersions.map((version) => `TLS ${version.slice(3)}: ${saved.versions[version].problem ?? "none saved"}`).join("; ");
    throw new SettingsError(`session file ${path} holds no session to offer (${why}): save sessions again with --save-sessions`);
  }
  return saved;
}

/** The certificate a session file names, for a report: subject, serial and notAfter. */
export function describeSavedCertificate(file: SessionFile): string {
  return `${file.certificate.subject} (serial ${file.certificate.serial}, notAfter ${file.certificate.notAfter})`;
}

/** The file's record of the certificate a run's sessions were established with. */
export function savedCertificate(pem: string, chainPem: string | undefined, keyPem: string): SessionFile["certificate"] {
  const certificate = new X509Certificate(pem);
  return { subject: certificate.subject.replace(/\n/g, ", "), serial: certificate.serialNumber, notAfter: new Date(certificate.validTo).toISOString(), pem, chainPem, keyPem };
}
