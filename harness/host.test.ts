// What the harness detects on the machine and how MTLS_IMPLEMENTATIONS picks implementations:
// against a PATH with nothing on it (a bare machine) and fake browsers in a temp dir.
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium, HostSettingsError } from "./host.js";
import { bannerLines, type HostReport } from "./host-report.js";
import { resultsModel } from "./report/results.js";
import { summaryMarkdown } from "./report/summary.js";
import { ImplementationSelectionError, implementationNames, planImplementations } from "./implementations.js";
import { setupPlan } from "./setup.js";
import { stacks } from "./stacks/registry.js";

const bare = "/nonexistent-bin";
// The roster comes from the registry, so adding a stack does not edit this test: on a bare machine
// every stack but node (which runs in the harness's own process) is missing, in registry order.
const everyName = stacks.map((stack) => stack.name).join(", ");
const missingStacks = stacks.filter((stack) => stack.name !== "node");
const missingNames = missingStacks.map((stack) => stack.name).join(", ");
const missingPackages = [...new Set(missingStacks.flatMap((stack) => stack.debianPackages))].join(" ");
const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mtls-host-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("planImplementations (MTLS_IMPLEMENTATIONS)", () => {
  it("unset on a bare machine: node plays, every other stack is skipped with its packages as the fix", () => {
    const statuses = planImplementations("process", "", bare);
    expect(statuses.filter((status) => !status.unavailable).map((status) => status.name)).toEqual(["node"]);
    // The C header is there or not depending on the machine; the programs are not on this PATH.
    expect(statuses.find((status) => status.name === "gnutls")?.unavailable).toMatch(
      /^not installed \(gnutls-serv, gnutls-cli, cc(, \/usr\/include\/stdio\.h)? missing\): apt-get install gnutls-bin gcc libc6-dev, or npm run setup$/,
    );
    expect(statuses.find((status) => status.name === "stunnel")?.unavailable).toMatch(/^not installed \(stunnel, perl missing\): apt-get install stunnel4 perl-base, or npm run setup$/);
  });

  it("a list plays what it names and skips the rest as not selected", () => {
    const statuses = planImplementations("process", "node", bare);
    expect(statuses.find((status) => status.name === "node")?.unavailable).toBeUndefined();
    expect(statuses.find((status) => status.name === "openssl")?.unavailable).toBe("not selected (MTLS_IMPLEMENTATIONS=node)");
  });

  it("all, or a list, naming a stack that is not installed fails in one line naming its packages", () => {
    expect(() => planImplementations("process", "all", bare)).toThrow(ImplementationSelectionError);
    expect(() => planImplementations("process", "all", bare)).toThrow(
      new RegExp(`^${escaped(`failed to select implementations: MTLS_IMPLEMENTATIONS=all asks for ${missingNames}, not installed: apt-get install ${missingPackages} (or npm run setup)`)}$`),
    );
    expect(() => planImplementations("process", "node, curl", bare)).toThrow(/asks for curl, not installed: apt-get install curl \(or npm run setup\)$/);
  });

  it("an unknown name fails in one line listing the valid names", () => {
    expect(() => planImplementations("process", "node,boringssl", bare)).toThrow(
      `failed to select implementations: MTLS_IMPLEMENTATIONS=node,boringssl names boringssl; valid on the process runtime: ${everyName}, or all`,
    );
    expect(() => planImplementations("container", "node")).toThrow(/names node; valid on the container runtime: openssl, go/);
  });

  it("looks for nothing on the host for the container runtime: the images carry the stacks", () => {
    expect(planImplementations("container", "all", bare).map((status) => status.name)).toEqual(implementationNames("container"));
  });

  it("a bad value stops `npm test` before any test runs, with one line and exit 2", async () => {
    // A PATH with node on it and nothing else.
    const onlyNode = join(dir, "only-node");
    await mkdir(onlyNode);
    await symlink(process.execPath, join(onlyNode, "node"));
    const run = await execa(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", "unit", "harness/network.test.ts"], {
      reject: false,
      timeout: 60_000,
      env: { MTLS_IMPLEMENTATIONS: "all", PATH: onlyNode },
      extendEnv: false,
    });
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr).trim()).toMatch(/^failed to select implementations: MTLS_IMPLEMENTATIONS=all asks for openssl, go, [^\n]+ \(or npm run setup\)$/);
  });
});

