// `npm run bench`: how fast the harness is against what a user would use instead, measured side by
// side in one run on one machine. Prints a table and writes reports/bench.json. Every figure is a
// median of several runs, with its baseline's median measured in the same run; peak memory is the
// child's maximum resident set size from GNU time.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../fixtures/fixture-set.js";
import { catalogueSpec, serverIdentity, serverName } from "../../fixtures/profiles.js";
import { startLocalMesh } from "../mesh/local-mesh.js";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../core/network.js";
import type { ResultsModel } from "../report/results.js";
import { startProcess } from "../runtime/process.js";
import type { ManagedProcess } from "../runtime/types.js";
import { cpuGroup } from "./cpu-group.js";
import { goalRowIds } from "./goal-rows.js";
import { opensslPkiScript, opensslProcessCount } from "./openssl-pki.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const tsx = join(root, "node_modules/.bin/tsx");
const vitest = join(root, "node_modules/.bin/vitest");

interface Sample {
  wallMs: number;
  maxRssKb: number;
  /** User plus system CPU of the command's whole process tree (a cgroup's, else GNU time's: only the children waited for). */
  cpuSeconds?: number;
  /** The 1-minute load average when the command ended: other work on the machine inflates wall time. */
  load?: number;
  stdout: string;
}

/**
 * Runs a command under GNU time: wall time and the peak RSS of the whole process tree's largest
 * member; CPU from a cgroup of its own where one can be made (bench/cpu-group.ts), else GNU time's.
 */
