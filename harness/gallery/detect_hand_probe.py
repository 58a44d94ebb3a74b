#!/usr/bin/env python3
# Hand probe for the protocol detectors (docs/gallery.md "Protocol detectors"): what openssl
# s_client and nc cannot do, a pause before the first byte and a ClientHello one byte per segment.
#
#   detect_hand_probe.py HOST PORT plain PAUSE_S             GET / after PAUSE_S seconds of silence
#   detect_hand_probe.py HOST PORT silent WAIT_S             say nothing; print what comes within WAIT_S
#   detect_hand_probe.py HOST PORT tls PAUSE_S [CERT.crt] [split]
#                                                            a TLS handshake (CERT.crt with CERT.key), the
#                                                            ClientHello one byte per segment with split
import socket, ssl, sys, time

host, port, mode, pause = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
options = sys.argv[5:]
sock = socket.create_connection((host, port), timeout=6)
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

def read_until_end(limit):
    data = b""
    sock.settimeout(limit)
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return data, "FIN"
            data += chunk
    except socket.timeout:
        return data, "silence"
    except ConnectionResetError:
        return data, "RST"

if mode == "silent":
    data, how = read_until_end(pause)
    print(f"silent {pause}s: received {data[:80]!r} then {how}")
    sys.exit()
if pause:
    sock.settimeout(pause)
    try:
        early = sock.recv(4096)
        print(f"during the pause: {early[:80]!r} ({'FIN' if not early else 'data'})")
    except socket.timeout:
        pass
    except ConnectionResetError:
        print("during the pause: RST")
if mode == "plain":
    try:
        sock.sendall(b"GET / HTTP/1.0\r\nHost: api.mesh.test\r\n\r\n")
    except OSError as error:
        print("send:", error)
    data, how = read_until_end(6)
    print(f"plaintext: {data[:120]!r} then {how}")
    sys.exit()

context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
certs = [option for option in options if option.endswith(".crt")]
if certs:
    context.load_cert_chain(certs[0], certs[0][:-4] + ".key")
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = context.wrap_bio(incoming, outgoing, server_hostname="api.mesh.test")
split = "split" in options

def flush(hello):
    data = outgoing.read()
    if hello and split:
        for byte in data:
            sock.send(bytes([byte]))
            time.sleep(0.0002)
    elif data:
        sock.sendall(data)

hello = True
sock.settimeout(5)
try:
    while True:
        try:
            tls.do_handshake()
            flush(False)
            break
        except ssl.SSLWantReadError:
            flush(hello)
            hello = False
            chunk = sock.recv(16384)
            if not chunk:
                print("handshake: FIN")
                sys.exit()
            incoming.write(chunk)
    # Under TLS 1.3 the server judges the client certificate after this: s_client shows what follows.
    print("handshake done", tls.version())
except ssl.SSLError as error:
    print("TLS error:", error)
except (ConnectionResetError, BrokenPipeError) as error:
    print(type(error).__name__)
except socket.timeout:
    print("timeout")
