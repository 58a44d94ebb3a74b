"""tlspeer: Python 3's ssl module as a conformance peer, standard library only. Its modes (server,
client, service, version), flags, output lines, exit codes and the service's framing are the peer
protocol shared with the Go and Java peers: docs/peer-protocol.md.

Errors are printed as str(exception), Python's own text ("[SSL: REASON] text (_ssl.c:N)"), which
is what the stack's classifier (classify.ts beside this file) reads.

The configuration is what a Python service gets from the documented ssl API: PROTOCOL_TLS_SERVER /
PROTOCOL_TLS_CLIENT contexts (check_hostname and CERT_REQUIRED on by default for clients), CRLs
loaded into the verify store with VERIFY_CRL_CHECK_LEAF, SNI through sni_callback. Python's ssl has
no URI SAN check of its own: a service that pins a SPIFFE ID (py-spiffe, a gRPC interceptor) reads
getpeercert()["subjectAltName"] after the handshake and closes the connection, and so does this
client with --expect-uri.
"""

import argparse
import base64
import hashlib
import ipaddress
import json
import os
import re
import socket
import ssl
import sys
import tempfile
import threading
import time

class Lines:
    """Where a server's or a client's lines go: stdout, or one control connection of the service."""

    def __init__(self, write):
        self.write = write
        self.lock = threading.Lock()

    def say(self, line):
        with self.lock:
            try:
                self.write(line + "\n")
            except OSError:
                pass  # the harness closed the request; the line has no reader


def write_stdout(text):
    sys.stdout.write(text)
    sys.stdout.flush()


def write_stderr(text):
    sys.stderr.write(text)
    sys.stderr.flush()