function measure(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; allowExitCodes?: number[] } = {}): Promise<Sample> {
  const group = cpuGroup();
  const [run, runArgs] = group ? group.wrap(command, args) : [command, args];
  return new Promise<Sample>((resolvePromise, reject) => {
    const started = performance.now();
    execFile(
      "/usr/bin/time",
      ["-f", "__time %e %M %U %S", run, ...runArgs],
      { cwd: options.cwd ?? root, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 30 * 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const wallMs = performance.now() - started;
        const match = /__time ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
        if (error && !match) return reject(new Error(`failed to run ${command} ${args.join(" ")}: ${error.message}`));
        const allowed = typeof error?.code === "number" && options.allowExitCodes?.includes(error.code);
        if (error && !allowed) return reject(new Error(`failed to run ${command} ${args.slice(0, 3).join(" ")}: exit ${error.code}: ${stderr.split("\n").slice(-5).join(" ")}`));
        const timed = Number(match?.[3] ?? 0) + Number(match?.[4] ?? 0);
        const sample = { wallMs, maxRssKb: Number(match?.[2] ?? 0), load: loadavg()[0], stdout };
        if (!group) return resolvePromise({ ...sample, cpuSeconds: timed });
        group.cpuSeconds().then((cpuSeconds) => resolvePromise({ ...sample, cpuSeconds }), reject);
      },
    );
  }).finally(() => group?.remove());
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

interface Figure {
  group: string;
  subject: string;
  value: number;
  unit: string;
  runs: number;
  peakRssMb: number;
  baseline?: string;
  /** value relative to the baseline: how many times faster (or, for rates, the fraction reached). */
  ratio?: number;
  /** Suites: median user+system CPU seconds, the figure other work on a shared machine does not inflate much. */
  cpuSeconds?: number;
  /** Suites: the 1-minute load averages at the end of each run. */
  loads?: number[];
  note?: string;
}

const figures: Figure[] = [];
const record = (figure: Figure) => {
  figures.push(figure);
  const ratio = figure.ratio === undefined ? "" : `  x${figure.ratio.toFixed(2)} vs ${figure.baseline}`;
  process.stderr.write(`  ${figure.group} | ${figure.subject}: ${figure.value.toFixed(1)} ${figure.unit}, ${figure.peakRssMb.toFixed(0)} MB${ratio}\n`);
};

async function repeat(runs: number, sample: () => Promise<Sample & { value?: number }>): Promise<{ value: number; wallMs: number; cpuSeconds: number; peakRssMb: number; samples: Array<Sample & { value?: number }> }> {
  const samples = [];
  for (let run = 0; run < runs; run++) samples.push(await sample());
  return {
    value: median(samples.map((s) => s.value ?? s.wallMs)),
    wallMs: median(samples.map((s) => s.wallMs)),
    cpuSeconds: median(samples.map((s) => s.cpuSeconds ?? 0)),
    peakRssMb: Math.max(...samples.map((s) => s.maxRssKb)) / 1024,
    samples,
  };
}

const inner = (sample: Sample) => JSON.parse(sample.stdout.trim().split("\n").pop()!) as Record<string, number>;

async function pkiBenchmarks(runs: number): Promise<void> {
  process.stderr.write("PKI: the whole fixture catalogue\n");
  const cacheDir = await mkdtemp(join(tmpdir(), "mtls-bench-cache-"));
  const scratch = await mkdtemp(join(tmpdir(), "mtls-bench-openssl-"));
  try {
    const cold = await repeat(runs, async () => {
      const sample = await measure(tsx, ["harness/bench/pki-worker.ts", "cold"]);
      return { ...sample, value: inner(sample).ms! };
    });
    await measure(tsx, ["harness/bench/pki-worker.ts", "warm-cache", cacheDir]);
    const cached = await repeat(runs, async () => {
      const sample = await measure(tsx, ["harness/bench/pki-worker.ts", "cached", cacheDir]);
      return { ...sample, value: inner(sample).ms! };
    });
    await writeFile(join(scratch, "pki.sh"), opensslPkiScript(catalogueSpec));
    const openssl = await repeat(runs, async () => {
      const dir = await mkdtemp(join(scratch, "run-"));
      const sample = await measure("bash", [join(scratch, "pki.sh")], { cwd: dir });
      await rm(dir, { recursive: true, force: true });
      return sample;
    });
    const forge = await repeat(Math.max(1, Math.floor(runs / 2)), async () => {
      const sample = await measure(tsx, ["harness/bench/pki-worker.ts", "forge"]);
      return { ...sample, value: inner(sample).ms! };
    });
    const count = catalogueSpec.certs.length;
    const baseline = `openssl CLI (${opensslProcessCount(catalogueSpec)} processes)`;
    record({ group: "pki", subject: baseline, value: openssl.value, unit: "ms", runs, peakRssMb: openssl.peakRssMb, note: `${count} certificates; no CRLs, validity offsets not reproduced` });
    record({ group: "pki", subject: "harness, cold (issued in-process)", value: cold.value, unit: "ms", runs, peakRssMb: cold.peakRssMb, baseline, ratio: openssl.value / cold.value, note: `${count} certificates + 2 CRLs; node startup excluded` });
    record({ group: "pki", subject: "harness, from cached keys", value: cached.value, unit: "ms", runs, peakRssMb: cached.peakRssMb, baseline, ratio: openssl.value / cached.value, note: `${count} certificates + 2 CRLs issued for this run's start; node startup excluded` });
    record({ group: "pki", subject: "node-forge alone, RSA-2048", value: forge.value, unit: "ms", runs: forge.samples.length, peakRssMb: forge.peakRssMb, baseline: "harness, cold", ratio: forge.value / cold.value, note: `${count} RSA-2048 certificates, SHA-256` });
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}

/** One `openssl s_server -www` on its own loopback address with the catalogue's server certificate. */
async function startBenchServer(fixtures: FixtureSet, clientAuth: string[]): Promise<{ endpoint: Endpoint; server: ManagedProcess }> {
  const endpoint = await allocateEndpoint();
  const leaf = fixtures.certs.server!;
  const server = await startProcess(
    "openssl",
    ["s_server", "-accept", formatEndpoint(endpoint), "-cert", leaf.cert, "-cert_chain", leaf.chain, "-key", leaf.key, "-www", ...clientAuth],
    { ready: /^ACCEPT$/m, readyTimeoutMs: 5_000, description: "benchmark s_server" },
  );
  return { endpoint, server };
}

async function handshakeBenchmarks(fixtures: FixtureSet, runs: number, seconds: number): Promise<void> {
  process.stderr.write(`Handshakes: full handshakes per second against one openssl s_server, ${seconds} s each\n`);
  const { endpoint, server: sServer } = await startBenchServer(fixtures, []);
  try {
    const sTime = await repeat(runs, async () => {
      const sample = await measure("openssl", ["s_time", "-connect", formatEndpoint(endpoint), "-new", "-time", String(seconds), "-www", "/"]);
      const connections = Number(/(\d+) connections in [\d.]+s/.exec(sample.stdout)?.[1] ?? NaN);
      return { ...sample, value: connections / (sample.wallMs / 1000) };
    });
    const baseline = "openssl s_time -new";
    record({ group: "handshake", subject: baseline, value: sTime.value, unit: "handshakes/s", runs, peakRssMb: sTime.peakRssMb, note: "sequential, no certificate verification, GET / per connection" });
    const variants: Array<[string, string, number, string]> = [
      ["harness prober, sequential", fixtures.bundles["trust-a"]!, 1, "verifies chain and name, GET / and reads the answer"],
      ["harness prober, 2 connections in flight", fixtures.bundles["trust-a"]!, 2, "verifies chain and name, GET / and reads the answer"],
      // Like for like with s_time, which verifies nothing: what the prober's verification costs.
      ["harness prober, sequential, no verification", "-", 1, "as s_time: no chain or name check"],
    ];
    for (const [subject, trust, concurrency, note] of variants) {
      const prober = await repeat(runs, async () => {
        const sample = await measure(tsx, ["harness/bench/handshake-worker.ts", endpoint.host, String(endpoint.port), trust, serverName, String(seconds), String(concurrency)]);
        return { ...sample, value: inner(sample).rate! };
      });
      record({ group: "handshake", subject, value: prober.value, unit: "handshakes/s", runs, peakRssMb: prober.peakRssMb, baseline, ratio: prober.value / sTime.value, note });
    }
  } finally {
    await sServer.stop();
  }
}

interface JunitCase {
  name: string;
  seconds: number;
}

async function junitCases(path: string): Promise<JunitCase[]> {
  const xml = await readFile(path, "utf8");
  return [...xml.matchAll(/<testcase classname="[^"]*" name="([^"]*)" time="([\d.]+)"/g)].map((match) => ({ name: match[1]!.replaceAll("&gt;", ">").replaceAll("&amp;", "&"), seconds: Number(match[2]) }));
}

/**
 * The five policy areas issue 11's goal was set on (15 s for the process suite): the files of
 * expiry, identity, client-auth, rotation and modes only, at today's rows and stacks.
 */
const originalAreaFiles = ["expiry", "identity", "client-auth", "rotation", "modes"].map((area) => `suites/${area}.test.ts`);

/** vitest's -t pattern for the goal's rows alone (a test's full name is "<area> <id> <implementation>"). */
const goalRowsPattern = `(${goalRowIds.map((id) => id.replaceAll(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")}) `;
const isGoalCase = (name: string) => goalRowIds.includes(name.split(" > ")[1] ?? "");

async function suiteBenchmarks(runs: number): Promise<void> {
  process.stderr.write("Suites: whole conformance run (vitest), and the five original policy areas alone\n");
  const outputDir = await mkdtemp(join(tmpdir(), "mtls-bench-suite-"));
  const runSuite = (label: string, env: NodeJS.ProcessEnv, files: string[], times: number, goalRowsOnly: boolean) =>
    repeat(times, async () => {
      const junit = join(outputDir, `${label}.xml`);
      const filter = goalRowsOnly ? ["-t", goalRowsPattern] : [];
      const sample = await measure(vitest, ["run", "--project", "conformance", "--reporter=junit", `--outputFile=${junit}`, ...filter, ...files], { env: { ...env, CI: "true" } });
      // Cases -t filtered out are in the JUnit file as skipped; they are not the goal's.
      const cases = (await junitCases(junit)).filter((testCase) => !goalRowsOnly || isGoalCase(testCase.name));
      return { ...sample, stdout: JSON.stringify(cases) };
    });
  try {
    const variants: Array<[string, NodeJS.ProcessEnv, string[]]> = [
      ["process runtime", { MTLS_RUNTIME: "process" }, []],
      ["process runtime, five original areas", { MTLS_RUNTIME: "process" }, originalAreaFiles],
      ["process runtime, the goal's 526 cases (the five areas' 57 rows of the day issue 11 set 15 s)", { MTLS_RUNTIME: "process" }, originalAreaFiles],
      ["process runtime, scenarios doubled", { MTLS_RUNTIME: "process", MTLS_SCALE_SCENARIOS: "2" }, []],
      ["process runtime, implementations doubled", { MTLS_RUNTIME: "process", MTLS_SCALE_IMPLEMENTATIONS: "2" }, []],
    ];
    if (await engineAnswers())
      variants.push(
        ["container runtime, warm images", { MTLS_RUNTIME: "container" }, []],
        // Where peers enter their containers with nsenter (root), the same run through docker exec, as any other user's.
        ["container runtime, warm images, docker exec", { MTLS_RUNTIME: "container", MTLS_CONTAINER_ENTRY: "docker-exec" }, []],
        ["container runtime, warm images, the goal's 469 cases (the same 57 rows; node has no container form)", { MTLS_RUNTIME: "container" }, originalAreaFiles],
      );
    let baseline: number | undefined;
    for (const [label, env, files] of variants) {
      // The scaled and container variants run once: they are minutes long and only their ratio matters.
      const times = label.startsWith("process runtime") && !label.includes("doubled") ? runs : 1;
      const result = await runSuite(label.replaceAll(/\W+/g, "-"), env, files, times, label.includes("goal's"));
      const cases: JunitCase[] = JSON.parse(result.samples.at(-1)!.stdout);
      const byImplementation = new Map<string, number[]>();
      for (const testCase of cases) {
        const implementation = testCase.name.split(" > ").pop()!;
        byImplementation.set(implementation, [...(byImplementation.get(implementation) ?? []), testCase.seconds]);
      }
      const perImplementation = [...byImplementation].map(([name, durations]) => `${name} ${(durations.reduce((a, b) => a + b, 0)).toFixed(1)} s`).join(", ");
      const perScenarioMs = (cases.reduce((sum, testCase) => sum + testCase.seconds, 0) / Math.max(cases.length, 1)) * 1000;
      baseline ??= result.wallMs;
      const loads = result.samples.map((sample) => Number((sample.load ?? 0).toFixed(1)));
      record({
        group: "suite",
        subject: label,
        value: result.wallMs / 1000,
        unit: "s",
        runs: times,
        peakRssMb: result.peakRssMb,
        baseline: label === "process runtime" ? undefined : "process runtime",
        ratio: label === "process runtime" ? undefined : result.wallMs / baseline,
        cpuSeconds: result.cpuSeconds,
        loads,
        note: `${cases.length} cases, CPU ${result.cpuSeconds.toFixed(1)} s (user+sys), load ${loads.join("/")}; ${perScenarioMs.toFixed(0)} ms per case; ${perImplementation}`,
      });
    }
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}

function docker(args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) =>
    execFile("docker", args, { timeout: 10 * 60_000 }, (error, stdout) => (error ? reject(new Error(`failed to run docker ${args[0]}: ${error.message}`)) : resolvePromise(stdout))),
  );
}

/** The project's images and the engine's build cache, as on a machine that never built them. */
async function removeProjectImages(): Promise<void> {
  // By tag, not id: the base image has children (build stages) and cannot be removed by id.
  const images = (await docker(["images", "--filter", "reference=mtls-conformance/*", "--format", "{{.Repository}}:{{.Tag}}"])).split("\n").filter(Boolean);
  if (images.length) await docker(["rmi", "--force", ...new Set(images)]);
  await docker(["image", "prune", "--force"]);
  await docker(["builder", "prune", "--all", "--force"]);
}

/**
 * Opt-in (`npm run bench -- ci`, or `ci-cold` to remove the project's images and build cache
 * first): a fresh clone of this checkout's HEAD, and its `.ci/run` timed whole and by step (the
 * "ci: ... took N s" lines it prints). Debian packages this machine already has are not installed
 * again, so a new machine adds its apt time to the figure.
 */
async function freshCloneCiBenchmark(cold: boolean): Promise<void> {
  if (cold && !(await engineAnswers())) throw new Error("failed to run the cold .ci/run benchmark: no docker engine answers (npm run engine:up)");
  process.stderr.write(`CI: .ci/run from a fresh clone${cold ? ", images and build cache removed first" : ""}\n`);
  const clone = await mkdtemp(join(tmpdir(), "mtls-bench-ci-"));
  try {
    await measure("git", ["clone", "--quiet", root, clone], { timeoutMs: 5 * 60_000 });
    if (cold) await removeProjectImages();
    // The whole output goes to a log beside the reports, so a failing run can be read afterwards.
    const log = join(root, "reports", cold ? "bench-ci-cold.log" : "bench-ci.log");
    await mkdir(dirname(log), { recursive: true });
    const run = await measure("bash", ["-c", 'bash .ci/run >"$0" 2>&1 || { echo "bench: .ci/run failed, its output: $0" >&2; exit 1; }', log], { cwd: clone, timeoutMs: 90 * 60_000 });
    const output = await readFile(log, "utf8");
    const steps = [...output.matchAll(/^ci: (.+) took (\d+) s/gm)].map((match) => `${match[1]} ${match[2]} s`);
    const closing = output.trim().split("\n").at(-1) ?? "";
    record({
      group: "ci",
      subject: cold ? "fresh-clone .ci/run, images built from nothing" : "fresh-clone .ci/run, images present",
      value: run.wallMs / 1000,
      unit: "s",
      runs: 1,
      peakRssMb: run.maxRssKb / 1024,
      cpuSeconds: run.cpuSeconds,
      loads: [Number((run.load ?? 0).toFixed(1))],
      note: `${steps.join("; ")}; "${closing}"; Debian packages already installed`,
    });
  } finally {
    await rm(clone, { recursive: true, force: true });
  }
}

/**
 * Opt-in (`npm run bench -- suite-cold`): removes the project's images and the build cache, then
 * times the image builds and the container suite on them, against the warm suite measured after.
 */
async function coldContainerBenchmark(): Promise<void> {
  if (!(await engineAnswers())) throw new Error("failed to run the cold container benchmark: no docker engine answers (npm run engine:up)");
  process.stderr.write("Suites: container runtime from no images\n");
  await removeProjectImages();
  const build = await measure(tsx, ["harness/images/build-images.ts"], { timeoutMs: 30 * 60_000 });
  const suite = () => measure(vitest, ["run", "--project", "conformance", "--reporter=dot"], { env: { MTLS_RUNTIME: "container", CI: "true" } });
  const cold = await suite();
  const warm = await suite();
  record({ group: "suite", subject: "container runtime, image builds from nothing", value: build.wallMs / 1000, unit: "s", runs: 1, peakRssMb: build.maxRssKb / 1024, note: "debootstrap base + every peer image, build cache pruned first" });
  record({ group: "suite", subject: "container runtime, first run on fresh images", value: cold.wallMs / 1000, unit: "s", runs: 1, peakRssMb: cold.maxRssKb / 1024 });
  record({ group: "suite", subject: "container runtime, warm", value: warm.wallMs / 1000, unit: "s", runs: 1, peakRssMb: warm.maxRssKb / 1024, baseline: "container runtime, cold total", ratio: (build.wallMs + cold.wallMs) / warm.wallMs });
}

function engineAnswers(): Promise<boolean> {
  return new Promise((resolvePromise) => execFile("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 5_000 }, (error) => resolvePromise(!error)));
}

// Debian's testssl.sh is 3.0.8, which has no client-certificate option (--mtls came with 3.2,
// measured: "unrecognized option"). So both tools probe one endpoint that requests a client
// certificate but does not require it: testssl.sh can then complete its handshakes, and our
// command runs all its checks (without --expect-mode, so it exits 0 and reports the mode).
async function externalBenchmarks(fixtures: FixtureSet, runs: number): Promise<void> {
  process.stderr.write("External: one endpoint, the harness's command against testssl.sh\n");
  const { endpoint, server: optional } = await startBenchServer(fixtures, ["-verify", "10", "-verify_return_error", "-CAfile", fixtures.bundles["trust-a"]!]);
  try {
    const ours = await repeat(runs, () =>
      measure(process.execPath, [
        join(root, "harness/bin/mtls-conformance.mjs"), "run", "--target", formatEndpoint(endpoint), "--server-name", serverName,
        "--trust-bundle", fixtures.bundles["trust-a"]!, "--issuer-cert", fixtures.certs["issuer-a"]!.cert, "--issuer-key", fixtures.certs["issuer-a"]!.key,
      ]),
    );
    record({ group: "external", subject: "mtls-conformance run", value: ours.wallMs / 1000, unit: "s", runs, peakRssMb: ours.peakRssMb, note: "12 checks: plaintext, no cert, rogue/self-signed/expired/not-yet-valid/serverAuth-only/valid client certs, chain, name, negotiated; observed mode" });
    const testssl = await which("testssl");
    if (testssl) {
      // testssl.sh's exit status counts findings; any status with a finished scan is a measurement.
      const theirs = await repeat(1, () => measure(testssl, ["--quiet", "--color", "0", "--warnings", "off", formatEndpoint(endpoint)], { timeoutMs: 20 * 60_000, allowExitCodes: Array.from({ length: 250 }, (_, code) => code) }));
      record({
        group: "external",
        subject: "testssl.sh 3.0.8 (full default scan)",
        value: theirs.wallMs / 1000,
        unit: "s",
        runs: 1,
        peakRssMb: theirs.peakRssMb,
        baseline: "mtls-conformance run",
        ratio: theirs.wallMs / ours.wallMs,
        note: "protocols, ciphers, vulnerabilities, certificate, headers; no client-certificate policy checks (3.0.8 cannot send one)",
      });
    }
  } finally {
    await optional.stop();
  }
}

/**
 * How fast the command starts and finishes: `--help`, and a run against one local strict
 * s_server with every input given (issuer, trust bundle, name, identity), compiled JavaScript
 * (what `npm run build` makes and the package ships) against the same CLI run through tsx.
 */
async function cliBenchmarks(fixtures: FixtureSet, runs: number): Promise<void> {
  process.stderr.write("CLI: start and one run, compiled (dist/) against tsx\n");
  const { endpoint, server: strict } = await startBenchServer(fixtures, ["-Verify", "10", "-verify_return_error", "-CAfile", fixtures.bundles["trust-a"]!]);
  const runArgs = [
    "run", "--target", formatEndpoint(endpoint), "--expect-mode", "strict", "--server-name", serverName, "--trust-bundle", fixtures.bundles["trust-a"]!,
    "--expect-identity", serverIdentity, "--issuer-cert", fixtures.certs["issuer-a"]!.cert, "--issuer-key", fixtures.certs["issuer-a"]!.key,
  ];
  const compiled = (args: string[]) => measure(process.execPath, [join(root, "harness/bin/mtls-conformance.mjs"), ...args]);
  const fromSource = (args: string[]) => measure(tsx, ["harness/bench/cli-from-source.ts", ...args]);
  try {
    for (const [what, args] of [["--help", ["--help"]], ["run, one local endpoint", runArgs]] as const) {
      const before = await repeat(runs, () => fromSource([...args]));
      const after = await repeat(runs, () => compiled([...args]));
      const baseline = `tsx harness/commands/cli.ts ${what}`;
      record({ group: "cli", subject: baseline, value: before.wallMs, unit: "ms", runs, peakRssMb: before.peakRssMb, note: "TypeScript transformed at every start" });
      record({ group: "cli", subject: `mtls-conformance ${what}`, value: after.wallMs, unit: "ms", runs, peakRssMb: after.peakRssMb, baseline, ratio: before.wallMs / after.wallMs, note: "compiled dist/, node startup included" });
    }
  } finally {
    await strict.stop();
  }
}

/**
 * A whole mesh: 100 loopback endpoints (strict, permissive and plaintext in turn, each on its own
 * 127.x address, served by this process: harness/mesh/local-mesh.ts) judged by one
 * `run --targets --concurrency 16`, then by 4 shards started at once and merged, as 4 pods of an
 * Indexed Job would be on one 2-core node. The merged verdicts must equal the unsharded ones.
 */
async function meshBenchmarks(fixtures: FixtureSet, runs: number): Promise<void> {
  const count = 100;
  const concurrency = 16;
  const shards = 4;
  process.stderr.write(`Mesh: ${count} loopback endpoints, --concurrency ${concurrency}, then ${shards} shards merged\n`);
  const mesh = await startLocalMesh(fixtures, count);
  const dir = await mkdtemp(join(tmpdir(), "mtls-bench-mesh-"));
  try {
    const targets = join(dir, "targets.yaml");
    const lines = ["defaults:", `  issuerCert: ${fixtures.certs["issuer-a"]!.cert}`, `  issuerKey: ${fixtures.certs["issuer-a"]!.key}`, "targets:"];
    for (const endpoint of mesh.endpoints) lines.push(`  - name: ${endpoint.name}`, `    target: "${endpoint.address}"`, `    expectMode: ${endpoint.mode}`);
    await writeFile(targets, lines.join("\n") + "\n");
    const command = join(root, "harness/bin/mtls-conformance.mjs");
    const verdicts = async (file: string) => JSON.stringify((JSON.parse(await readFile(file, "utf8")) as ResultsModel).cases.map((entry) => [entry.name, entry.verdict]).sort());
    const whole = await repeat(runs, () => measure(process.execPath, [command, "run", "--targets", targets, "--concurrency", String(concurrency), "--json", join(dir, "whole.json")]));
    const wholeModel = JSON.parse(await readFile(join(dir, "whole.json"), "utf8")) as ResultsModel;
    const failing = wholeModel.cases.filter((entry) => entry.verdict !== "pass" && entry.verdict !== "recorded").length;
    record({ group: "mesh", subject: `run --targets, ${count} endpoints, --concurrency ${concurrency}`, value: whole.wallMs / 1000, unit: "s", runs, peakRssMb: whole.peakRssMb, note: `${wholeModel.cases.length} checks, ${failing} not passed; strict/permissive/plaintext in turn, each on its own 127.x address` });
    const sharded = await repeat(runs, async () => {
      const started = performance.now();
      const parts = await Promise.all(Array.from({ length: shards }, (_, index) => measure(process.execPath, [command, "run", "--targets", targets, "--shard", `${index}/${shards}`, "--concurrency", String(concurrency), "--json", join(dir, `shard-${index}.json`)])));
      const merge = await measure(process.execPath, [command, "merge", ...Array.from({ length: shards }, (_, index) => join(dir, `shard-${index}.json`)), "--reports", join(dir, "merged")]);
      return { wallMs: performance.now() - started, maxRssKb: Math.max(...parts.map((part) => part.maxRssKb), merge.maxRssKb), stdout: "", value: merge.wallMs };
    });
    if ((await verdicts(join(dir, "merged", "results.json"))) !== (await verdicts(join(dir, "whole.json")))) throw new Error("failed to merge the shards: the merged verdicts differ from the unsharded run's");
    // What one pod of an Indexed Job takes on a node of its own: one shard, alone.
    const alone = await repeat(runs, () => measure(process.execPath, [command, "run", "--targets", targets, "--shard", `0/${shards}`, "--concurrency", String(concurrency), "--json", join(dir, "alone.json")]));
    record({ group: "mesh", subject: `one shard of ${shards} alone (${count / shards} endpoints)`, value: alone.wallMs / 1000, unit: "s", runs, peakRssMb: alone.peakRssMb, baseline: `run --targets, ${count} endpoints, --concurrency ${concurrency}`, ratio: whole.wallMs / alone.wallMs, note: "what each pod takes when the shards run on separate nodes" });
    record({ group: "mesh", subject: `${shards} shards at once + merge, same ${count} endpoints`, value: sharded.wallMs / 1000, unit: "s", runs, peakRssMb: sharded.peakRssMb, baseline: `run --targets, ${count} endpoints, --concurrency ${concurrency}`, ratio: whole.wallMs / sharded.wallMs, note: `each shard --concurrency ${concurrency} on the same 2 cores; merge alone ${sharded.value.toFixed(0)} ms; merged verdicts equal the unsharded run's` });
  } finally {
    await mesh.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function which(command: string): Promise<string | undefined> {
  return new Promise((resolvePromise) => execFile("which", [command], (error, stdout) => resolvePromise(error ? undefined : stdout.trim())));
}

const only = new Set(process.argv.slice(2));
/** Groups that run only when named: they remove images or take a quarter of an hour. */
const optIn = new Set(["suite-cold", "ci", "ci-cold"]);
const wanted = (group: string) => (only.size === 0 && !optIn.has(group)) || only.has(group);
const runs = Number(process.env.MTLS_BENCH_RUNS ?? 5);
const fixtures = await writeFixtureSet(catalogueSpec, new Date());
const groups: Array<[string, () => Promise<void>]> = [
  ["pki", () => pkiBenchmarks(runs)],
  ["handshake", () => handshakeBenchmarks(fixtures, 3, 5)],
  ["suite", () => suiteBenchmarks(3)],
  ["external", () => externalBenchmarks(fixtures, 3)],
  ["cli", () => cliBenchmarks(fixtures, runs)],
  ["mesh", () => meshBenchmarks(fixtures, 3)],
  ["suite-cold", () => coldContainerBenchmark()],
  ["ci", () => freshCloneCiBenchmark(false)],
  ["ci-cold", () => freshCloneCiBenchmark(true)],
];
let failures = 0;
try {
  // One group failing (a missing tool, say) costs its own figures only.
  for (const [group, run] of groups) {
    if (!wanted(group)) continue;
    await run().catch((error: Error) => {
      failures++;
      process.stderr.write(`bench: failed to measure ${group}: ${error.message}\n`);
    });
  }
} finally {
  await removeFixtureSet(fixtures);
}
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
await mkdir(join(root, "reports"), { recursive: true });
// A partial run (`npm run bench -- pki`) replaces only its own groups' figures in bench.json.
const previous = await readFile(join(root, "reports/bench.json"), "utf8").then((text) => JSON.parse(text).figures as Figure[]).catch(() => []);
const measuredSubjects = new Set(figures.map((figure) => `${figure.group}\u0000${figure.subject}`));
const merged = [...previous.filter((figure) => !measuredSubjects.has(`${figure.group}\u0000${figure.subject}`)), ...figures];
await writeFile(join(root, "reports/bench.json"), JSON.stringify({ machine, figures: merged }, null, 2) + "\n");
const table = [
  "| group | subject | median | peak RSS | vs baseline | note |",
  "| --- | --- | --- | --- | --- | --- |",
  ...merged.map((f) => `| ${f.group} | ${f.subject} | ${f.value.toFixed(f.unit === "ms" ? 0 : 1)} ${f.unit} | ${f.peakRssMb.toFixed(0)} MB | ${f.ratio === undefined ? "baseline" : `${f.ratio.toFixed(2)}x ${f.baseline}`} | ${f.note ?? ""} |`),
].join("\n");
process.stdout.write(`Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGb} GiB, Node ${machine.node}\n\n${table}\n`);
process.exitCode = failures ? 1 : 0;
