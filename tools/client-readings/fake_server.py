"""A scripted Redis stand-in on loopback that records the commands a client sends.

Answers +OK to everything but PING (+PONG) and HELLO (an error, so a RESP3 client falls back),
and speaks TLS when the first byte is a TLS handshake, with the certificate given. Each
connection's commands go to stdout as one JSON line: {"tls": bool, "commands": [[arg, ...]]}.

    python3 fake_server.py PORTFILE CERT KEY
"""

import json
import socket
import ssl
import sys
import threading


def read_line(f):
    line = f.readline()
    if not line:
        raise EOFError
    return line.rstrip(b"\r\n")


def read_command(f):
    head = read_line(f)
    if not head.startswith(b"*"):
        return head.decode("utf-8", "replace").split()
    args = []
    for _ in range(int(head[1:])):
        size = int(read_line(f)[1:])
        data = f.read(size + 2)[:size]
        args.append(data.decode("utf-8", "surrogateescape"))
    return args


def serve(conn, context, lock):
    tls = False
    try:
        conn.settimeout(10)
        first = conn.recv(1, socket.MSG_PEEK)
        if first == b"\x16":
            conn = context.wrap_socket(conn, server_side=True)
            tls = True
        f = conn.makefile("rwb")
        commands = []
        try:
            while True:
                args = read_command(f)
                commands.append(args)
                name = args[0].upper() if args else ""
                if name == "PING":
                    f.write(b"+PONG\r\n")
                elif name == "HELLO":
                    f.write(b"-ERR unknown command 'HELLO'\r\n")
                else:
                    f.write(b"+OK\r\n")
                f.flush()
        except (EOFError, OSError, ValueError):
            pass
        with lock:
            line = json.dumps({"tls": tls, "commands": commands}, ensure_ascii=True)
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
    except (OSError, ssl.SSLError) as e:
        with lock:
            sys.stdout.write(json.dumps({"tls": tls, "error": str(e), "commands": []}) + "\n")
            sys.stdout.flush()
    finally:
        conn.close()


def main():
    portfile, cert, key = sys.argv[1:4]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    with open(portfile, "w") as f:
        f.write(str(listener.getsockname()[1]))
    lock = threading.Lock()
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, context, lock), daemon=True).start()


if __name__ == "__main__":
    main()
