// A targets file: many endpoints judged in one run (docs/external.md "Targets files"). YAML or JSON
// (parsed with the `yaml` package; a .json file with JSON.parse), each key the camelCase of its
// command-line flag, paths relative to the file. A bad file is a TargetsFileError with one line
// naming the entry and the key.
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { parseSettings, SettingsError, type ExternalSettings, type RawSettings } from "../external/settings.js";

export class TargetsFileError extends Error {}

/**
 * Keys a target entry or the defaults may carry (the camelCase of each flag), with the setting each
 * fills, whether its value is a path (resolved against the file), a number, or a list (a YAML list,
 * or the flag's own text), joined as the repeatable flag's variable joins it. The command line's
 * flags for a target's settings are made from this table (targetSettingFlags), so the two cannot drift.
 */
interface KeyRule {
  setting: keyof RawSettings;
  path?: boolean;
  number?: boolean;
  /** A YAML/JSON boolean (or the flag's own text, "true"/"1"); a flag without a value. */
  boolean?: boolean;
  list?: "," | "\n";
  /** The flag may be given more than once (the others take their list as one comma-separated value). */
  repeatable?: boolean;
}
const settingKeys = {
  serverName: { setting: "serverName" },
  trustBundle: { setting: "trustBundle", path: true },
  issuerCert: { setting: "issuerCert", path: true },
  issuerKey: { setting: "issuerKey", path: true },
  issuerKeyPassphraseFile: { setting: "issuerKeyPassphraseFile", path: true },
  expectMode: { setting: "expectMode" },
  expectIdentity: { setting: "expectIdentity" },
  protocol: { setting: "protocol" },
  alpn: { setting: "alpn", list: "," },
  timeoutMs: { setting: "timeoutMs", number: true },
  minDays: { setting: "minDays", number: true },
  allowIdentity: { setting: "allowIdentities", list: ",", repeatable: true },
  path: { setting: "paths", list: ",", repeatable: true },
  header: { setting: "headers", list: "\n", repeatable: true },
  resumeFrom: { setting: "resumeFrom" },
  saveSessions: { setting: "saveSessions", path: true },
  resumeSessions: { setting: "resumeSessions", path: true },
  detect: { setting: "detect", boolean: true },
} as const satisfies Record<string, KeyRule>;
type SettingKey = keyof typeof settingKeys;
const ruleOf = (key: string): KeyRule | undefined => (settingKeys as Record<string, KeyRule>)[key];

