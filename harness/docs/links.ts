// Relative links in the README and docs/ must lead somewhere: a file that exists and, for a
// `#fragment`, a heading of that file as GitHub names its anchor. Text moves between pages; this
// is what keeps a moved section from leaving dead links behind (links.test.ts runs it).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** Markdown without its fenced code blocks (their lines blanked, so line numbers stay). */
function withoutFences(text: string): string[] {
  let fence: string | undefined;
  return text.split("\n").map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return "";
    }
    return fence === undefined ? line : "";
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[`*]/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** Every anchor of a markdown text, a repeated heading numbered as GitHub numbers it (-1, -2, ...). */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutFences(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = anchorOf(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

export interface Link {
  line: number;
  target: string;
}

/** The relative links of a markdown text (outside code), with their line numbers. */
export function relativeLinks(text: string): Link[] {
  const links: Link[] = [];
  withoutFences(text).forEach((line, index) => {
    const prose = line.replace(/`[^`]*`/g, "");
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1]!;
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ line: index + 1, target });
    }
  });
  return links;
}

/**
 * What is wrong with the relative links of `files` (paths under `root`), one line each:
 * `FILE:LINE: TARGET: why`. `read` gives a file's text (tests pass their own).
 */
export function brokenLinks(root: string, files: readonly string[], read: (path: string) => string | undefined = readIfFile): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  for (const file of files) {
    const text = read(join(root, file));
    if (text === undefined) {
      problems.push(`${file}: no such file`);
      continue;
    }
    for (const { line, target } of relativeLinks(text)) {
      const [path, fragment] = target.split("#", 2) as [string, string | undefined];
      const targetPath = path === "" ? join(root, file) : resolve(root, dirname(file), decodeURIComponent(path));
      const where = `${file}:${line}: ${target}`;
      if (!targetPath.startsWith(resolve(root))) {
        problems.push(`${where}: leads outside the repository`);
        continue;
      }
      if (!existsAt(targetPath, read)) {
        problems.push(`${where}: ${relative(root, targetPath)} does not exist`);
        continue;
      }
      if (fragment === undefined || fragment === "") continue;
      if (!targetPath.endsWith(".md")) {
        problems.push(`${where}: an anchor into a file that is not markdown`);
        continue;
      }
      let anchors = anchorCache.get(targetPath);
      if (!anchors) anchorCache.set(targetPath, (anchors = anchorsOf(read(targetPath) ?? "")));
      if (!anchors.has(fragment)) problems.push(`${where}: ${relative(root, targetPath)} has no heading #${fragment}`);
    }
  }
  return problems;
}

function readIfFile(path: string): string | undefined {
  return existsSync(path) && statSync(path).isFile() ? readFileSync(path, "utf8") : undefined;
}

function existsAt(path: string, read: (path: string) => string | undefined): boolean {
  return read(path) !== undefined || (existsSync(path) && statSync(path).isDirectory());
}

/** README.md and every markdown file of docs/, relative to `root`. */
export function documentationFiles(root: string): string[] {
  return ["README.md", ...readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).sort().map((name) => `docs/${name}`)];
}
