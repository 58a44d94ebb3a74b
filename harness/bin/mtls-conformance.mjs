#!/usr/bin/env node
// Entry point of the `mtls-conformance` command: runs the CLI compiled to dist/ by `npm run build`
// (npm runs it on install from a checkout and before packing), so no TypeScript is compiled at start.
import { existsSync } from "node:fs";

const cli = new URL("../../dist/harness/commands/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(`mtls-conformance: failed to start: ${cli.pathname} is missing; run \`npm run build\` in ${new URL("../..", import.meta.url).pathname}\n`);
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
