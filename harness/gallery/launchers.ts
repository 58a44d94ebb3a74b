// The external gallery's real third-party servers: nginx, Caddy, HAProxy, mosquitto, nghttpx,
// PostgreSQL and Apache from Debian, configured from the templates beside this file the way their users
// configure them, plus misbehaving endpoints (misbehaving-endpoint.mjs). Each runs in the
// foreground on its own 127.x address with the fixture PKI's server certificate and trust-a as
// the client CA; what each probe gets from it is truth.ts.
import { randomBytes } from "node:crypto";
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FixtureSet } from "../../fixtures/fixture-set.js";
import { altServerName, clientIdentity, serverName } from "../../fixtures/profiles.js";
import { allocateEndpoint, formatEndpoint, type Endpoint } from "../core/network.js";
import { waitUntilListening } from "../stacks/common/listener-ready.js";
import { runToCompletion, startProcess } from "../runtime/process.js";
import type { ManagedProcess } from "../runtime/types.js";
import { detectionTimeoutMs, postgresBin, type DetectorKind, type GalleryKind } from "./truth.js";

/** Every server the gallery starts: the measured ones (truth.ts galleryServers) and the protocol detectors. */
export type StartableKind = GalleryKind | DetectorKind;

export class GalleryServerError extends Error {}

export interface RunningGalleryServer extends AsyncDisposable {
  kind: StartableKind;
  endpoint: Endpoint;
  /** The server's own output so far (its log on stderr/stdout). */
  output(): string;
  stop(): Promise<void>;
}

export interface GalleryOptions {
  /** stops-mid-run: how many connections are served before it starts resetting (default 3). */
  serveConnections?: number;
  /** random-reset: the PRNG seed (default 1). */
  seed?: number;
  /** nginx-identity-map, haproxy-sni-identity, nginx-identity-per-name: the one client identity (certificate CN) api.mesh.test admits (default clientIdentity). */
  allowedIdentity?: string;
  /** haproxy-ticket-keys, nginx-client-ca: the bundle of client CAs to trust (default trust-a). */
  clientCa?: string;
  /** haproxy-ticket-keys, nginx-client-ca: the ticket key file, created in the server's format when missing, so that a restart keeps its tickets. */
  ticketKeys?: string;
  /** Listen here instead of a fresh address (a restart that clients' saved sessions must find again). */
  endpoint?: Endpoint;
}

const gallery = import.meta.dirname;
const misbehavingScript = join(gallery, "misbehaving-endpoint.mjs");
/** The role the fixture client certificate (CN=client) logs in as. */
export const postgresRole = "client";

/** `{{name}}` placeholders in a config template, all of which must be given. */
async function renderTemplate(template: string, values: Record<string, string | number>): Promise<string> {
  const text = await readFile(join(gallery, "configs", template), "utf8");
  return text.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    if (!(name in values)) throw new GalleryServerError(`failed to render ${template}: no value for {{${name}}}`);
    return String(values[name]);
  });
}

interface Scratch {
  dir: string;
  remove(): Promise<void>;
}