class UsageError(Exception):
    """Bad input: raised rather than exiting, so one bad request does not end the service."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def fail(code, message):
    raise UsageError(code, message)


class Parser(argparse.ArgumentParser):
    """Bad arguments: one line and exit code 2, no usage dump, in the Go and Java peers' words; no
    abbreviated flags and no --help, which the other peers refuse as unknown."""

    def __init__(self, prog):
        super().__init__(prog=prog, add_help=False, allow_abbrev=False)

    def error(self, message):
        missing = re.match(r"argument (--[\w-]+): expected one argument", message)
        fail(2, f"failed to parse arguments: {f'flag needs a value: {missing[1]}' if missing else message}")

    def parse(self, argv, required=()):
        """The options, refusing an unknown flag or a stray argument, and any of `required` left empty."""
        options, extra = self.parse_known_args(argv)
        if extra:
            fail(2, f"failed to parse arguments: {'unknown flag' if extra[0].startswith('-') else 'unexpected argument'} {extra[0]}")
        for name in required:
            if not getattr(options, name.replace("-", "_")):
                fail(2, f"failed to parse arguments: --{name} is required")
        return options


def number(flag, value):
    try:
        return int(value)
    except ValueError:
        fail(2, f"failed to parse --{flag} {value}: want a number")


def choice(flag, value, allowed, want):
    if value not in allowed:
        fail(2, f"failed to parse --{flag} {value}: want {want}")
    return value


def split_address(address):
    """127.x.y.z:port or [::1]:port, required to be loopback (the harness's network rule)."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        fail(2, f"failed to parse address {address}: want HOST:PORT")
    host = host.strip("[]")
    try:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError("not loopback")
    except ValueError:
        fail(2, f"failed to accept address {address}: not a loopback IP")
    return host, int(port)


def load_key_pair(context, cert, chain, key):
    """load_cert_chain reads the certificate and its intermediates from one file: join them when the chain is separate."""
    if not chain:
        context.load_cert_chain(cert, key)
        return
    with open(cert, "rb") as leaf, open(chain, "rb") as rest:
        load_key_pair_bytes(context, leaf.read().rstrip(b"\n") + b"\n" + rest.read(), key)


def load_key_pair_bytes(context, content, key=None):
    """load_cert_chain reads files: the certificates in order, and the key from `key` or from the same file."""
    fd, path = tempfile.mkstemp(prefix="mtls-tlspeer-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        context.load_cert_chain(path, key)
    finally:
        os.unlink(path)


def uri_sans(peer):
    return [value for kind, value in (peer or {}).get("subjectAltName", ()) if kind == "URI"]


client_auth_modes = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}


def server_context(options, load):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    load(context)
    context.verify_mode = client_auth_modes[options.client_auth]
    if options.client_ca:
        context.load_verify_locations(cafile=options.client_ca)
    for crl in options.crl:
        context.load_verify_locations(cafile=crl)
    if options.crl:
        # The leaf only: CHECK_CHAIN would also demand a CRL from every CA above it.
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    if options.min_version:
        context.minimum_version = min_versions[options.min_version]
    return context


min_versions = {"TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}


def file_identity(stat):
    """One version of a file: a rename gives it a new inode, and the times alone are too coarse."""
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


class WatchedKeyPair:
    """The server's default key pair (--key-pair: the certificate, its chain, the private key in one
    PEM file), re-read for the first connection after the file changed, so the rename that replaces
    it is the switch point. Each version is its own SSLContext, chosen before the handshake starts,
    so a handshake keeps the pair it began with. A file that does not load (half written, a key that
    is not the certificate's) is never served: the previous context stays and `errors` says why,
    once per version of the file."""

    def __init__(self, path, build, lines, errors):
        self.path, self.build, self.lines, self.errors = path, build, lines, errors
        self.lock = threading.Lock()
        self.seen = None
        self.current, _ = self.load()

    def load(self):
        """The file's context and its leaf's SHA-256. The identity is noted first, from the descriptor
        the bytes are read through: a version that does not load is reported once, not at every connection."""
        with open(self.path, "rb") as file:
            self.seen = file_identity(os.fstat(file.fileno()))
            content = file.read()
        context = self.build(content)
        begin = content.index(b"-----BEGIN CERTIFICATE-----")
        leaf = content[begin : content.index(b"-----END CERTIFICATE-----", begin) + 25].decode("ascii")
        return context, hashlib.sha256(ssl.PEM_cert_to_DER_cert(leaf)).hexdigest()

    def context(self):
        with self.lock:
            try:
                if file_identity(os.stat(self.path)) == self.seen:
                    return self.current
                self.current, digest = self.load()
            except (ssl.SSLError, OSError) as err:
                self.errors.say(f"failed to reload the key pair {self.path}: {err} (serving the previous one)")
                return self.current
            self.lines.say(f"reloaded: {digest}")
            return self.current


def unauthorized(peer, allowed):
    """The refusal when no URI or DNS SAN of the verified client is allowed, else None."""
    presented = [value for kind, value in peer.get("subjectAltName", ()) if kind in ("URI", "DNS")]
    if any(name in allowed for name in presented):
        return None
    return f"not authorized: client identity {', '.join(presented) or '(none)'} is not one of {', '.join(allowed)}"


def serve(key_pair, conn, lines, allowed):
    try:
        conn.settimeout(10)
        try:
            tls = key_pair.context().wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
            tls.do_handshake()
        except (ssl.SSLError, OSError) as err:
            lines.say(f"rejected: {err}")
            return
        refusal = unauthorized(tls.getpeercert() or {}, allowed) if allowed else None
        if refusal:
            # Authorization after authentication, as a mesh's policy does: close without an answer.
            lines.say(f"rejected: {refusal}")
            tls.close()
            return
        lines.say(f"served: {tls.version()} {tls.cipher()[0]}")
        reader = tls.makefile("rb")
        while True:
            line = reader.readline(65536)
            if line in (b"", b"\r\n", b"\n"):
                break
        peer = tls.getpeercert()  # {} when no certificate was verified
        identities = uri_sans(peer)
        body = json.dumps({"identity": identities[0] if identities else None, "authorized": bool(peer), "protocol": tls.version()}).encode()
        tls.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        tls.close()
    except (ssl.SSLError, OSError):
        pass  # the response is the client's to judge
    finally:
        conn.close()


def start_server(argv, lines, errors):
    """Parses the flags, loads the key pairs, listens and says so: the listener, its watched default key pair and the allow-list."""
    parser = Parser(prog="tlspeer.py server")
    parser.add_argument("--listen", default="")
    parser.add_argument("--key-pair", default="", help="PEM file: the certificate, its chain, the private key; re-read when it changes")
    parser.add_argument("--client-auth", default="none")
    parser.add_argument("--client-ca", default="")
    parser.add_argument("--crl", action="append", default=[])
    parser.add_argument("--sni", action="append", default=[], help="NAME,CERT,CHAIN,KEY (CHAIN may be empty)")
    parser.add_argument("--min-version", default="")
    parser.add_argument("--allow-identity", action="append", default=[], help="a URI or DNS SAN admitted (repeatable; none: every verified client)")
    options = parser.parse(argv, required=("listen", "key-pair"))
    host, port = split_address(options.listen)
    choice("client-auth", options.client_auth, client_auth_modes, "none, optional or required")
    if options.min_version:
        choice("min-version", options.min_version, min_versions, "TLSv1.2 or TLSv1.3")
    # Checked once here, so a bad file is named as what it is and not as the key pair it is loaded beside.
    probe = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if options.client_ca:
        try:
            probe.load_verify_locations(cafile=options.client_ca)
        except (ssl.SSLError, OSError) as err:
            fail(2, f"failed to load the client CA bundle: {err}")
    for crl in options.crl:
        try:
            probe.load_verify_locations(cafile=crl)
        except (ssl.SSLError, OSError) as err:
            fail(2, f"failed to load the CRL {crl}: {err}")

    by_name = {}

    def choose(tls, name, _context):
        # Switching the SSLObject's context selects its certificate (ssl docs, SSLContext.sni_callback);
        # an unknown or absent name keeps the default.
        chosen = by_name.get((name or "").lower())
        if chosen is not None:
            tls.context = chosen
        return None

    def default_context(content):
        context = server_context(options, lambda context: load_key_pair_bytes(context, content))
        if options.sni:
            context.sni_callback = choose
        return context

    try:
        key_pair = WatchedKeyPair(options.key_pair, default_context, lines, errors)
    except (ssl.SSLError, OSError) as err:
        fail(2, f"failed to load the server key pair: {err}")
    for value in options.sni:
        parts = value.split(",")
        if len(parts) != 4:
            fail(2, f"failed to parse --sni {value}: want NAME,CERT,CHAIN,KEY")
        try:
            by_name[parts[0].lower()] = server_context(options, lambda context: load_key_pair(context, parts[1], parts[2], parts[3]))
        except (ssl.SSLError, OSError) as err:
            fail(2, f"failed to load the key pair for {parts[0]}: {err}")

    listener = listen_on(host, port, options.listen)
    lines.say(f"ready: listening on {listener_address(listener)}")
    return listener, key_pair, options.allow_identity


def listen_on(host, port, address):
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind((host, port))
        listener.listen(64)
    except OSError as err:
        listener.close()
        fail(1, f"failed to listen on {address}: {err}")
    return listener


def listener_address(listener):
    bound = listener.getsockname()
    return f"{bound[0]}:{bound[1]}" if listener.family == socket.AF_INET else f"[{bound[0]}]:{bound[1]}"


def accept_loop(listener, key_pair, lines, allowed):
    """Serves each connection on its own thread until the listener fails or is shut down."""
    while True:
        try:
            conn, _ = listener.accept()
        except OSError as err:
            return err
        threading.Thread(target=serve, args=(key_pair, conn, lines, allowed), daemon=True).start()


def run_server(argv):
    lines = Lines(write_stdout)
    listener, key_pair, allowed = start_server(argv, lines, Lines(write_stderr))
    err = accept_loop(listener, key_pair, lines, allowed)
    fail(1, f"failed to accept a connection: {err}")


def is_ip(name):
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def run_client(argv, request, lines):
    parser = Parser(prog="tlspeer.py client")
    parser.add_argument("--connect", default="")
    parser.add_argument("--servername", default="")
    parser.add_argument("--ca", default="")
    parser.add_argument("--verify-name", default="")
    parser.add_argument("--verify-ip", default="")
    parser.add_argument("--expect-uri", default="")
    parser.add_argument("--cert", default="")
    parser.add_argument("--chain", default="")
    parser.add_argument("--key", default="")
    parser.add_argument("--timeout-ms", default="5000")
    options = parser.parse(argv, required=("connect",))
    host, port = split_address(options.connect)
    timeout_ms = number("timeout-ms", options.timeout_ms)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if options.cert:
        try:
            load_key_pair(context, options.cert, options.chain, options.key)
        except (ssl.SSLError, OSError) as err:
            fail(2, f"failed to load the client key pair: {err}")
    if not options.ca:
        # No trust bundle: no verification, and the SNI is the one asked for.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        server_hostname = options.servername or None
    else:
        try:
            context.load_verify_locations(cafile=options.ca)
        except (ssl.SSLError, OSError) as err:
            fail(2, f"failed to load the trust bundle: {err}")
        name = options.verify_ip or options.verify_name or options.servername
        # server_hostname is both the SNI sent and the name checked (SSLContext.wrap_socket); an IP
        # literal is matched against IP SANs and never sent as SNI (RFC 6066 section 3).
        if (options.servername and name != options.servername) or (not options.servername and name and not is_ip(name)):
            fail(2, f"failed to configure the client: Python's ssl cannot verify {name} while sending SNI {options.servername or '(none)'}")
        server_hostname = name or None
        if server_hostname is None:
            # No name (SPIFFE: the URI SAN is the identity): the chain alone.
            context.check_hostname = False

    deadline = time.monotonic() + timeout_ms / 1000

    def remaining():
        return max(deadline - time.monotonic(), 0.001)

    try:
        raw = socket.create_connection((host, port), timeout=remaining())
    except OSError as err:
        lines.say(f"error: connect: {err}")
        return 1
    try:
        raw.settimeout(remaining())
        try:
            tls = context.wrap_socket(raw, server_hostname=server_hostname)
        except (ssl.SSLError, OSError) as err:
            lines.say(f"error: handshake: {err}")
            return 1
        lines.say(f"version: {tls.version()}")
        lines.say(f"cipher: {tls.cipher()[0]}")
        if options.expect_uri:
            identities = uri_sans(tls.getpeercert())
            if options.expect_uri not in identities:
                # Same wording as the node prober (harness/core/probe.ts), classified as identity-mismatch.
                lines.say(f"error: identity: server identity {', '.join(identities) or '(no URI SAN)'} is not the expected {options.expect_uri}")
                return 1
        # Read even when the write failed: a server that refused the client certificate may have
        # sent its alert and reset the connection before the request went out.
        write_error = None
        try:
            tls.settimeout(remaining())
            tls.sendall(request)
        except (ssl.SSLError, OSError) as err:
            write_error = err
        response = b""
        read_error = None
        try:
            while True:
                tls.settimeout(remaining())
                chunk = tls.recv(65536)
                if not chunk:
                    break
                response += chunk
        except (ssl.SSLError, OSError) as err:
            read_error = err
        # A reset or a missing close_notify after a complete response is how the server closed,
        # not a rejection: the response decides.
        if response:
            first_line = response.split(b"\r\n", 1)[0].decode("latin-1")
            lines.say(f"response: {first_line}")
            return 0
        if read_error is not None and "ALERT" in str(read_error):
            lines.say(f"error: read: {read_error}")
        elif write_error is not None:
            lines.say(f"error: write: {write_error}")
        elif read_error is not None:
            lines.say(f"error: read: {read_error}")
        else:
            lines.say("error: read: connection closed without a response")
        return 1
    finally:
        raw.close()


def run_service(argv):
    parser = Parser(prog="tlspeer.py service")
    parser.add_argument("--listen", default="")
    parser.add_argument("--idle-exit-ms", default="600000")
    options = parser.parse(argv, required=("listen",))
    host, port = split_address(options.listen)
    idle_exit_ms = number("idle-exit-ms", options.idle_exit_ms)
    control = listen_on(host, port, options.listen)
    control.settimeout(idle_exit_ms / 1000)
    write_stdout(f"ready: listening on {listener_address(control)}\n")
    while True:
        try:
            request, _ = control.accept()
        except socket.timeout:
            write_stdout(f"idle: no request for {idle_exit_ms} ms, exiting\n")
            return
        request.settimeout(None)
        threading.Thread(target=serve_request, args=(request,), daemon=True).start()


def serve_request(request):
    """One control connection: a client connection made, or a server run until the harness closes it."""
    with request:
        request.settimeout(10)
        reader = request.makefile("rb")
        writer = request.makefile("w", encoding="utf-8", newline="\n")

        def write(text):
            writer.write(text)
            writer.flush()

        lines = Lines(write)
        try:
            args_line = reader.readline().decode("utf-8").rstrip("\n")
            body_line = reader.readline().decode("ascii").rstrip("\n")
        except (OSError, UnicodeDecodeError):
            return
        if not args_line:
            lines.say("exit: 2")
            return
        mode, *args = args_line.split("\t")
        try:
            if mode == "client":
                code = run_client(args, base64.b64decode(body_line), lines)
            elif mode == "server":
                listener, key_pair, allowed = start_server(args, lines, lines)
                threading.Thread(target=accept_loop, args=(listener, key_pair, lines, allowed), daemon=True).start()
                # The server runs until the harness closes the control connection.
                request.settimeout(None)
                try:
                    while reader.read(4096):
                        pass
                except OSError:
                    pass
                # shutdown wakes the accept() blocked on another thread; close alone would not (Linux).
                try:
                    listener.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                listener.close()
                return
            else:
                fail(2, f'failed to parse request: unknown mode "{mode}"')
        except UsageError as err:
            lines.say(str(err))
            code = err.code
        except Exception as err:  # what the one-shot program's traceback would have said, on one line
            lines.say(f"Exception in {mode}: {type(err).__name__}: {err}")
            code = 1
        lines.say(f"exit: {code}")


def main():
    if len(sys.argv) < 2:
        fail(2, "usage: tlspeer.py server|client|service|version [flags]")
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "server":
        run_server(rest)
    elif mode == "client":
        sys.exit(run_client(rest, sys.stdin.buffer.read(), Lines(write_stdout)))
    elif mode == "service":
        run_service(rest)
    elif mode == "version":
        # The interpreter and the OpenSSL its ssl module is linked against are the stack under test.
        write_stdout(f"python {sys.version.split()[0]} ssl {ssl.OPENSSL_VERSION}\n")
    else:
        fail(2, f'failed to parse arguments: unknown mode "{mode}"')


if __name__ == "__main__":
    try:
        main()
    except UsageError as err:
        sys.stderr.write(f"{err}\n")
        sys.exit(err.code)
    except KeyboardInterrupt:
        sys.exit(130)
