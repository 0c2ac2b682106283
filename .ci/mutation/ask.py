"""cosmic-ray's test command: ask the case server (cases.py --serve) for the verdict on the
reference as it is on disk now, print it, and exit with its code (0 survived, 1 killed).

Kept to the standard library and run with `python -S`, so each mutant costs a connection,
not an interpreter full of imports."""

import socket
import sys


def main() -> int:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(sys.argv[1])
    client.sendall(b"stop\n" if sys.argv[2:] == ["stop"] else b"run\n")
    client.shutdown(socket.SHUT_WR)
    reply = b""
    while chunk := client.recv(65536):
        reply += chunk
    code, _, text = reply.decode(errors="replace").partition("\n")
    print(text, end="")
    return int(code) if code else 0


if __name__ == "__main__":
    sys.exit(main())
