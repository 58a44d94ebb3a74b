// The command as a user gets it: `npm pack`, installed from the tarball into an empty folder (its
// dependencies from the npm registry), run with npx against a real openssl s_server.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec, serverIdentity, serverName } from "../../fixtures/profiles.js";
import type { ExternalReport } from "../external/run-checks.js";
import { missingTools, skipEachWithout } from "../host/context.js";
import { startStrictSServer } from "../gallery/strict-s-server.js";
import type { ManagedProcess } from "../runtime/types.js";

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const passphrase = "package test passphrase";

let work: string;
let app: string;
let tarballFiles: string[];
let fixtures: FixtureSet;
let server: ManagedProcess | undefined;
let target: string;

/** Environment without the MTLS_* variables of whoever runs the tests. */
const cleanEnv = (extra: Record<string, string> = {}) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("MTLS_"))),
  ...extra,
});

/** npx's own lines (a machine's npmrc may make npm warn on every call) are not the command's. */
const withoutNpmWarnings = (stderr: string): string => stderr.split("\n").filter((line) => !/^npm (warn|notice)/.test(line)).join("\n");

async function npx(args: string[], env: Record<string, string> = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("npx", ["mtls-conformance", ...args], { cwd: app, env: cleanEnv(env), timeout: 60_000 });
    return { exitCode: 0, stdout, stderr: withoutNpmWarnings(stderr) };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { exitCode: failed.code, stdout: failed.stdout ?? "", stderr: withoutNpmWarnings(failed.stderr ?? "") };
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "mtls-package-test-"));
  // --ignore-scripts: dist/ was built by this project's globalSetup; rebuilding it here would pull
  // it from under the tests that are running the command at the same time.
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: root, timeout: 120_000 });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarballFiles = packed!.files.map((file) => file.path).sort();
  app = join(work, "app");
  await mkdir(app);
  await writeFile(join(app, "package.json"), JSON.stringify({ name: "mtls-conformance-user", private: true }) + "\n");
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(work, packed!.filename)], { cwd: app, timeout: 240_000 });

  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  // The issuer key and the endpoint come from the openssl CLI; without it their cases are skipped.
  if (missingTools("openssl")) return;
  // The user's issuer key, encrypted as PKCS#8 the way `openssl pkcs8 -topk8` writes it.
  await run("openssl", ["pkcs8", "-topk8", "-in", fixtures.certs["issuer-a"]!.key, "-out", join(work, "issuer.key"), "-passout", `pass:${passphrase}`]);
  await writeFile(join(work, "passphrase.txt"), `${passphrase}\n`, { mode: 0o600 });
  ({ target, server } = await startStrictSServer(fixtures));
}, 420_000);

afterAll(async () => {
  await server?.stop();
  if (fixtures) await removeFixtureSet(fixtures);
  if (work) await rm(work, { recursive: true, force: true });
});

const issuerArgs = () => ["--issuer-cert", fixtures.certs["issuer-a"]!.cert, "--issuer-key", join(work, "issuer.key")];

