// vitest globalSetup for the unit project: compiles the command to dist/ before any test runs it
// (gallery.test.ts, package.test.ts), so they test the sources as they are, never a stale build,
// and no test rebuilds dist/ while another is running the command from it.
import { execFile } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export function setup(): Promise<void> {
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  return new Promise((resolvePromise, reject) =>
    execFile(process.execPath, [tsc, "-p", join(root, "harness/tsconfig.build.json")], { cwd: root, timeout: 180_000 }, (error, stdout) =>
      error ? reject(new Error(`failed to build the command (npm run build): ${stdout.trim() || error.message}`)) : resolvePromise(),
    ),
  );
}
