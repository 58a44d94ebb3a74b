import { existsSync } from "node:fs";
// What the harness detects on the machine and how MTLS_IMPLEMENTATIONS picks implementations:
// against a PATH with nothing on it (a bare machine) and fake browsers in a temp dir.
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRequiredTools, detectGalleryServers, findChromium, galleryPackages, HostSettingsError, testTools, type GalleryReport, type ToolReport } from "./detection.js";
import { galleryServers } from "../gallery/truth.js";
import { implementationRequirements } from "./implementations.js";
import { bannerLines } from "./banner.js";
import type { HostReport } from "./report.js";
import { resultsModel } from "../report/results.js";
import { summaryMarkdown } from "../report/summary.js";
import { ImplementationSelectionError, implementationNames, planImplementations } from "./implementations.js";
import { setupPlan } from "./setup.js";
import { stacks } from "../stacks/registry.js";

const bare = "/nonexistent-bin";
// The roster comes from the registry, so adding a stack does not edit this test: on a bare machine
// every stack but node (which runs in the harness's own process) is missing, in registry order.
const everyName = stacks.map((stack) => stack.name).join(", ");
// A stack whose programs are absolute paths (Debian's /usr/bin/python3) is found without PATH.
const foundWithoutPath = (stack: (typeof stacks)[number]): boolean => stack.programs.length > 0 && stack.programs.every((program) => program.startsWith("/") && existsSync(program));
const missingStacks = stacks.filter((stack) => stack.name !== "node" && !foundWithoutPath(stack));
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
    expect(statuses.filter((status) => !status.unavailable).map((status) => status.name)).toEqual(stacks.filter((stack) => stack.name === "node" || foundWithoutPath(stack)).map((stack) => stack.name));
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
    expect(() => planImplementations("process", "node,schannel", bare)).toThrow(
      `failed to select implementations: MTLS_IMPLEMENTATIONS=node,schannel names schannel; valid on the process runtime: ${everyName}, or all`,
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
    const run = await execa(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", "unit", "harness/core/network.test.ts"], {
      reject: false,
      timeout: 60_000,
      env: { MTLS_IMPLEMENTATIONS: "all", PATH: onlyNode },
      extendEnv: false,
    });
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr).trim()).toMatch(/^failed to select implementations: MTLS_IMPLEMENTATIONS=all asks for openssl, go, [^\n]+ \(or npm run setup\)$/);
  });

  it("MTLS_CONTAINER_ENTRY: a bad value, or nsenter where it cannot be used, stops the run before any test with one line and exit 2", async () => {
    const onlyNode = join(dir, "only-node-entry");
    await mkdir(onlyNode);
    await symlink(process.execPath, join(onlyNode, "node"));
    const vitest = (entry: string) =>
      execa(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", "unit", "harness/core/network.test.ts"], {
        reject: false,
        timeout: 60_000,
        env: { MTLS_RUNTIME: "container", MTLS_CONTAINER_ENTRY: entry, PATH: onlyNode },
        extendEnv: false,
      });
    const [bad, nsenter] = await Promise.all([vitest("runc"), vitest("nsenter")]);
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr).trim()).toBe("failed to select how peers enter their containers: MTLS_CONTAINER_ENTRY=runc is not one of nsenter, docker-exec");
    expect(nsenter.exitCode).toBe(2);
    const why = process.getuid?.() === 0 ? "nsenter is not installed (util-linux)" : "it needs root";
    expect(String(nsenter.stderr).trim()).toBe(`failed to select how peers enter their containers: MTLS_CONTAINER_ENTRY=nsenter, but ${why}`);
  });

  it("MTLS_KEEP_SERVERS: a value other than 0 or 1 stops the run before any test with one line and exit 2", async () => {
    const run = await execa(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", "unit", "harness/core/network.test.ts"], {
      reject: false,
      timeout: 60_000,
      env: { MTLS_KEEP_SERVERS: "yes" },
    });
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr).trim()).toBe("failed to plan the servers: MTLS_KEEP_SERVERS=yes is not 0 or 1");
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

