#!/usr/bin/env python3
"""A permissive protocol-sniffing server for the gallery: peeks at the first byte of each
connection; 0x16 (a TLS handshake record) gets TLS that requires a client certificate,
anything else gets plain HTTP. Python's ssl module, not the harness's code, does the TLS."""
import socket
import ssl
import sys
import threading

host, port, cert, key, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
context.load_verify_locations(ca)
context.verify_mode = ssl.CERT_REQUIRED


def answer(conn, kind):
    conn.settimeout(5)
    try:
        conn.recv(4096)
        body = f'{{"served": "{kind}"}}'
        conn.sendall(f"HTTP/1.0 200 OK\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode())
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def handle(conn):
    conn.settimeout(5)
    try:
        first = conn.recv(1, socket.MSG_PEEK)
        if first == b"\x16":
            answer(context.wrap_socket(conn, server_side=True), "tls")
        else:
            answer(conn, "plaintext")
    except (OSError, ssl.SSLError):
        conn.close()


server = socket.create_server((host, port))
print("READY", flush=True)
while True:
    connection, _ = server.accept()
    threading.Thread(target=handle, args=(connection,), daemon=True).start()
