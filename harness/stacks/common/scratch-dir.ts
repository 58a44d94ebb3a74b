// A peer's own directory under the runtime's scratch root, for the files an adapter generates
// (configs, concatenated PEM bundles). The scratch root is where the peer sees it too (bind mounted
// at the same path under the container runtime). Files that hold a private key are written 0600.
import { mkdtempSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { holdDir, releaseDir } from "../../runtime/exit-cleanup.js";
import type { Runtime } from "../../runtime/types.js";

export interface ScratchDir {
  path: string;
  /** Writes `content` to `name` in the directory and returns its path. */
  write(name: string, content: string, options?: { secret?: boolean }): Promise<string>;
  /** Concatenates PEM files (certificates, chains, CRLs, keys) into `name`. */
  concat(name: string, sources: string[], options?: { secret?: boolean }): Promise<string>;
  remove(): Promise<void>;
}

export async function createScratchDir(runtime: Runtime, peer: string): Promise<ScratchDir> {
  // Synchronous, so no signal handler runs between the directory's creation and its hold (with
  // mkdtemp the cleanup could run in between and miss it).
  const path = mkdtempSync(join(runtime.scratchRoot, `mtls-${peer}-`));
  holdDir(path);
  const write = async (name: string, content: string, options?: { secret?: boolean }) => {
    const file = join(path, name);
    await writeFile(file, content, { mode: options?.secret ? 0o600 : 0o644 });
    return file;
  };
  return {
    path,
    write,
    async concat(name, sources, options) {
      const parts = await Promise.all(sources.map((source) => readFile(source, "utf8")));
      return write(name, parts.map((part) => (part.endsWith("\n") ? part : `${part}\n`)).join(""), options);
    },
    async remove() {
      await rm(path, { recursive: true, force: true });
      releaseDir(path);
    },
  };
}