/** serverName -> server-name, at the type level too. */
type KebabOf<S extends string> = S extends `${infer Head}${infer Tail}` ? `${Head extends Lowercase<Head> ? Head : `-${Lowercase<Head>}`}${KebabOf<Tail>}` : S;
const kebabOf = (key: string) => key.replaceAll(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
type FlagOf<Rule> = Rule extends { boolean: true } ? { type: "boolean" } : Rule extends { repeatable: true } ? { type: "string"; multiple: true } : { type: "string" };

/** node:util parseArgs options for a target's settings on the command line: one flag per key above. */
export const targetSettingFlags = Object.fromEntries(
  Object.entries(settingKeys).map(([key, rule]: [string, KeyRule]) => [kebabOf(key), rule.boolean ? { type: "boolean" } : rule.repeatable ? { type: "string", multiple: true } : { type: "string" }]),
) as { [Key in SettingKey as KebabOf<Key>]: FlagOf<(typeof settingKeys)[Key]> };

/** A session file belongs to one target (its sessions and its server name): never a default. */
const perTargetKeys = ["saveSessions", "resumeSessions"];
const defaultsKeys = Object.keys(settingKeys).filter((key) => !perTargetKeys.includes(key));
const targetKeys = ["name", "target", "declaredBy", ...defaultsKeys, ...perTargetKeys];
const topKeys = ["defaults", "targets", "undeclared"];

/** One target of the file: its name (unique; shards split by it) and its settings, defaults applied. */
export interface MeshTarget {
  name: string;
  settings: ExternalSettings;
  /** A planned file's (mtls-conformance plan): the objects that declared this target's expectations. */
  declaredBy?: string[];
}

/** A planned file's Service ports whose policy could not be told, with the reason. */
export interface UndeclaredEntry {
  name: string;
  reason: string;
  declaredBy?: string[];
}

export interface TargetsFile {
  path: string;
  targets: MeshTarget[];
  undeclared: UndeclaredEntry[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

function undeclaredOf(value: unknown, path: string): UndeclaredEntry[] {
  if (value === undefined || value === null) return [];
  const entries = Array.isArray(value) ? value : [value];
  return entries.map((entry: unknown, index) => {
    if (!isRecord(entry) || typeof entry.name !== "string" || typeof entry.reason !== "string" || (entry.declaredBy !== undefined && !isStringList(entry.declaredBy)) || !Array.isArray(value)) {
      throw new TargetsFileError(`targets file ${path}: undeclared[${index}]: expected { name, reason, declaredBy? } (a list of them)`);
    }
    return { name: entry.name, reason: entry.reason, ...(entry.declaredBy ? { declaredBy: entry.declaredBy as string[] } : {}) };
  });
}

/** A value as the flag's text: a number where the flag takes one, a list where it repeats. */
function valueText(value: unknown, where: string, key: string): string {
  const rule = ruleOf(key);
  if (typeof value === "string") return value;
  if (typeof value === "number" && rule?.number) return String(value);
  if (typeof value === "boolean" && rule?.boolean) return String(value);
  if (Array.isArray(value) && rule?.list && value.every((item) => typeof item === "string")) return value.join(rule.list);
  throw new TargetsFileError(`${where}: key "${key}" must be ${rule?.number ? "a number" : rule?.boolean ? "true or false" : rule?.list ? "a string or a list of strings" : "a string"}`);
}

function settingsOf(entry: Record<string, unknown>, where: string, allowed: string[], baseDir: string): RawSettings {
  const raw: RawSettings = {};
  for (const [key, value] of Object.entries(entry)) {
    if (perTargetKeys.includes(key) && !allowed.includes(key)) throw new TargetsFileError(`${where}: key "${key}" belongs to one target, not the defaults (a session file holds one target's sessions)`);
    if (!allowed.includes(key)) throw new TargetsFileError(`${where}: unknown key "${key}" (expected one of ${allowed.join(", ")})`);
    if (key === "name" || key === "target" || key === "declaredBy" || value === null || value === undefined) continue;
    const text = valueText(value, where, key);
    const rule = ruleOf(key)!;
    raw[rule.setting] = rule.path && !isAbsolute(text) ? resolve(baseDir, text) : text;
  }
  return raw;
}

/** Parses the text of a targets file; `path` names it in errors and anchors its relative paths. */
export function parseTargetsFile(text: string, path: string): TargetsFile {
  let document: unknown;
  try {
    document = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new TargetsFileError(`failed to parse targets file ${path}: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!isRecord(document)) throw new TargetsFileError(`targets file ${path}: expected a mapping with "targets" (and optional "defaults")`);
  for (const key of Object.keys(document)) {
    if (!topKeys.includes(key)) throw new TargetsFileError(`targets file ${path}: unknown key "${key}" (expected defaults, targets, undeclared)`);
  }
  const baseDir = dirname(resolve(path));
  const defaultsEntry = document.defaults ?? {};
  if (!isRecord(defaultsEntry)) throw new TargetsFileError(`targets file ${path}: "defaults" must be a mapping`);
  const defaults = settingsOf(defaultsEntry, "defaults", defaultsKeys, baseDir);
  if (!Array.isArray(document.targets) || document.targets.length === 0) throw new TargetsFileError(`targets file ${path}: "targets" must be a non-empty list`);
  const names = new Set<string>();
  const sessionFiles = new Map<string, string>();
  const targets = document.targets.map((entry: unknown, index: number): MeshTarget => {
    const label = isRecord(entry) && typeof entry.name === "string" ? `targets[${index}] (${entry.name})` : `targets[${index}]`;
    if (!isRecord(entry)) throw new TargetsFileError(`${label}: expected a mapping with "target"`);
    const own = settingsOf(entry, label, targetKeys, baseDir);
    if (entry.target === undefined || entry.target === null || entry.target === "") throw new TargetsFileError(`${label}: missing key "target" (HOST:PORT)`);
    const target = valueText(entry.target, label, "target");
    const name = entry.name === undefined ? target : valueText(entry.name, label, "name");
    if (names.has(name)) throw new TargetsFileError(`${label}: key "name": "${name}" is used by an earlier target (names must be unique)`);
    names.add(name);
    if (entry.declaredBy !== undefined && (!isStringList(entry.declaredBy) || !entry.declaredBy.length)) throw new TargetsFileError(`${label}: key "declaredBy" must be a non-empty list of strings (KIND/NAMESPACE/NAME)`);
    // Two targets saving to one file would overwrite each other's sessions.
    if (own.saveSessions) {
      const earlier = sessionFiles.get(own.saveSessions);
      if (earlier) throw new TargetsFileError(`${label}: key "saveSessions": ${own.saveSessions} is saved to by target ${earlier} too (one session file per target)`);
      sessionFiles.set(own.saveSessions, name);
    }
    try {
      return { name, settings: parseSettings({ ...defaults, ...own, target }), ...(entry.declaredBy ? { declaredBy: entry.declaredBy as string[] } : {}) };
    } catch (error) {
      if (error instanceof SettingsError) throw new TargetsFileError(`${label}: ${error.message}`);
      throw error;
    }
  });
  return { path, targets, undeclared: undeclaredOf(document.undeclared, path) };
}

export async function readTargetsFile(path: string): Promise<TargetsFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new TargetsFileError(`failed to read targets file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseTargetsFile(text, path);
}
