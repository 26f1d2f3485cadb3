"""The daemon's hot path over real loopback sockets: events per second, and the event-to-state
latency at 100, 500 and 1,000 concurrent calls.

Throughput: the captured `call_answered` call (120 events, every CHANNEL_* and callcenter::info
of a real call) replayed with fresh uuids for each call, served by a process of its own. Rows:
parse only; parse + live-state apply; parse + apply + batched DB writes on SQLite and on
PostgreSQL (a throwaway cluster, or CALLCENTER_TEST_PG_URL).

Latency (scripts/bench_support/): the simulator (callcenter.sim with the rendered switch_conf,
as tests/test_daemon_e2e.py wires it) runs in a process of its own at speed 1, with agents on
every queue and callers arriving until N calls are up at once (in the IVR, in a queue, or
talking with an agent), each call its whole real event flow; calls keep ending and new ones keep
arriving while the window is measured. The real `callcenter.daemon.Daemon` runs in this process
(its link, live state, recorder on SQLite, IVR on the outbound socket, agent sync).

latency = wall-clock time from the event's Event-Date-Timestamp to the moment `apply(state,
event)` has returned in the daemon's event handler (`Tracker.on_event`, where it calls
`metrics.applied`). The simulator stamps Event-Date-Timestamp when it creates the event
(`Switch.new_event`), right before queueing it for the socket, from its clock, which is
`time.time()` at speed 1 (a faster speed scales it, so the bench runs at 1); the daemon reads
`time.time()` too, on the same machine. The part spent inside the simulator, from the stamp
until the frame's `sendall` returned, is measured too and printed under the table. Agents:
1.25 × the highest level (+10), on every queue, wrap-up 10 s; talk 30-90 s; SQLite."""

from __future__ import annotations

import argparse
import multiprocessing
import re
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def call_stream(calls: int) -> tuple[bytes, int]:
    from callcenter.switch.protocol import FrameParser

    path = ROOT / "tests/fixtures/freeswitch/call_answered.observer.recv.esl"
    bodies = [f.body for f in FrameParser().feed(path.read_bytes())
              if f.content_type == "text/event-plain"]
    out = bytearray()
    for _ in range(calls):
        fresh: dict[bytes, bytes] = {}
        renew = (lambda m, fresh=fresh:  # noqa: E731 (one replacement table per call)
                 fresh.setdefault(m.group(0), str(uuid.uuid4()).encode()))
        for body in bodies:
            body = _UUID.sub(renew,
                             body)
            out += b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(body) + body
    return bytes(out), calls * len(bodies)


def measure(port: int, count: int, mode: str, url: str | None) -> float:
    import gevent
    import gevent.event

    from callcenter.state import LiveState, apply
    from callcenter.switch.inbound import InboundConnection

    state, pending, seen = LiveState(), [], [0]
    done = gevent.event.Event()
    recorder = None
    if url:
        from callcenter.store.recorder import Recorder
        from db import migrate
        from db.engine import make_engine, make_sessionmaker

        migrate.upgrade(url)
        recorder = Recorder(make_sessionmaker(make_engine(url)))

    def handler(event) -> None:
        if mode == "parse":
            event.name  # noqa: B018 (what any dispatch reads)
        else:
            pending.extend(apply(state, event))
        seen[0] += 1
        if seen[0] == count:
            done.set()

    def flusher() -> None:
        while True:
            gevent.sleep(0.05)
            if pending and recorder is not None:
                batch = pending[:]
                del pending[:]
                # as the daemon does: the blocking driver in gevent's thread pool
                gevent.get_hub().threadpool.apply(recorder.write, (batch,))

    conn = InboundConnection("127.0.0.1", port, "ClueCon")
    conn.register_handle("*", handler)
    conn.connect()
    writer = gevent.spawn(flusher)
    start = time.perf_counter()
    conn.send("event plain ALL")
    done.wait(900)
    if recorder is not None and pending:
        recorder.write(pending[:])
    elapsed = time.perf_counter() - start
    writer.kill()
    conn.stop()
    return elapsed


def throughput(calls: int) -> tuple[int, list[tuple[str, float]]]:
    """Seconds per path for the stream of `calls` captured calls; and the stream's events."""
    from bench_esl import serve

    blob, count = call_stream(calls)
    modes = [("parse only", "parse", None), ("parse + apply", "apply", None),
             ("parse + apply + SQLite", "apply", "sqlite"),
             ("parse + apply + PostgreSQL", "apply", "postgresql")]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    server = multiprocessing.Process(target=serve, args=(listener, blob, len(modes)))
    server.start()
    port = listener.getsockname()[1]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        import os

        from tests.support.pg_server import throwaway_cluster
        pg = os.environ.get("CALLCENTER_TEST_PG_URL")
        cluster = None if pg else throwaway_cluster()
        if cluster is not None:
            pg = cluster.__enter__()
        try:
            for label, mode, db in modes:
                url = {"sqlite": f"sqlite:///{tmp}/bench.sqlite3", "postgresql": pg,
                       None: None}[db]
                results.append((label, measure(port, count, mode, url)))
        finally:
            if cluster is not None:
                cluster.__exit__(None, None, None)
    server.join(10)
    return count, results


def main() -> None:
    from bench_support import latency

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=300, help="captured calls streamed")
    parser.add_argument("--levels", default="100,500,1000", help="concurrent calls measured")
    parser.add_argument("--window", type=float, default=30.0, help="seconds measured per level")
    parser.add_argument("--agent-sync-seconds", type=float,
                        help="the daemon's [switch] agent_sync_seconds (default: its own)")
    args = parser.parse_args()
    count, results = throughput(args.calls)
    switch = ({} if args.agent_sync_seconds is None
              else {"agent_sync_seconds": args.agent_sync_seconds})
    levels = latency.run([int(n) for n in args.levels.split(",")], args.window, switch)
    print(f"stream: {args.calls} calls, {count} events (the call_answered capture, fresh uuids)")
    print(f"{'path':<30} {'seconds':>8} {'events/s':>10}")
    for label, seconds in results:
        print(f"{label:<30} {seconds:>8.2f} {count / seconds:>10,.0f}")
    print()
    latency.print_table(levels, args.window)
    at_1000 = next((level for level in levels if level.calls == 1000), None)
    p99 = ("not measured" if at_1000 is None
           else f"{latency.percentile(at_1000.latencies_ms, 0.99):.1f} ms")
    print(f"events/s: {count / results[1][1]:,.0f}; p99 at 1000 calls: {p99}")


if __name__ == "__main__":
    main()