describe("MTLS_REQUIRE_TOOLS", () => {
  const found = { path: "/usr/bin/x" };
  const gone = (what: string) => ({ reason: `not installed (${what} missing): apt-get install ${what}, or npm run setup` });
  const everyTool = (): ToolReport => ({ ...Object.fromEntries(Object.keys(testTools).map((name) => [name, found])), chromium: found }) as ToolReport;
  const gallery: GalleryReport = { nginx: found, mosquitto: gone("mosquitto"), "nghttp2-proxy": gone("nghttpx") };

  it("the gallery servers are found by the program the gallery tests look for, keyed by package", () => {
    const report = detectGalleryServers([{ program: "mosquitto", debianPackage: "mosquitto" }, { program: "node" }, { program: join(dir, "google-chrome"), debianPackage: "fake-chrome" }], [], () => true, bare);
    // The harness's own node endpoints install nothing, so they are not a requirement.
    expect(report).toEqual({ mosquitto: { reason: "not installed (mosquitto missing): apt-get install mosquitto, or npm run setup" }, "fake-chrome": { path: join(dir, "google-chrome") } });
  });

  it("a package npm run setup installs that no gallery server names is looked up as a package", () => {
    const report = detectGalleryServers([{ program: "mosquitto", debianPackage: "mosquitto" }], ["mosquitto", "apache2", "lighttpd"], (name) => name === "apache2", bare);
    expect(Object.keys(report)).toEqual(["mosquitto", "apache2", "lighttpd"]);
    expect(report.apache2).toEqual({ path: "package apache2" });
    expect(report.lighttpd).toEqual({ reason: "not installed (package lighttpd missing): apt-get install lighttpd, or npm run setup" });
  });

  it("every gallery server's package is one npm run setup installs, so CI requires only what it installs", () => {
    const installed = new Set([...galleryPackages, ...implementationRequirements().flatMap((entry) => entry.packages)]);
    const servers = Object.values(galleryServers).filter((server) => server.debianPackage);
    expect(servers.length).toBeGreaterThan(0);
    expect(servers.map((server) => server.debianPackage).filter((name) => !installed.has(name!))).toEqual([]);
  });

  it("unset, a missing tool or server stops nothing (its tests are skipped)", () => {
    expect(() => checkRequiredTools(undefined, { ...everyTool(), openssl: gone("openssl") }, gallery)).not.toThrow();
    expect(() => checkRequiredTools(" ", { ...everyTool(), openssl: gone("openssl") }, gallery)).not.toThrow();
  });

  it("all: one line naming every missing test tool and gallery server, with their packages and npm run setup", () => {
    const tools = { ...everyTool(), openssl: gone("openssl"), chromium: { reason: "no Chromium or Chrome found" } };
    expect(() => checkRequiredTools("all", tools, gallery)).toThrow(HostSettingsError);
    expect(() => checkRequiredTools("all", tools, gallery)).toThrow(
      /^failed to find required tools: MTLS_REQUIRE_TOOLS=all asks for test tools openssl, chromium and gallery servers mosquitto, nghttp2-proxy, not installed: apt-get install openssl chromium mosquitto nghttp2-proxy \(or npm run setup\)$/,
    );
    expect(() => checkRequiredTools("all", everyTool(), { nginx: found })).not.toThrow();
  });

  it("a list requires only what it names", () => {
    const tools = { ...everyTool(), mkcert: gone("mkcert"), "c-compiler": gone("cc") };
    expect(() => checkRequiredTools("openssl, mosquitto", tools, gallery)).toThrow(/asks for gallery servers mosquitto, not installed: apt-get install mosquitto \(or npm run setup\)$/);
    expect(() => checkRequiredTools("c-compiler,nginx", tools, gallery)).toThrow(/asks for test tools c-compiler, not installed: apt-get install gcc libc6-dev \(or npm run setup\)$/);
    expect(() => checkRequiredTools("openssl,nginx", tools, gallery)).not.toThrow();
  });

  it("an unknown name fails in one line listing the valid ones", () => {
    expect(() => checkRequiredTools("openssl,everything", everyTool(), gallery)).toThrow(
      /^failed to read MTLS_REQUIRE_TOOLS=openssl,everything: names everything; valid: openssl, python3, [^\n]*, chromium, nginx, mosquitto, nghttp2-proxy, or all$/,
    );
    expect(() => checkRequiredTools(",", everyTool(), gallery)).toThrow(/^failed to read MTLS_REQUIRE_TOOLS=,: names nothing; valid: /);
  });

  it("all, or a bad value, stops `npm test` before any test runs, with one line and exit 2", async () => {
    // A PATH with node on it and nothing else: every test tool but a Chromium outside PATH is missing.
    const onlyNode = join(dir, "only-node-tools");
    await mkdir(onlyNode);
    await symlink(process.execPath, join(onlyNode, "node"));
    const vitest = (value: string) =>
      execa(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", "unit", "harness/core/network.test.ts"], {
        reject: false,
        timeout: 60_000,
        env: { MTLS_REQUIRE_TOOLS: value, PATH: onlyNode },
        extendEnv: false,
      });
    const [all, bad] = await Promise.all([vitest("all"), vitest("everything")]);
    expect(all.exitCode).toBe(2);
    expect(String(all.stderr).trim()).toMatch(/^failed to find required tools: MTLS_REQUIRE_TOOLS=all asks for test tools openssl, python3, c-compiler, yamllint, mkcert, curl, wget, gnutls-cli[^\n]* \(or npm run setup\)$/);
    expect(String(all.stdout)).not.toMatch(/Test Files/);
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr).trim()).toMatch(/^failed to read MTLS_REQUIRE_TOOLS=everything: names everything; valid: [^\n]+, or all$/);
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
    const run = await execa(process.execPath, ["node_modules/tsx/dist/cli.mjs", "harness/host/setup.ts", "--dry-run"], { reject: false, timeout: 60_000, env: { MTLS_IMPLEMENTATIONS: "nginx,schannel" } });
    expect(run.exitCode).toBe(1);
    expect(String(run.stderr).trim()).toMatch(/^setup: failed to select implementations: MTLS_IMPLEMENTATIONS=nginx,schannel names schannel; valid on the process runtime: [^\n]+$/);
  });
});