async function scratchDir(kind: StartableKind): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), `mtls-gallery-${kind}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

async function concatFiles(target: string, sources: string[], mode = 0o644): Promise<string> {
  const parts = await Promise.all(sources.map((source) => readFile(source, "utf8")));
  await writeFile(target, parts.map((part) => (part.endsWith("\n") ? part : `${part}\n`)).join(""), { mode });
  return target;
}

/** The values every template may use. */
function commonValues(endpoint: Endpoint, fixtures: FixtureSet, dir: string): Record<string, string | number> {
  const server = fixtures.certs.server!;
  return {
    dir,
    host: endpoint.host,
    port: endpoint.port,
    listen: formatEndpoint(endpoint),
    serverName,
    serverFullChain: server.fullChain,
    serverKey: server.key,
    trustBundle: fixtures.bundles["trust-a"]!,
  };
}

/** Starts a program and waits for its ready line, then for its socket to listen (a ready line can precede listen()). */
async function startListening(endpoint: Endpoint, description: string, command: string, args: string[], ready: RegExp): Promise<ManagedProcess> {
  const child = await startProcess(command, args, { ready, readyTimeoutMs: 15_000, description });
  if (!(await waitUntilListening(endpoint, 5_000))) {
    await child.stop();
    throw new GalleryServerError(`failed to start ${description}: it did not listen on ${formatEndpoint(endpoint)} within 5000 ms`);
  }
  return child;
}

function running(kind: StartableKind, endpoint: Endpoint, children: ManagedProcess[], cleanup: () => Promise<void>, beforeStop?: () => Promise<void>): RunningGalleryServer {
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (beforeStop) await beforeStop().catch(() => {});
      await Promise.allSettled(children.map((child) => child.stop()));
      await cleanup();
    })());
  return { kind, endpoint, output: () => children.map((child) => child.output()).join(""), stop, [Symbol.asyncDispose]: stop };
}

type Starter = (endpoint: Endpoint, fixtures: FixtureSet, scratch: Scratch, options: GalleryOptions) => Promise<RunningGalleryServer>;

const startNginx =
  (verifyClient: "on" | "optional"): Starter =>
  async (endpoint, fixtures, scratch) => {
    const kind: GalleryKind = verifyClient === "on" ? "nginx-verify-on" : "nginx-verify-optional";
    const conf = join(scratch.dir, "nginx.conf");
    await writeFile(conf, await renderTemplate("nginx.conf", { ...commonValues(endpoint, fixtures, scratch.dir), verifyClient }));
    // Listening sockets are open before the master starts its worker.
    const child = await startListening(endpoint, `nginx (${kind})`, "nginx", ["-c", conf, "-p", scratch.dir, "-e", "stderr"], /start worker process/);
    return running(kind, endpoint, [child], scratch.remove);
  };

/** nginx admitting one client identity (the CN of its verified certificate), clientIdentity unless options say otherwise. */
const startNginxIdentity: Starter = async (endpoint, fixtures, scratch, options) => {
  const conf = join(scratch.dir, "nginx.conf");
  await writeFile(conf, await renderTemplate("nginx-identity.conf", { ...commonValues(endpoint, fixtures, scratch.dir), allowedIdentity: options.allowedIdentity ?? clientIdentity }));
  const child = await startListening(endpoint, "nginx (nginx-identity-map)", "nginx", ["-c", conf, "-p", scratch.dir, "-e", "stderr"], /start worker process/);
  return running("nginx-identity-map", endpoint, [child], scratch.remove);
};

/** nginx with ssl_verify_client optional, requiring a verified certificate only under /api. */
const startNginxPerLocation: Starter = async (endpoint, fixtures, scratch) => {
  const conf = join(scratch.dir, "nginx.conf");
  await writeFile(conf, await renderTemplate("nginx-per-location.conf", commonValues(endpoint, fixtures, scratch.dir)));
  const child = await startListening(endpoint, "nginx (nginx-per-location)", "nginx", ["-c", conf, "-p", scratch.dir, "-e", "stderr"], /start worker process/);
  return running("nginx-per-location", endpoint, [child], scratch.remove);
};

/**
 * nginx with the API (ssl_verify_client on) beside a default server: open (its own site, no client
 * auth) or closed (ssl_reject_handshake, 421 for any request routed to it).
 */
const startNginxDefaultServer =
  (defaultServer: "open" | "closed"): Starter =>
  async (endpoint, fixtures, scratch) => {
    const kind: GalleryKind = `nginx-default-server-${defaultServer}`;
    const values = commonValues(endpoint, fixtures, scratch.dir);
    const body =
      defaultServer === "open"
        ? `ssl_certificate ${values.serverFullChain}; ssl_certificate_key ${values.serverKey}; location / { default_type text/plain; return 200 "hello from the default server\n"; }`
        : `ssl_reject_handshake on; location / { default_type text/plain; return 421 "misdirected: this server serves only named hosts\n"; }`;
    const conf = join(scratch.dir, "nginx.conf");
    await writeFile(conf, await renderTemplate("nginx-default-server.conf", { ...values, defaultServer: body }));
    const child = await startListening(endpoint, `nginx (${kind})`, "nginx", ["-c", conf, "-p", scratch.dir, "-e", "stderr"], /start worker process/);
    return running(kind, endpoint, [child], scratch.remove);
  };

/** nginx refusing a client without a certificate on one protocol path only (configs/nginx-protocol-split.conf). */
const startNginxProtocolSplit =
  (kind: "nginx-refuses-http1-only" | "nginx-refuses-tls12-only"): Starter =>
  async (endpoint, fixtures, scratch) => {
    const split = kind === "nginx-refuses-http1-only" ? { splitVariable: "$http2", refusedWhen: "" } : { splitVariable: "$ssl_protocol", refusedWhen: "TLSv1.2" };
    const conf = join(scratch.dir, "nginx.conf");
    await writeFile(conf, await renderTemplate("nginx-protocol-split.conf", { ...commonValues(endpoint, fixtures, scratch.dir), ...split }));
    const child = await startListening(endpoint, `nginx (${kind})`, "nginx", ["-c", conf, "-p", scratch.dir, "-e", "stderr"], /start worker process/);
    return running(kind, endpoint, [child], scratch.remove);
  };

/** HAProxy with a crt-list: api.mesh.test verify required, alt.mesh.test verify none (configs/haproxy-crt-list.*). */
const startHaproxyCrtList: Starter = async (endpoint, fixtures, scratch) => {
  const [server, alt] = [fixtures.certs.server!, fixtures.certs["server-alt"]!];
  const serverPem = await concatFiles(join(scratch.dir, "api.pem"), [server.fullChain, server.key], 0o600);
  const altPem = await concatFiles(join(scratch.dir, "alt.pem"), [alt.fullChain, alt.key], 0o600);
  const values = commonValues(endpoint, fixtures, scratch.dir);
  const crtList = join(scratch.dir, "crt-list");
  await writeFile(crtList, await renderTemplate("haproxy-crt-list.txt", { ...values, serverPem, altPem, altServerName }));
  const conf = join(scratch.dir, "haproxy.cfg");
  await writeFile(conf, await renderTemplate("haproxy-crt-list.cfg", { ...values, crtList }));
  const child = await startListening(endpoint, "haproxy (crt-list)", "haproxy", ["-db", "-V", "-f", conf], /Using \w+\(\) as the polling mechanism/);
  return running("haproxy-crt-list-resumption", endpoint, [child], scratch.remove);
};

/** nginx: alt.mesh.test without client auth and api.mesh.test with it, sharing a session cache and ticket key (configs/nginx-shared-sessions.conf). */
const startNginxSharedSessions: Starter = async (endpoint, fixtures, scratch) => {
  const alt = fixtures.certs["server-alt"]!;
  const ticketKey = join(scratch.dir, "ticket.key");
  await writeFile(ticketKey, randomBytes(80), { mode: 0o600 });
  const conf = join(scratch.dir, "nginx.conf");
  const values = { ...commonValues(endpoint, fixtures, scratch.dir), altServerName, altFullChain: alt.fullChain, altKey: alt.key, ticketKey };
  await writeFile(conf, await renderTemplate("nginx-shared-sessions.conf", values));
  const child = await startListening(endpoint, "nginx (shared sessions)", "nginx", ["-c", conf, "-p", scratch.dir, "-e", "stderr"], /start worker process/);
  return running("nginx-shared-sessions", endpoint, [child], scratch.remove);
};

/** A ticket key file in the server's format, created when missing and kept otherwise (a restart resumes the old tickets). */
async function ticketKeyFile(path: string, format: "haproxy" | "nginx"): Promise<string> {
  const exists = await readFile(path).then(
    () => true,
    () => false,
  );
  // HAProxy: base64 lines of 48 bytes, the second line encrypts new tickets; nginx: 80 raw bytes.
  if (!exists) await writeFile(path, format === "haproxy" ? [1, 2, 3].map(() => randomBytes(48).toString("base64")).join("\n") + "\n" : randomBytes(80), { mode: 0o600 });
  return path;
}

/** HAProxy verify required with the client CA of options.clientCa and a ticket key file that survives a restart (configs/haproxy-ticket-keys.cfg). */
const startHaproxyTicketKeys: Starter = async (endpoint, fixtures, scratch, options) => {
  const server = fixtures.certs.server!;
  const serverPem = await concatFiles(join(scratch.dir, "server.pem"), [server.fullChain, server.key], 0o600);
  const ticketKeys = await ticketKeyFile(options.ticketKeys ?? join(scratch.dir, "tickets.key"), "haproxy");
  const values = { ...commonValues(endpoint, fixtures, scratch.dir), serverPem, ticketKeys, clientCa: fixtures.bundles[options.clientCa ?? "trust-a"]! };
  const conf = join(scratch.dir, "haproxy.cfg");
  await writeFile(conf, await renderTemplate("haproxy-ticket-keys.cfg", values));
  const child = await startListening(endpoint, "haproxy (ticket keys)", "haproxy", ["-db", "-V", "-f", conf], /Using \w+\(\) as the polling mechanism/);
  return running("haproxy-ticket-keys", endpoint, [child], scratch.remove);
};

/** nginx ssl_verify_client on with the client CA of options.clientCa and a ticket key file that survives a restart (configs/nginx-client-ca.conf). */
const startNginxClientCa: Starter = async (endpoint, fixtures, scratch, options) => {
  const ticketKeys = await ticketKeyFile(options.ticketKeys ?? join(scratch.dir, "ticket.key"), "nginx");
  const conf = join(scratch.dir, "nginx.conf");
  await writeFile(conf, await renderTemplate("nginx-client-ca.conf", { ...commonValues(endpoint, fixtures, scratch.dir), ticketKeys, clientCa: fixtures.bundles[options.clientCa ?? "trust-a"]! }));
  const child = await startListening(endpoint, "nginx (client CA)", "nginx", ["-c", conf, "-p", scratch.dir, "-e", "stderr"], /start worker process/);
  return running("nginx-client-ca", endpoint, [child], scratch.remove);
};

/** HAProxy crt-list, both names verify required, api.mesh.test admitting one identity by a rule on ssl_fc_sni (configs/haproxy-sni-identity.*). */
const startHaproxySniIdentity: Starter = async (endpoint, fixtures, scratch, options) => {
  const [server, alt] = [fixtures.certs.server!, fixtures.certs["server-alt"]!];
  const serverPem = await concatFiles(join(scratch.dir, "api.pem"), [server.fullChain, server.key], 0o600);
  const altPem = await concatFiles(join(scratch.dir, "alt.pem"), [alt.fullChain, alt.key], 0o600);
  const values = { ...commonValues(endpoint, fixtures, scratch.dir), serverPem, altPem, altServerName, allowedIdentity: options.allowedIdentity ?? clientIdentity };
  const crtList = join(scratch.dir, "crt-list");
  await writeFile(crtList, await renderTemplate("haproxy-sni-identity.txt", values));
  const conf = join(scratch.dir, "haproxy.cfg");
  await writeFile(conf, await renderTemplate("haproxy-sni-identity.cfg", { ...values, crtList }));
  const child = await startListening(endpoint, "haproxy (identity by SNI)", "haproxy", ["-db", "-V", "-f", conf], /Using \w+\(\) as the polling mechanism/);
  return running("haproxy-sni-identity", endpoint, [child], scratch.remove);
};

/** nginx: both names ssl_verify_client on, api.mesh.test admitting one identity, a shared session cache and ticket key (configs/nginx-identity-per-name.conf). */
const startNginxIdentityPerName: Starter = async (endpoint, fixtures, scratch, options) => {
  const alt = fixtures.certs["server-alt"]!;
  const ticketKey = await ticketKeyFile(join(scratch.dir, "ticket.key"), "nginx");
  const values = { ...commonValues(endpoint, fixtures, scratch.dir), altServerName, altFullChain: alt.fullChain, altKey: alt.key, ticketKey, allowedIdentity: options.allowedIdentity ?? clientIdentity };
  const conf = join(scratch.dir, "nginx.conf");
  await writeFile(conf, await renderTemplate("nginx-identity-per-name.conf", values));
  const child = await startListening(endpoint, "nginx (identity per name)", "nginx", ["-c", conf, "-p", scratch.dir, "-e", "stderr"], /start worker process/);
  return running("nginx-identity-per-name", endpoint, [child], scratch.remove);
};

const startCaddy: Starter = async (endpoint, fixtures, scratch) => {
  const caddyfile = join(scratch.dir, "Caddyfile");
  await writeFile(caddyfile, await renderTemplate("Caddyfile", commonValues(endpoint, fixtures, scratch.dir)));
  // Caddy keeps data under XDG_DATA_HOME or HOME and its autosave under XDG_CONFIG_HOME: all in the scratch dir.
  const env = ["HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"].map((name) => `${name}=${scratch.dir}/${name.toLowerCase()}`);
  const child = await startListening(endpoint, "caddy", "env", [...env, "caddy", "run", "--config", caddyfile, "--adapter", "caddyfile"], /"msg":"serving initial configuration"/);
  return running("caddy-require-and-verify", endpoint, [child], scratch.remove);
};

const startHaproxy: Starter = async (endpoint, fixtures, scratch) => {
  const server = fixtures.certs.server!;
  // `crt` takes the certificate, its chain and its key in one file.
  const serverPem = await concatFiles(join(scratch.dir, "server.pem"), [server.fullChain, server.key], 0o600);
  const conf = join(scratch.dir, "haproxy.cfg");
  await writeFile(conf, await renderTemplate("haproxy.cfg", { ...commonValues(endpoint, fixtures, scratch.dir), serverPem }));
  // -db: foreground. -V prints the polling mechanism once the listeners are bound.
  const child = await startListening(endpoint, "haproxy", "haproxy", ["-db", "-V", "-f", conf], /Using \w+\(\) as the polling mechanism/);
  return running("haproxy-optional-403", endpoint, [child], scratch.remove);
};

/** mosquitto started as root drops to the `mosquitto` user before it reads its certificates. */
const startMosquitto: Starter = async (endpoint, fixtures, scratch) => {
  const owner = process.getuid?.() === 0 ? await systemUser("mosquitto") : undefined;
  if (owner) await chown(scratch.dir, owner.uid, owner.gid);
  const files = await copyServerFiles(fixtures, scratch.dir, owner);
  const conf = join(scratch.dir, "mosquitto.conf");
  await writeFile(conf, await renderTemplate("mosquitto.conf", { ...commonValues(endpoint, fixtures, scratch.dir), ...files }));
  const child = await startListening(endpoint, "mosquitto", "mosquitto", ["-c", conf], /mosquitto version \S+ running/);
  return running("mosquitto-require-certificate", endpoint, [child], scratch.remove);
};

const startNghttpx: Starter = async (endpoint, fixtures, scratch) => {
  // The backend: python3's http.server, plaintext HTTP/1.1 on its own 127.x address.
  const backend = await allocateEndpoint();
  const docroot = join(scratch.dir, "www");
  await mkdir(docroot);
  await writeFile(join(docroot, "index.html"), "hello from the backend behind nghttpx\n");
  const app = await startListening(backend, "nghttpx backend (python3 http.server)", "python3", ["-u", "-m", "http.server", String(backend.port), "--bind", backend.host, "--directory", docroot], /Serving HTTP/);
  try {
    const conf = join(scratch.dir, "nghttpx.conf");
    await writeFile(conf, await renderTemplate("nghttpx.conf", { ...commonValues(endpoint, fixtures, scratch.dir), backendHost: backend.host, backendPort: backend.port }));
    // nghttpx opens its error log by path (/dev/stderr); a socket on fd 2 cannot be open()ed
    // (ENXIO), so its stderr is a pipe to cat. The two share the process group.
    const proxy = await startListening(endpoint, "nghttpx", "sh", ["-c", 'nghttpx "$@" 2>&1 | cat', "nghttpx", `--conf=${conf}`], /Worker process \[\d+\] spawned/);
    return running("nghttpx-h2-verify-client", endpoint, [proxy, app], scratch.remove);
  } catch (error) {
    await app.stop();
    throw error;
  }
};

/**
 * PostgreSQL refuses to run as root: as root, the data dir is handed to the `postgres` system user
 * (from the Debian package) and initdb and postgres run as that user through runuser.
 */
const startPostgres: Starter = async (endpoint, fixtures, scratch) => {
  const owner = process.getuid?.() === 0 ? await systemUser("postgres") : undefined;
  const data = join(scratch.dir, "data");
  const sockets = join(scratch.dir, "sockets");
  await mkdir(sockets);
  if (owner) for (const dir of [scratch.dir, sockets]) await chown(dir, owner.uid, owner.gid);
  const asPostgres = (program: string, args: string[]): [string, string[]] => (owner ? ["runuser", ["-u", "postgres", "--", program, ...args]] : [program, args]);
  const [initCommand, initArgs] = asPostgres(join(postgresBin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync"]);
  const init = await runToCompletion(initCommand, initArgs, { timeoutMs: 60_000 });
  if (init.exitCode !== 0) throw new GalleryServerError(`failed to initdb ${data}: ${init.timedOut ? "timed out" : init.output.trim().split("\n").slice(-2).join(" | ")}`);
  // postgres wants the key owned by its user and not readable by others.
  await copyServerFiles(fixtures, data, owner);
  const conf = join(data, "postgresql.conf");
  await writeFile(conf, `${await readFile(conf, "utf8")}\n${await renderTemplate("postgresql.conf", {})}`);
  await writeFile(join(data, "pg_hba.conf"), await renderTemplate("pg_hba.conf", {}));
  const [command, args] = asPostgres(join(postgresBin, "postgres"), ["-D", data, "-k", sockets, "-c", `listen_addresses=${endpoint.host}`, "-p", String(endpoint.port)]);
  const child = await startListening(endpoint, "postgres", command, args, /database system is ready to accept connections/);
  // `cert` authentication maps the certificate's CN to a role of that name: the fixture client's.
  const [psqlCommand, psqlArgs] = asPostgres(join(postgresBin, "psql"), ["-h", sockets, "-p", String(endpoint.port), "-U", "postgres", "-d", "postgres", "-c", `CREATE ROLE "${postgresRole}" LOGIN`]);
  const role = await runToCompletion(psqlCommand, psqlArgs, { timeoutMs: 15_000 });
  if (role.exitCode !== 0) {
    await child.stop();
    throw new GalleryServerError(`failed to create role ${postgresRole}: ${role.timedOut ? "timed out" : role.output.trim()}`);
  }
  // SIGTERM is a smart shutdown that waits for every client; SIGINT (fast) ends them.
  const fastShutdown = async () => {
    const pid = Number((await readFile(join(data, "postmaster.pid"), "utf8")).split("\n")[0]);
    if (pid > 0) process.kill(pid, "SIGINT");
    await child.waitForOutput(/database system is shut down/, 5_000);
  };
  return running("postgres-hostssl-cert", endpoint, [child], scratch.remove, fastShutdown);
};

interface SystemUser {
  uid: number;
  gid: number;
}

async function systemUser(name: string): Promise<SystemUser> {
  const entry = (await readFile("/etc/passwd", "utf8")).split("\n").find((line) => line.startsWith(`${name}:`));
  if (!entry) throw new GalleryServerError(`failed to run as ${name}: there is no ${name} user (its Debian package creates it)`);
  const [, , uid, gid] = entry.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Copies the server certificate chain, key and client trust bundle into `dir` (server.fullchain.pem,
 * server.key, trust.pem, 0600), owned by `owner` when given: for servers that drop root before they
 * read them (mosquitto) or refuse to run as root (postgres), as their packages' users do.
 */
async function copyServerFiles(fixtures: FixtureSet, dir: string, owner: SystemUser | undefined): Promise<{ serverFullChain: string; serverKey: string; trustBundle: string }> {
  const server = fixtures.certs.server!;
  const files = { serverFullChain: [server.fullChain, "server.fullchain.pem"], serverKey: [server.key, "server.key"], trustBundle: [fixtures.bundles["trust-a"]!, "trust.pem"] } as const;
  const copied: Record<string, string> = {};
  for (const [key, [source, name]] of Object.entries(files)) {
    const target = join(dir, name);
    await copyFile(source, target);
    await chmod(target, 0o600);
    if (owner) await chown(target, owner.uid, owner.gid);
    copied[key] = target;
  }
  return copied as { serverFullChain: string; serverKey: string; trustBundle: string };
}

/**
 * Apache 2.4 (mod_ssl, mpm_event) in the foreground: SSLVerifyClient require inside <Location
 * /secure>, the vhost itself none (apache-location-require) or require (apache-vhost-require).
 * Started as root, its workers run as www-data, so the scratch dir and document root are readable
 * by it; the key is read by the parent before it drops root.
 */
const startApache =
  (vhostVerify: "none" | "require"): Starter =>
  async (endpoint, fixtures, scratch) => {
    const kind: GalleryKind = vhostVerify === "none" ? "apache-location-require" : "apache-vhost-require";
    const worker = process.getuid?.() === 0 ? await systemUser("www-data") : undefined;
    const www = join(scratch.dir, "www");
    await mkdir(www);
    await writeFile(join(www, "index.txt"), "hello from apache\n");
    // /secure is a file, not a directory: a directory would answer /secure with a 301 to /secure/.
    await writeFile(join(www, "secure"), "hello from apache /secure\n");
    for (const dir of [scratch.dir, www]) await chmod(dir, 0o755);
    const userDirectives = worker ? "User www-data\nGroup www-data" : "";
    const conf = join(scratch.dir, "apache.conf");
    await writeFile(conf, await renderTemplate("apache.conf", { ...commonValues(endpoint, fixtures, scratch.dir), vhostVerify, userDirectives }));
    // The ErrorLog is /dev/stderr, which cannot be opened on a socket (node's stdio): a pipe to cat, one process group.
    const child = await startListening(endpoint, `apache2 (${kind})`, "sh", ["-c", 'apache2 "$@" 2>&1 | cat', "apache2", "-f", conf, "-DFOREGROUND"], /AH00489: .* configured -- resuming normal operations/);
    return running(kind, endpoint, [child], scratch.remove);
  };

const startMisbehaving =
  (kind: "silent" | "reset-after-hello" | "stops-mid-run" | "random-reset"): Starter =>
  async (endpoint, fixtures, scratch, options) => {
    const server = fixtures.certs.server!;
    const argument = kind === "stops-mid-run" ? [String(options.serveConnections ?? 3)] : kind === "random-reset" ? [String(options.seed ?? 1)] : [];
    const args = [misbehavingScript, kind, endpoint.host, String(endpoint.port), server.fullChain, server.key, fixtures.bundles["trust-a"]!, ...argument];
    const child = await startListening(endpoint, `misbehaving endpoint (${kind})`, process.execPath, args, /^READY$/m);
    return running(kind, endpoint, [child], scratch.remove);
  };

/** nginx stream with ssl_preread: a ClientHello to the TLS terminator, anything else to the plaintext app or dropped. */
const startNginxPreread =
  (kind: "nginx-preread-strict" | "nginx-preread-permissive"): Starter =>
  async (endpoint, fixtures, scratch) => {
    const conf = join(scratch.dir, "nginx.conf");
    const plaintextRoute = kind === "nginx-preread-strict" ? "drop" : "app";
    // The worker (nobody, when started as root) connects to the unix sockets in the scratch dir.
    await chmod(scratch.dir, 0o755);
    await writeFile(conf, await renderTemplate("nginx-preread.conf", { ...commonValues(endpoint, fixtures, scratch.dir), plaintextRoute, detectTimeout: `${detectionTimeoutMs}ms` }));
    const child = await startListening(endpoint, `nginx (${kind})`, "nginx", ["-c", conf, "-p", scratch.dir, "-e", "stderr"], /start worker process/);
    return running(kind, endpoint, [child], scratch.remove);
  };

/** HAProxy TCP mode with inspect-delay and req.ssl_hello_type: a ClientHello to its TLS terminator, anything else refused or to the plaintext app. */
const startHaproxyDetect =
  (kind: "haproxy-detect-strict" | "haproxy-detect-permissive"): Starter =>
  async (endpoint, fixtures, scratch) => {
    const server = fixtures.certs.server!;
    const serverPem = await concatFiles(join(scratch.dir, "server.pem"), [server.fullChain, server.key], 0o600);
    const conf = join(scratch.dir, "haproxy.cfg");
    const plaintextBackend = kind === "haproxy-detect-strict" ? "refuse" : "app";
    await writeFile(conf, await renderTemplate("haproxy-detect.cfg", { ...commonValues(endpoint, fixtures, scratch.dir), serverPem, plaintextBackend, detectTimeout: `${detectionTimeoutMs}ms` }));
    const child = await startListening(endpoint, `haproxy (${kind})`, "haproxy", ["-db", "-V", "-f", conf], /Using \w+\(\) as the polling mechanism/);
    return running(kind, endpoint, [child], scratch.remove);
  };

const startDetectorEndpoint =
  (kind: "detect-fallback" | "speaks-first"): Starter =>
  async (endpoint, fixtures, scratch) => {
    const server = fixtures.certs.server!;
    const args = [misbehavingScript, kind, endpoint.host, String(endpoint.port), server.fullChain, server.key, fixtures.bundles["trust-a"]!, String(detectionTimeoutMs)];
    const child = await startListening(endpoint, `detector (${kind})`, process.execPath, args, /^READY$/m);
    return running(kind, endpoint, [child], scratch.remove);
  };

const detectorStarters: Record<DetectorKind, Starter> = {
  "nginx-preread-strict": startNginxPreread("nginx-preread-strict"),
  "nginx-preread-permissive": startNginxPreread("nginx-preread-permissive"),
  "haproxy-detect-strict": startHaproxyDetect("haproxy-detect-strict"),
  "haproxy-detect-permissive": startHaproxyDetect("haproxy-detect-permissive"),
  "detect-fallback": startDetectorEndpoint("detect-fallback"),
  "speaks-first": startDetectorEndpoint("speaks-first"),
};

const starters: Record<StartableKind, Starter> = {
  ...detectorStarters,
  "nginx-verify-on": startNginx("on"),
  "nginx-verify-optional": startNginx("optional"),
  "nginx-identity-map": startNginxIdentity,
  "nginx-per-location": startNginxPerLocation,
  "nginx-default-server-open": startNginxDefaultServer("open"),
  "nginx-default-server-closed": startNginxDefaultServer("closed"),
  "nginx-refuses-http1-only": startNginxProtocolSplit("nginx-refuses-http1-only"),
  "nginx-refuses-tls12-only": startNginxProtocolSplit("nginx-refuses-tls12-only"),
  "haproxy-crt-list-resumption": startHaproxyCrtList,
  "nginx-shared-sessions": startNginxSharedSessions,
  "haproxy-ticket-keys": startHaproxyTicketKeys,
  "nginx-client-ca": startNginxClientCa,
  "haproxy-sni-identity": startHaproxySniIdentity,
  "nginx-identity-per-name": startNginxIdentityPerName,
  "caddy-require-and-verify": startCaddy,
  "haproxy-optional-403": startHaproxy,
  "mosquitto-require-certificate": startMosquitto,
  "nghttpx-h2-verify-client": startNghttpx,
  "postgres-hostssl-cert": startPostgres,
  "apache-location-require": startApache("none"),
  "apache-vhost-require": startApache("require"),
  silent: startMisbehaving("silent"),
  "reset-after-hello": startMisbehaving("reset-after-hello"),
  "stops-mid-run": startMisbehaving("stops-mid-run"),
  "random-reset": startMisbehaving("random-reset"),
};

/** Starts one gallery server on a fresh 127.x endpoint; stop it (or `await using` it) when done. */
export async function startGalleryServer(kind: StartableKind, fixtures: FixtureSet, options: GalleryOptions = {}): Promise<RunningGalleryServer> {
  const endpoint = options.endpoint ?? (await allocateEndpoint());
  const scratch = await scratchDir(kind);
  try {
    return await starters[kind](endpoint, fixtures, scratch, options);
  } catch (error) {
    await scratch.remove();
    throw error;
  }
}