describe("the packed command, installed into an empty folder", () => {
  it("ships the compiled command and nothing else: no TypeScript, tests, fixtures or reports", () => {
    expect(tarballFiles).toContain("dist/harness/commands/cli.js");
    expect(tarballFiles).toContain("harness/bin/mtls-conformance.mjs");
    expect(tarballFiles).toContain("LICENSE");
    const unexpected = tarballFiles.filter((path) => !/^(dist\/.+\.js|harness\/bin\/mtls-conformance\.mjs|package\.json|README\.md|LICENSE)$/.test(path));
    expect(unexpected).toEqual([]);
    expect(tarballFiles.filter((path) => path.includes(".test."))).toEqual([]);
  });

  it("is publishable: not private, a semantic version, a LICENSE that is package.json's license, and npm publish --dry-run lists the same files", async () => {
    const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { private?: boolean; version: string; license: string; bin: Record<string, string> };
    expect(manifest.private).toBeUndefined();
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.bin).toEqual({ "mtls-conformance": "harness/bin/mtls-conformance.mjs" });
    // The SPDX id and the text's own title must name the same license.
    expect(manifest.license).toBe("Apache-2.0");
    expect((await readFile(join(root, "LICENSE"), "utf8")).trim().split("\n").slice(0, 2).map((line) => line.trim())).toEqual(["Apache License", "Version 2.0, January 2004"]);
    const changelog = await readFile(join(root, "CHANGELOG.md"), "utf8");
    expect(changelog).toContain(`## ${manifest.version}`);
    // --ignore-scripts: dist/ was built by the unit project's globalSetup (see npm pack above).
    const { stdout, stderr } = await run("npm", ["publish", "--dry-run", "--ignore-scripts", "--json"], { cwd: root, timeout: 120_000 });
    const published = (JSON.parse(stdout) as Record<string, { files: Array<{ path: string }> }>)["mtls-conformance"]!;
    expect(published.files.map((file) => file.path).sort()).toEqual(tarballFiles);
    // npm's only complaint may be that nobody is logged in (a dry run needs no login).
    const warnings = stderr.split("\n").filter((line) => /^npm (warn|error)/.test(line) && !/requires you to be logged in/.test(line));
    expect(warnings).toEqual([]);
  });

  it("installs globally from the tarball (npm install -g) and runs as mtls-conformance", async () => {
    const prefix = join(work, "global");
    const tarball = (await readdir(work)).find((name) => name.endsWith(".tgz"))!;
    await run("npm", ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--prefer-offline", join(work, tarball)], { timeout: 240_000 });
    const { stdout } = await run(join(prefix, "bin", "mtls-conformance"), ["--help"], { env: cleanEnv(), timeout: 60_000 });
    expect(stdout).toMatch(/^Usage: mtls-conformance run --target HOST:PORT/);
  });

  it("prints its usage with npx mtls-conformance --help", async () => {
    const result = await npx(["--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: mtls-conformance run --target HOST:PORT/);
    expect(result.stdout).toContain("--issuer-key-passphrase-file FILE");
  });

  describe("against a strict openssl s_server, with an encrypted issuer key", () => {
    skipEachWithout("openssl");

    it("judges a strict openssl s_server as strict, with an encrypted issuer key and its passphrase file", async () => {
      const json = join(work, "report.json");
      const args = ["run", "--target", target, "--expect-mode", "strict", "--server-name", serverName, "--trust-bundle", fixtures.bundles["trust-a"]!, "--expect-identity", serverIdentity];
      const result = await npx([...args, ...issuerArgs(), "--issuer-key-passphrase-file", join(work, "passphrase.txt"), "--json", json]);
      const report = JSON.parse(await readFile(json, "utf8")) as ExternalReport;
      expect({ exitCode: result.exitCode, observedMode: report.observedMode }, result.stdout + result.stderr).toEqual({ exitCode: 0, observedMode: "strict" });
      // Nothing failed; what did not pass is only recorded (tls::negotiated) or not probed (paths s_server does not offer), each counted apart.
      expect(report.checks.filter((check) => check.verdict !== "pass" && check.verdict !== "recorded" && check.verdict !== "not-probed")).toEqual([]);
      expect(report.checks.map((check) => check.id)).toContain("client-cert::valid");
      const count = (verdict: string) => report.checks.filter((check) => check.verdict === verdict).length;
      expect(result.stdout).toContain(`${count("pass")} passed, 0 failed, ${count("not-probed")} not probed, 1 recorded`);
    });

    it("reads a YAML targets file (the yaml dependency ships with the package) and writes the mesh reports", async () => {
      const [issuerCert, issuerKey] = [issuerArgs()[1]!, issuerArgs()[3]!];
      const lines = ["defaults:", `  issuerCert: ${issuerCert}`, `  issuerKey: ${issuerKey}`, "  issuerKeyPassphraseFile: passphrase.txt", "  expectMode: strict", "targets:", "  - name: openssl-strict", `    target: "${target}"`];
      await writeFile(join(work, "targets.yaml"), lines.join("\n") + "\n");
      const result = await npx(["run", "--targets", join(work, "targets.yaml"), "--reports", join(work, "mesh")]);
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      const model = JSON.parse(await readFile(join(work, "mesh", "results.json"), "utf8")) as { mesh: { targets: Array<{ name: string; observedMode: string }> } };
      expect(model.mesh.targets).toMatchObject([{ name: "openssl-strict", observedMode: "strict" }]);
    });

    it.each([
      ["no passphrase", {}, [], /^mtls-conformance: failed to read issuer key .*issuer\.key: it is encrypted; pass its passphrase with --issuer-key-passphrase-file FILE or MTLS_ISSUER_KEY_PASSPHRASE$/],
      ["a wrong passphrase in MTLS_ISSUER_KEY_PASSPHRASE", { MTLS_ISSUER_KEY_PASSPHRASE: "not-the-passphrase" }, [], /^mtls-conformance: failed to decrypt issuer key .*issuer\.key: wrong passphrase$/],
      ["a passphrase file that does not exist", {}, ["--issuer-key-passphrase-file", "/nonexistent/passphrase"], /^mtls-conformance: failed to read issuer key passphrase file \/nonexistent\/passphrase: ENOENT$/],
    ])("an encrypted issuer key with %s: exit 2, one line that says what to do", async (_title, env, extra, message) => {
      const result = await npx(["run", "--target", target, ...issuerArgs(), ...extra], env as Record<string, string>);
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(message);
      expect(result.stderr).not.toContain("not-the-passphrase");
    });
  });
});

describe("the command in a checkout that was not built", () => {
  it("says in one line how to build it", async () => {
    const checkout = join(work, "unbuilt");
    await mkdir(join(checkout, "harness/bin"), { recursive: true });
    await copyFile(join(root, "harness/bin/mtls-conformance.mjs"), join(checkout, "harness/bin/mtls-conformance.mjs"));
    const failed = await run(process.execPath, [join(checkout, "harness/bin/mtls-conformance.mjs"), "--help"], { timeout: 30_000 }).catch((error: { code: number; stderr: string }) => error);
    expect("code" in failed && failed.code).toBe(2);
    expect(failed.stderr).toBe(`mtls-conformance: failed to start: ${checkout}/dist/harness/commands/cli.js is missing; run \`npm run build\` in ${checkout}/\n`);
  });
});