describe("findChromium", () => {
  it("takes Chrome from PATH and passes over a wrapper for a snap", async () => {
    await writeFile(join(dir, "chromium"), "#!/bin/sh\nexec /snap/bin/chromium \"$@\"\n# installs the chromium snap\n");
    await writeFile(join(dir, "google-chrome"), "#!/bin/sh\necho chrome\n");
    await chmod(join(dir, "chromium"), 0o755);
    await chmod(join(dir, "google-chrome"), 0o755);
    expect(findChromium({ PATH: dir })).toEqual({ path: join(dir, "google-chrome") });
  });

  it("honours MTLS_CHROMIUM, and refuses one that is not an executable", () => {
    expect(findChromium({ PATH: bare, MTLS_CHROMIUM: join(dir, "google-chrome") })).toEqual({ path: join(dir, "google-chrome") });
    expect(() => findChromium({ PATH: bare, MTLS_CHROMIUM: "/nonexistent/chrome" })).toThrow(HostSettingsError);
    expect(() => findChromium({ PATH: bare, MTLS_CHROMIUM: "/nonexistent/chrome" })).toThrow("failed to find Chromium: MTLS_CHROMIUM=/nonexistent/chrome is not an executable file");
  });
});

describe("npm run setup", () => {
  it("installs, on a bare machine, the packages of the selected stacks and the test tools, each once", () => {
    const plan = setupPlan("node,gnutls", bare, () => false);
    expect(plan.packages).toEqual(expect.arrayContaining(["gnutls-bin", "gcc", "libc6-dev", "openssl", "python3", "yamllint", "mkcert", "curl", "wget"]));
    expect(plan.packages).not.toContain("golang-go");
    expect(new Set(plan.packages).size).toBe(plan.packages.length);
    expect(plan.reasons.get("gcc")).toEqual(["gnutls", "c-compiler (tests)"]);
    expect(setupPlan("", bare, () => false).packages).toEqual(
      expect.arrayContaining(["openssl", "golang-go", "openjdk-17-jdk-headless", "gnutls-bin", "nginx", "haproxy", "caddy", "stunnel4", "curl"]),
    );
  });

  it("refuses an unknown implementation in one line, before installing anything", async () => {
    const run = await execa(process.execPath, ["node_modules/tsx/dist/cli.mjs", "harness/setup.ts", "--dry-run"], { reject: false, timeout: 60_000, env: { MTLS_IMPLEMENTATIONS: "nginx,boringssl" } });
    expect(run.exitCode).toBe(1);
    expect(String(run.stderr).trim()).toMatch(/^setup: failed to select implementations: MTLS_IMPLEMENTATIONS=nginx,boringssl names boringssl; valid on the process runtime: [^\n]+$/);
  });
});

describe("the banner", () => {
  const host: HostReport = {
    runtime: "process",
    implementations: planImplementations("process", "", bare),
    tools: { openssl: { reason: "not installed (openssl missing): apt-get install openssl, or npm run setup" }, python3: { path: "/usr/bin/python3" }, "c-compiler": { path: "/usr/bin/cc" }, yamllint: { path: "/usr/bin/yamllint" }, mkcert: { reason: "not installed (mkcert missing): apt-get install mkcert, or npm run setup" }, curl: { path: "/usr/bin/curl" }, wget: { path: "/usr/bin/wget" }, "gnutls-cli": { path: "/usr/bin/gnutls-cli" }, chromium: { path: "/usr/bin/chromium" } },
    engine: { reason: "no docker client: npm run setup -- --containers" },
  };

  it("lists the implementations present and missing, with the packages, and the tools", () => {
    expect(bannerLines(host)).toEqual([
      "mtls-conformance: process runtime, every installed implementation (MTLS_IMPLEMENTATIONS unset)",
      "  implementations present: node",
      `  implementations missing (their cells are skipped): ${missingNames}; install: apt-get install ${missingPackages}, or npm run setup`,
      "  test tools present: python3, c-compiler, yamllint, curl, wget, gnutls-cli, chromium; missing (their tests are skipped): openssl, mkcert",
      "  container engine: no docker client: npm run setup -- --containers",
    ]);
  });

  it("heads summary.md, and results.json keeps what was detected", () => {
    const model = resultsModel([], new Date(0), host);
    expect(summaryMarkdown(model)).toContain(["```", ...bannerLines(host), "```"].join("\n"));
    expect(JSON.parse(JSON.stringify(model)).host.implementations[1]).toMatchObject({ name: "openssl", missing: true, unavailable: expect.stringMatching(/^not installed/) });
  });
});
