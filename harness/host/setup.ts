// `npm run setup [-- --containers] [-- --dry-run]`: installs, from Debian (or Ubuntu) packages,
// every stack the process runtime can test and every tool the unit and gallery tests call, so
// that `npm test` runs the full matrix. Optional: without it `npm test` runs what is installed.
// What to install is read from data: each implementation's entry (implementations.ts), the test
// tools and the gallery's servers (host.ts). Only what is missing is installed, with apt-get
// update once, a dpkg lock timeout, and a policy-rc.d in place so that no service (nginx on
// 0.0.0.0:80, ...) starts. --containers also brings up the container engine (images/engine.sh).
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { chromiumPackage, findChromium, findProgram, galleryPackages, installedPackage, missingParts, testTools, type Requirement } from "./detection.js";
import { implementationRequirements, selectedImplementations } from "./implementations.js";

export class SetupError extends Error {}

export interface SetupPlan {
  /** Packages to install, in a stable order, each once. */
  packages: string[];
  /** Why each is installed: the stack or tool that needs it. */
  reasons: Map<string, string[]>;
}

/**
 * The packages this machine lacks: of the implementations MTLS_IMPLEMENTATIONS names (`selection`;
 * unset or `all`: every one), the test tools and the gallery's servers. A stack or tool whose
 * programs and files are all found needs nothing, whichever package put them there (a runner's
 * own Java or Chrome counts); the gallery's servers are looked up by package. `path` is the PATH
 * to search.
 */
export function setupPlan(selection = process.env.MTLS_IMPLEMENTATIONS, path = process.env.PATH ?? "", isInstalled: (name: string) => boolean = installedPackage): SetupPlan {
  const chosen = selectedImplementations("process", selection);
  const reasons = new Map<string, string[]>();
  const need = (packages: string[], by: string) => {
    for (const name of packages) reasons.set(name, [...(reasons.get(name) ?? []), by]);
  };
  const requirements: Array<[string, Requirement]> = [
    ...implementationRequirements()
      .filter((entry) => !chosen || chosen.has(entry.name))
      .map((entry) => [entry.name, entry] as [string, Requirement]),
    ...Object.entries(testTools).map(([name, requirement]) => [`${name} (tests)`, requirement] as [string, Requirement]),
  ];
  for (const [name, requirement] of requirements) if (missingParts(requirement, path).length) need(requirement.packages, name);
  if ("reason" in findChromium({ PATH: path })) need([chromiumPackage], "chromium (matrix.html test)");
  need(galleryPackages.filter((name) => !isInstalled(name)), "external gallery");
  return { packages: [...reasons.keys()], reasons };
}

const policyRcD = "/usr/sbin/policy-rc.d";

/** Runs apt-get as root: directly, or through sudo when this user is not root. */
async function aptGet(args: string[], timeoutMs: number): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  if (!asRoot && !findProgram("sudo")) throw new SetupError(`failed to run apt-get ${args[0]}: not root and no sudo (run npm run setup as root)`);
  const command = asRoot ? "apt-get" : "sudo";
  const prefix = asRoot ? [] : ["DEBIAN_FRONTEND=noninteractive", "apt-get"];
  const run = await execa(command, [...prefix, "-o", "DPkg::Lock::Timeout=900", ...args], {
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdio: ["ignore", "inherit", "inherit"],
    reject: false,
    timeout: timeoutMs,
  });
  if (run.timedOut) throw new SetupError(`failed to run apt-get ${args[0]}: no result within ${timeoutMs / 1000} s`);
  if (run.exitCode !== 0) throw new SetupError(`failed to run apt-get ${args.join(" ")}: exit code ${run.exitCode}`);
}

/** policy-rc.d exiting 101 forbids every service start; one that was there before is left alone. */
async function withoutServiceStarts(install: () => Promise<void>): Promise<void> {
  if (existsSync(policyRcD)) return install();
  const asRoot = process.getuid?.() === 0;
  const write = asRoot
    ? async () => writeFileSync(policyRcD, "#!/bin/sh\nexit 101\n", { mode: 0o755 })
    : async () => void (await execa("sudo", ["sh", "-c", `printf '#!/bin/sh\\nexit 101\\n' > ${policyRcD} && chmod 755 ${policyRcD}`], { timeout: 30_000 }));
  const remove = asRoot ? async () => rmSync(policyRcD, { force: true }) : async () => void (await execa("sudo", ["rm", "-f", policyRcD], { timeout: 30_000, reject: false }));
  await write();
  try {
    await install();
  } finally {
    await remove();
  }
}

async function main(argv: string[]): Promise<void> {
  let options;
  try {
    options = parseArgs({ args: argv, strict: true, options: { containers: { type: "boolean", default: false }, "dry-run": { type: "boolean", default: false } } }).values;
  } catch (error) {
    throw new SetupError(`failed to read the options: ${(error as Error).message} (usage: npm run setup [-- --containers] [--dry-run])`);
  }
  const plan = setupPlan();
  if (!plan.packages.length) console.log("setup: every stack and test tool is installed");
  else {
    console.log("setup: installing");
    for (const [name, by] of plan.reasons) console.log(`  ${name} (for ${by.join(", ")})`);
    if (!options["dry-run"]) {
      await withoutServiceStarts(async () => {
        await aptGet(["update", "-qq"], 600_000);
        await aptGet(["install", "-y", "--no-install-recommends", ...plan.packages], 1_800_000);
      });
    }
  }
  if (options.containers) {
    const engine = fileURLToPath(new URL("../images/engine.sh", import.meta.url));
    console.log(`setup: container engine${options["dry-run"] ? " (dry run: not started)" : ""}`);
    if (!options["dry-run"]) {
      const run = await execa("bash", [engine], { stdio: ["ignore", "inherit", "inherit"], reject: false, timeout: 1_800_000 });
      if (run.exitCode !== 0) throw new SetupError(`failed to bring up the container engine: ${engine} exited with ${run.exitCode}`);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`setup: ${(error as Error).message}`);
    process.exit(1);
  });
}
