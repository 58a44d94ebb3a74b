// The Debian packages the process runtime needs on this host for the stacks of the registry, one
// per line: those of every stack with a program missing (every stack's with --all). .ci/run
// installs them; the stacks' images install their own from their Dockerfiles.
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { stacks } from "./registry.js";
import type { StackDefinition } from "./types.js";

/** An executable on PATH, or an absolute path that must exist (a header a build needs). */
export function programPresent(program: string): boolean {
  if (isAbsolute(program)) return existsSync(program);
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The programs of a stack that this host lacks. */
export function missingPrograms(stack: StackDefinition): string[] {
  return stack.programs.filter((program) => !programPresent(program));
}

export function hostPackages(all: boolean): string[] {
  const needed = stacks.filter((stack) => stack.runtimes.includes("process") && (all || missingPrograms(stack).length > 0));
  return [...new Set(needed.flatMap((stack) => stack.debianPackages))];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args.some((arg) => arg !== "--all")) {
    console.error(`host-packages: failed to parse arguments: unknown ${args.filter((arg) => arg !== "--all").join(" ")} (only --all)`);
    process.exit(2);
  }
  for (const name of hostPackages(args.includes("--all"))) console.log(name);
}
