"""Events per second ingested by stock greenswitch and by this project's ESL client.

Both read the same stream, over a real loopback socket, from a server in another process: N
realistic events (the 7-9 KB events of the captures, resequenced), after the usual auth and
`event plain ALL`. A client has ingested an event when its handler has been called with it
and has read the Event-Name (what any dispatch needs). Prints a table, then the ratio.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "fixtures" / "freeswitch"


def realistic_events(count: int) -> bytes:
    from callcenter.switch.protocol import FrameParser

    bodies = []
    for path in sorted(FIXTURES.glob("*.observer.recv.esl")):
        for frame in FrameParser().feed(path.read_bytes()):
            if frame.content_type == "text/event-plain" and 7000 <= len(frame.body) <= 9000:
                bodies.append(frame.body)
    out = bytearray()
    for n in range(count):
        body = re.sub(rb"Event-Sequence: \d+", b"Event-Sequence: %d" % (n + 1),
                      bodies[n % len(bodies)])
        out += b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(body) + body
    return bytes(out)


def serve(listener: socket.socket, blob: bytes, rounds: int) -> None:
    for _ in range(rounds):
        conn, _ = listener.accept()
        conn.sendall(b"Content-Type: auth/request\n\n")
        _read_command(conn)
        conn.sendall(b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
        _read_command(conn)
        conn.sendall(b"Content-Type: command/reply\nReply-Text: +OK event listener enabled "
                     b"plain\n\n")
        conn.sendall(blob)
        _read_command(conn)  # exit
        conn.sendall(b"Content-Type: command/reply\nReply-Text: +OK bye\n\n")
        conn.close()


def _read_command(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n\n"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def measure(kind: str, port: int, count: int) -> float:
    import gevent.event

    done = gevent.event.Event()
    seen = [0, 0.0]

    def handler(event) -> None:
        name = event.name if kind == "project" else event.headers.get("Event-Name")
        if name and seen[0] == 0:
            seen[1] = time.perf_counter()
        seen[0] += 1
        if seen[0] == count:
            done.set()

    if kind == "project":
        from callcenter.switch.inbound import InboundConnection
        conn = InboundConnection("127.0.0.1", port, "ClueCon")
    else:
        from greenswitch import InboundESL
        conn = InboundESL("127.0.0.1", port, "ClueCon")
    conn.register_handle("*", handler)
    conn.connect()
    start = time.perf_counter()
    conn.send("event plain ALL")
    done.wait(600)
    elapsed = time.perf_counter() - start
    conn.stop()
    if seen[0] != count:
        raise SystemExit(f"{kind}: only {seen[0]} of {count} events arrived")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=30000)
    parser.add_argument("--rounds", type=int, default=3, help="runs per client; best is kept")
    args = parser.parse_args()
    blob = realistic_events(args.events)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    server = multiprocessing.Process(target=serve, args=(listener, blob, 2 * args.rounds))
    server.start()
    results = {}
    for kind in ("greenswitch", "project"):
        results[kind] = min(measure(kind, port, args.events) for _ in range(args.rounds))
    server.join(10)
    mb = len(blob) / 1e6
    print(f"stream: {args.events} events, {mb:.1f} MB, {len(blob) / args.events / 1024:.1f} KB "
          f"per event; best of {args.rounds} runs each, loopback TCP, server in another process")
    print(f"{'client':<28} {'seconds':>8} {'events/s':>10} {'MB/s':>8}")
    for kind, label in (("greenswitch", "greenswitch 0.0.19 (stock)"),
                        ("project", "callcenter.switch")):
        seconds = results[kind]
        print(f"{label:<28} {seconds:>8.2f} {args.events / seconds:>10,.0f} {mb / seconds:>8.1f}")
    print(f"speedup vs greenswitch: {results['greenswitch'] / results['project']:.1f}×")


if __name__ == "__main__":
    main()
