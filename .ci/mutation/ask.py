"""cosmic-ray's test command: ask the case server (cases.py --serve) for the verdict on the
reference as it is on disk now, print it, and exit with its code (0 survived, 1 killed).

Kept to the standard library and run with `python -S`, so each mutant costs a connection,
not an interpreter full of imports. A server that cannot be reached (still starting, or
gone) is retried for a minute and then reported as "no verdict" with exit code 0: cosmic-ray
counts any failure as a kill, and a broken run must never look like a strong suite
(sessions.py report counts these apart, and the run fails on any)."""

import socket
import sys
import time

RETRY_SECONDS = 60.0


def exchange(path: str, request: bytes) -> bytes:
    deadline = time.monotonic() + RETRY_SECONDS
    while True:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.connect(path)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            client.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with client:
        client.sendall(request)
        client.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := client.recv(65536):
            reply += chunk
    return reply


def main() -> int:
    stop = sys.argv[2:] == ["stop"]
    try:
        reply = exchange(sys.argv[1], b"stop\n" if stop else b"run\n")
    except OSError as error:
        print(f"no verdict: the case server at {sys.argv[1]} cannot be reached ({error})")
        return 0
    code, _, text = reply.decode(errors="replace").partition("\n")
    if not code:
        if not stop:
            print("no verdict: the case server closed the connection without one")
        return 0
    print(text, end="")
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
