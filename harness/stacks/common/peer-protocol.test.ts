// One protocol, seven programs (docs/peer-protocol.md): the Go, Java and Python peers run with the
// same arguments, against each other on loopback, and their lines must be the same once each
// stack's own texts are normalised (error texts, cipher names, addresses). A program that drifts
// (a line renamed, another stage, another exit code, a flag it accepts that the others refuse)
// fails here. The rustls, wolfSSL, BoringSSL and mbedTLS peers speak the same command line: they
// are held to the same client stages and bad-input lines; their exchanges differ by what each
// library and peer can do (mbedTLS 2.28 has no TLS 1.3; the C peers lack --allow-identity or a
// key-pair reload in part, see each stack's notYet), so the exchange cases compare Go, Java and
// Python. The service form (Java, Python) must print what the one-shot program prints.
import { mkdtemp, rename, rm, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { removeFixtureSet, writeFixtureSet, type FixtureSet } from "../../../fixtures/fixture-set.js";
import { catalogueSpec, intruderIdentity, serverName } from "../../../fixtures/profiles.js";
import { allocateEndpoint, formatEndpoint } from "../../core/network.js";
import { applicationRequest } from "../../core/observation.js";
import { missingImplementations } from "../../host/context.js";
import { processRuntime } from "../../runtime/process.js";
import { stopSharedPeers } from "../../runtime/shared-peers.js";
import type { ManagedProcess } from "../../runtime/types.js";
import { goProgram } from "../go/adapter.js";
import { javaProgram } from "../java/adapter.js";
import { pythonProgram } from "../python/adapter.js";
import { rustlsProgram } from "../rustls/adapter.js";
import { wolfsslProgram } from "../wolfssl/adapter.js";
import { boringsslProgram } from "../boringssl/adapter.js";
import { mbedtlsProgram } from "../mbedtls/adapter.js";
import { requestService } from "./peer-service.js";
import type { TlsPeerProgram } from "./tlspeer-protocol.js";

/** The exchange cases' programs: every client against every server. */
const names = ["go", "java", "python"] as const;
const compiledPeers = ["rustls", "wolfssl", "boringssl", "mbedtls"] as const;
type Name = (typeof names)[number] | (typeof compiledPeers)[number];
/** Every program of the peer command line that is installed: the client stages and the bad input. */
const allPeers: Name[] = [...names, ...compiledPeers.filter((name) => !missingImplementations(name))];
const withService: Name[] = ["java", "python"];

const missing = missingImplementations(...names);
beforeEach((context) => {
  if (missing) context.skip(missing);
});

let fixtures: FixtureSet;
let dir: string;
let peers: Record<Name, TlsPeerProgram>;

beforeAll(async () => {
  if (missing) return;
  fixtures = await writeFixtureSet(catalogueSpec, new Date());
  dir = await mkdtemp(join(tmpdir(), "mtls-peer-protocol-"));
  // The project's host builds (program-build.ts), once per program and process.
  const programs = { go: goProgram, java: javaProgram, python: pythonProgram, rustls: rustlsProgram, wolfssl: wolfsslProgram, boringssl: boringsslProgram, mbedtls: mbedtlsProgram };
  const built = await Promise.all(allPeers.map(async (name) => [name, await programs[name](processRuntime)] as const));
  peers = Object.fromEntries(built) as Record<Name, TlsPeerProgram>;
}, 300_000);

afterAll(async () => {
  await stopSharedPeers();
  if (fixtures) await removeFixtureSet(fixtures);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What is the stack's own in a line (its error texts, cipher names, the address it bound), replaced by a placeholder. */
const stackTexts: Array<[RegExp, string]> = [
  [/^ready: listening on .*$/, "ready: listening on ADDR"],
  [/^served: (\S+) .*$/, "served: $1 CIPHER"],
  [/^rejected: (?!not authorized: ).*$/, "rejected: ERROR"],
  [/^cipher: .*$/, "cipher: CIPHER"],
  [/^error: ([a-z]+): .*$/, "error: $1: ERROR"],
  [/^usage: .*$/, "usage: USAGE"],
  [/^(failed to (?!parse arguments: )[^:]*): .*$/, "$1: DETAIL"],
];

function normalise(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => stackTexts.reduce((current, [pattern, placeholder]) => current.replace(pattern, placeholder), line));
}

interface Run {
  exit: number | undefined;
  stdout: string[];
  stderr: string[];
}

async function runOnce(peer: TlsPeerProgram, args: string[], input = ""): Promise<Run> {
  const run = await processRuntime.runToCompletion(peer.implementation, peer.command, [...peer.leadingArgs, ...args], { input, timeoutMs: 30_000 });
  expect(run.timedOut, `${peer.implementation} ${args.join(" ")}`).toBe(false);
  return { exit: run.exitCode, stdout: normalise(run.stdout), stderr: normalise(run.stderr) };
}

/** Each program's result, run with the same arguments. */
async function everyPeer<T>(play: (peer: TlsPeerProgram, name: Name) => Promise<T>, which: readonly Name[] = names): Promise<Record<string, T>> {
  const results: Record<string, T> = {};
  for (const name of which) results[name] = await play(peers[name], name);
  return results;
}

/** All equal to the first program's, shown by name when one differs. */
function expectSame<T>(results: Record<string, T>): T {
  const first = Object.values(results)[0]!;
  expect(results).toEqual(Object.fromEntries(Object.keys(results).map((name) => [name, first])));
  return first;
}

const keyPairFile = async (name: string, certName: string): Promise<string> => {
  const files = fixtures.certs[certName]!;
  const path = join(dir, `${name}-${certName}-${Math.random().toString(36).slice(2)}.pem`);
  await writeFile(path, (await Promise.all([files.cert, files.chain, files.key].map((file) => readFile(file, "utf8")))).join("\n"), { mode: 0o600 });
  return path;
};

interface Server {
  process: ManagedProcess;
  endpoint: string;
  keyPair: string;
}

async function startServers(extra: string[]): Promise<Record<Name, Server>> {
  const servers: Partial<Record<Name, Server>> = {};
  try {
    for (const name of names) {
      const endpoint = formatEndpoint(await allocateEndpoint());
      const keyPair = await keyPairFile(name, "server");
      const peer = peers[name];
      const args = ["server", "--listen", endpoint, "--key-pair", keyPair, "--client-auth", "required", "--client-ca", fixtures.bundles["trust-a"]!, ...extra];
      const process = await processRuntime.startProcess(name, peer.command, [...peer.leadingArgs, ...args], { ready: /^ready: listening on /m, readyTimeoutMs: 60_000, description: `${name} server` });
      servers[name] = { process, endpoint, keyPair };
    }
  } catch (error) {
    await stopServers(servers);
    throw error;
  }
  return servers as Record<Name, Server>;
}

async function stopServers(servers: Partial<Record<Name, Server>>): Promise<void> {
  await Promise.all(Object.values(servers).map((server) => server.process.stop()));
}

/** A server's lines once it has printed one result per connection made (served or rejected), at most 10 s. */
async function serverLines(server: Server, connections: number): Promise<string[]> {
  const results = new RegExp(`(^(served|rejected): .*\\n[^]*){${connections}}`, "m");
  await server.process.waitForOutput(results, 10_000);
  return normalise(server.process.output());
}

const clientArgs = (endpoint: string, extra: string[]): string[] => ["client", "--connect", endpoint, "--servername", serverName, "--timeout-ms", "10000", ...extra];
const withCertificate = (): string[] => ["--cert", fixtures.certs.client!.cert, "--chain", fixtures.certs.client!.chain, "--key", fixtures.certs.client!.key];

/**
 * Every client against every server, one connection at a time: the clients' lines are the same
 * whichever client and server (the servers of `comparedOn`; the others' clients are returned
 * apart), and so are the servers' lines.
 */
async function everyClientAgainstEveryServer(serverExtra: string[], clientExtra: () => string[], comparedOn: readonly Name[] = names): Promise<{ client: Run; server: string[]; apart: Run[] }> {
  const servers = await startServers(serverExtra);
  try {
    const client: Record<string, Run> = {};
    const apart: Run[] = [];
    for (const server of names) {
      for (const name of names) {
        const run = await runOnce(peers[name], clientArgs(servers[server].endpoint, clientExtra()), applicationRequest(serverName));
        if (comparedOn.includes(server)) client[`${name} client -> ${server} server`] = run;
        else apart.push(run);
      }
    }
    const server = await everyPeer(async (_, name) => serverLines(servers[name], names.length));
    return { client: expectSame(client), server: expectSame(server), apart };
  } finally {
    await stopServers(servers);
  }
}

describe("the peer protocol: the programs print the same lines", () => {
  it("a mutual TLS exchange: version, cipher, response; served per connection", async () => {
    const { client, server } = await everyClientAgainstEveryServer([], () => ["--ca", fixtures.bundles["trust-a"]!, ...withCertificate()]);
    expect(client).toEqual({ exit: 0, stdout: ["version: TLSv1.3", "cipher: CIPHER", "response: HTTP/1.0 200 OK"], stderr: [] });
    expect(server).toEqual(["ready: listening on ADDR", ...names.map(() => "served: TLSv1.3 CIPHER")]);
  }, 180_000);

  it("a client without a certificate refused by a server that requires one", async () => {
    const { client, server } = await everyClientAgainstEveryServer([], () => ["--ca", fixtures.bundles["trust-a"]!]);
    expect(client.exit).toBe(1);
    expect(client.stdout.at(-1)).toMatch(/^error: (read|write): ERROR$/);
    expect(server.filter((line) => line.startsWith("rejected: "))).toHaveLength(names.length);
  }, 180_000);

  it("a verified client refused by --allow-identity, in the shared words", async () => {
    // Go refuses inside the handshake (VerifyConnection, with an alert) and the others after it (a
    // close): a client may see Go's alert at its handshake or at its read, as the alert and the
    // client's Finished cross (docs/peer-protocol.md).
    const { client, server, apart } = await everyClientAgainstEveryServer(["--allow-identity", intruderIdentity], () => ["--ca", fixtures.bundles["trust-a"]!, ...withCertificate()], ["java", "python"]);
    expect(client).toEqual({ exit: 1, stdout: ["version: TLSv1.3", "cipher: CIPHER", "error: read: ERROR"], stderr: [] });
    for (const run of apart) expect(run.stdout.at(-1)).toMatch(/^error: (handshake|read): ERROR$/);
    expect(server.slice(1)).toEqual(names.map(() => `rejected: not authorized: client identity spiffe://cluster.local/ns/default/sa/client is not one of ${intruderIdentity}`));
  }, 180_000);

  it("a server the client does not trust: the handshake stage, no version line", async () => {
    const servers = await startServers([]);
    try {
      const client = expectSame(await everyPeer((peer) => runOnce(peer, clientArgs(servers.go.endpoint, ["--ca", fixtures.bundles["trust-b"]!]), applicationRequest(serverName)), allPeers));
      expect(client).toEqual({ exit: 1, stdout: ["error: handshake: ERROR"], stderr: [] });
    } finally {
      await stopServers(servers);
    }
  }, 120_000);

  it("a key pair file replaced by a rename: reloaded with the new leaf's SHA-256, then served", async () => {
    const servers = await startServers([]);
    try {
      const lines = await everyPeer(async (_, name) => {
        const next = await keyPairFile(name, "server-b");
        await rename(next, servers[name].keyPair);
        await runOnce(peers.go, clientArgs(servers[name].endpoint, ["--ca", fixtures.bundles["trust-b"]!, ...withCertificate()]), applicationRequest(serverName));
        return serverLines(servers[name], 1);
      });
      expect(expectSame(lines)).toEqual(["ready: listening on ADDR", `reloaded: ${fixtures.certs["server-b"]!.sha256}`, "served: TLSv1.3 CIPHER"]);
    } finally {
      await stopServers(servers);
    }
  }, 120_000);

  it("nothing listening: the connect stage", async () => {
    const closed = formatEndpoint(await allocateEndpoint());
    const client = expectSame(await everyPeer((peer) => runOnce(peer, clientArgs(closed, []), applicationRequest(serverName)), allPeers));
    expect(client).toEqual({ exit: 1, stdout: ["error: connect: ERROR"], stderr: [] });
  }, 60_000);

  // Bad input: one line on stderr, exit code 2, nothing on stdout. The server's key pair and the
  // client's files are real unless the case is about them.
  const badInput: Array<[what: string, args: () => string[]]> = [
    ["no mode", () => []],
    ["an unknown mode", () => ["serve"]],
    ["an unknown server flag", () => ["server", "--listen", "127.0.0.1:0", "--key-pair", fixtures.certs.server!.fullChain, "--bogus", "x"]],
    ["an unknown client flag", () => ["client", "--connect", "127.0.0.1:1", "--insecure", "yes"]],
    ["--help, which no peer has", () => ["client", "--help"]],
    ["a flag without its value", () => ["client", "--connect"]],
    ["a stray argument", () => ["client", "--connect", "127.0.0.1:1", "extra"]],
    ["a missing --key-pair", () => ["server", "--listen", "127.0.0.1:0"]],
    ["a missing --key-pair and an address not on loopback (the flags' form first)", () => ["server", "--listen", "192.0.2.1:443"]],
    ["a missing --connect", () => ["client", "--ca", fixtures.bundles["trust-a"]!]],
    ["a non-loopback address", () => ["client", "--connect", "192.0.2.1:443"]],
    ["a --client-auth value", () => ["server", "--listen", "127.0.0.1:0", "--key-pair", "/nonexistent", "--client-auth", "sometimes"]],
    ["a --timeout-ms that is not a number", () => ["client", "--connect", "127.0.0.1:1", "--timeout-ms", "soon"]],
    ["a trust bundle that is not there", () => ["client", "--connect", "127.0.0.1:1", "--ca", join(dir, "absent.pem")]],
    ["a client CA bundle that is not there", () => ["server", "--listen", "127.0.0.1:0", "--key-pair", "/nonexistent", "--client-ca", join(dir, "absent.pem")]],
    ["a key pair file that is not there", () => ["server", "--listen", "127.0.0.1:0", "--key-pair", join(dir, "absent.pem")]],
    ["a client key that is not there", () => ["client", "--connect", "127.0.0.1:1", "--cert", fixtures.certs.client!.cert, "--key", join(dir, "absent.pem")]],
  ];

  it.each(badInput)("bad input, %s: the same line and exit code 2", async (_, args) => {
    const run = expectSame(await everyPeer((peer) => runOnce(peer, args()), allPeers));
    expect(run.exit).toBe(2);
    expect(run.stdout).toEqual([]);
    expect(run.stderr).toHaveLength(1);
  }, 60_000);

  it("an unknown flag is refused by every program in the same words", async () => {
    const run = expectSame(await everyPeer((peer) => runOnce(peer, ["client", "--connect", "127.0.0.1:1", "--bogus", "1"]), allPeers));
    expect(run).toEqual({ exit: 2, stdout: [], stderr: ["failed to parse arguments: unknown flag --bogus"] });
  }, 60_000);
});

describe("the service form prints what the one-shot program prints, then exit: CODE", () => {
  async function throughService(peer: TlsPeerProgram, args: string[], input: string): Promise<string[]> {
    const request = await requestService(processRuntime, peer, args, input, true);
    try {
      expect(await request.waitForOutput(/^exit: \d+$/m, 30_000)).toBe(true);
      return normalise(request.output());
    } finally {
      await request.close();
    }
  }

  it.each<[what: string, args: () => string[]]>([
    ["a mutual TLS client", () => ["--ca", fixtures.bundles["trust-a"]!, ...withCertificate()]],
    ["a client refused for its missing certificate", () => ["--ca", fixtures.bundles["trust-a"]!]],
    ["an unknown flag", () => ["--bogus", "1"]],
  ])("%s", async (_, extra) => {
    const servers = await startServers([]);
    try {
      const args = clientArgs(servers.go.endpoint, extra());
      const lines = await everyPeer(async (peer) => {
        const once = await runOnce(peer, args, applicationRequest(serverName));
        const served = await throughService(peer, args, applicationRequest(serverName));
        expect(served).toEqual([...once.stdout, ...once.stderr, `exit: ${once.exit}`]);
        return served;
      }, withService);
      expectSame(lines);
    } finally {
      await stopServers(servers);
    }
  }, 120_000);

  it("a server request: the ready line, then a request that is refused ends with exit: 2", async () => {
    const endpoint = formatEndpoint(await allocateEndpoint());
    const lines = await everyPeer((peer) => throughService(peer, ["server", "--listen", endpoint, "--key-pair", join(dir, "absent.pem")], ""), withService);
    expect(expectSame(lines)).toEqual(["failed to load the server key pair: DETAIL", "exit: 2"]);
  }, 60_000);
});