describe("the banner", () => {
  const host: HostReport = {
    runtime: "process",
    implementations: planImplementations("process", "", bare),
    tools: { openssl: { reason: "not installed (openssl missing): apt-get install openssl, or npm run setup" }, python3: { path: "/usr/bin/python3" }, "c-compiler": { path: "/usr/bin/cc" }, yamllint: { path: "/usr/bin/yamllint" }, mkcert: { reason: "not installed (mkcert missing): apt-get install mkcert, or npm run setup" }, curl: { path: "/usr/bin/curl" }, wget: { path: "/usr/bin/wget" }, "gnutls-cli": { path: "/usr/bin/gnutls-cli" }, "openmetrics-parser": { path: "/usr/bin/python3" }, chromium: { path: "/usr/bin/chromium" } },
    engine: { reason: "no docker client: npm run setup -- --containers" },
  };

  it("lists the implementations present and missing, with the packages, and the tools", () => {
    expect(bannerLines(host)).toEqual([
      "mtls-conformance: process runtime, every installed implementation (MTLS_IMPLEMENTATIONS unset)",
      `  implementations present: ${stacks.filter((stack) => stack.name === "node" || foundWithoutPath(stack)).map((stack) => stack.name).join(", ")}`,
      `  implementations missing (their cells are skipped): ${missingNames}; install: apt-get install ${missingPackages}, or npm run setup`,
      "  test tools present: python3, c-compiler, yamllint, curl, wget, gnutls-cli, openmetrics-parser, chromium; missing (their tests are skipped): openssl, mkcert",
      "  container engine: no docker client: npm run setup -- --containers",
    ]);
  });

  it("lists the gallery servers present and missing when they were detected", () => {
    const lines = bannerLines({ ...host, gallery: { nginx: { path: "/usr/sbin/nginx" }, mosquitto: { reason: "not installed (mosquitto missing): apt-get install mosquitto, or npm run setup" } } });
    expect(lines.at(-2)).toBe("  gallery servers present: nginx; missing (their tests are skipped): mosquitto");
  });

  it("heads summary.md, and results.json keeps what was detected", () => {
    const model = resultsModel([], new Date(0), host);
    expect(summaryMarkdown(model)).toContain(["```", ...bannerLines(host), "```"].join("\n"));
    expect(JSON.parse(JSON.stringify(model)).host.implementations[1]).toMatchObject({ name: "openssl", missing: true, unavailable: expect.stringMatching(/^not installed/) });
  });
});
