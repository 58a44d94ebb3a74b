// The baseline for `npm run bench -- cli`: the command as it started before it was compiled, its
// TypeScript transformed by tsx at every start.
import { main } from "../commands/cli.js";

process.exitCode = await main(process.argv.slice(2));
