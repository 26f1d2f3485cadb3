"""The province portal's API, `POST /api/v1/declarations`, under concurrent load on PostgreSQL.

Two processes and the database:
1. `callcenter web serve` in a process of its own (as in production), on TLS, on a throwaway
   PostgreSQL cluster (tests/support/pg_server.py: fsync off, so a commit waits for no disk)
   migrated and loaded with the shipped topics and units, an API source `portal`, and the
   rate limits raised out of the benchmark's way;
2. this process, the portal: N greenlets (gevent), each on one kept-alive TLS connection (the
   self-signed certificate trusted), posting declarations one after another, each with its own
   phone number, name and Idempotency-Key. 5 % of the requests resend an earlier accepted
   declaration (its key and body again: it must be answered 201, `Idempotent-Replayed: true`,
   with the same receipt); one declaration in ten has two red flags (triaged red).

Level by level (concurrency N): a warm-up (TLS handshakes, the pool's connections, the caches),
then a timed window, bounded in time and in requests. latency = from the request's first byte
written to the response's body read, in this process. Then, the same connections on
`GET /api/v1/openapi.json` (its topics come from the server's cache: no database, but the
document is built and dumped per request) as the web stack's own ceiling beside the
declarations' database work. At the end, PostgreSQL is asked whether every accepted
declaration is stored exactly once, with its receipt and its callback.

The client ACKs each response at once (TCP_QUICKACK): the server sends a response's head and
body in two writes with Nagle's algorithm on, so a client that delays its ACKs, as ordinary
ones do, waits 40 ms for every body. A row at the first level (†) shows that client.

The CPU columns are cores used during the window, from /proc: the web server's process, the
`postgres` processes, this client, and the rest of the machine (on a shared machine, others'
work there slows every row). --parts times a declaration's parts inside the server and
--profile runs it under cProfile, both through wrappers this script sets
(bench_support/intake_instrument.py): the plain run starts `.venv/bin/callcenter … web serve`
itself."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_support.intake_check import check  # noqa: E402
from bench_support.intake_client import Ledger, Level, Target, run_phase  # noqa: E402
from bench_support.intake_cpu import reference_ms  # noqa: E402
from bench_support.intake_report import (  # noqa: E402
    print_parts,
    print_profile,
    print_table,
    rate,
    server_log_summary,
)
from bench_support.intake_server import Server, prepare, web_server, write_config  # noqa: E402
from bench_support.stats import percentile  # noqa: E402

TARGET = 300  # declarations a second on this machine


def run_level(target: Target, ledger: Ledger, concurrency: int, args: argparse.Namespace,
              server: Server, stock: bool) -> Level:
    connections: list[Any] = [None] * concurrency
    server_pid = server.pid
    warmup = run_phase(target, ledger, connections, True, args.warmup, args.max_requests,
                       server_pid)
    before = server.snapshot()
    posted = run_phase(target, ledger, connections, True, args.seconds, args.max_requests,
                       server_pid)
    after = server.snapshot()
    parts = {name: [a - b for a, b in zip(value, before.get(name, [0.0, 0.0, 0]),
                                          strict=True)] for name, value in after.items()}
    delayed = run_phase(target, ledger, connections, True, args.baseline_seconds,
                        args.max_requests, server_pid, quickack=False) if stock else None
    run_phase(target, ledger, connections, False, 1.0, args.max_requests, server_pid)
    baseline = run_phase(target, ledger, connections, False, args.baseline_seconds,
                         args.max_requests, server_pid)
    for connection in connections:
        if connection is not None:
            connection.close()
    return Level(concurrency, posted, baseline, warmup, delayed, parts)



def load(args: argparse.Namespace, root: Path, url: str, timings: dict[str, float]
         ) -> tuple[Ledger, list[Level], Path]:
    """The server started on the prepared database, the levels run, the server stopped: the
    ledger, the levels and the server's log."""
    from callcenter.hub.tls import make_self_signed

    started = time.monotonic()
    api_key = prepare(url)
    timings["schema, topics, units, API key"] = time.monotonic() - started
    cert, key, config = root / "web.crt", root / "web.key", root / "web.toml"
    make_self_signed(cert, key, ["127.0.0.1", "localhost"])
    write_config(config, url, cert, key, max(args.concurrency), args.workers)
    look = "profile" if args.profile else "parts" if args.parts else None
    ledger, levels = Ledger(api_key), list[Level]()
    started = time.monotonic()
    with web_server(config, root, look) as server:
        timings["web server started"] = time.monotonic() - started
        target = Target(server.port, cert)
        for concurrency in args.concurrency:
            started = time.monotonic()
            levels.append(run_level(target, ledger, concurrency, args, server,
                                    stock=not levels))
            timings[f"level {concurrency} (warm-up, POST, GET)"] = time.monotonic() - started
        started = time.monotonic()
    timings["web server stopped"] = time.monotonic() - started
    return ledger, levels, server.log


def run(args: argparse.Namespace, root: Path) -> bool:
    from tests.support.pg_server import throwaway_cluster

    timings: dict[str, float] = {}
    started = time.monotonic()
    with throwaway_cluster() as url:
        timings["PostgreSQL cluster started"] = time.monotonic() - started
        speed = [reference_ms()]
        ledger, levels, log = load(args, root, url, timings)
        speed.append(reference_ms())
        headline = max(levels, key=lambda lv: rate(lv.posted))
        print_table(levels, headline, args)
        print(f"the machine's speed: a reference loop took {speed[0]:.1f} ms before the load, "
              f"{speed[1]:.1f} ms after (22 on a quiet host; see reference_ms)")
        server_log_summary(log)
        started = time.monotonic()
        ok = check(url, ledger, levels)
        timings["check"] = time.monotonic() - started
        started = time.monotonic()
    timings["PostgreSQL stopped"] = time.monotonic() - started
    if args.parts:
        print_parts(levels)
    if args.profile:
        print_profile(root / "web.profile")
    print("\nphases: " + "; ".join(f"{name} {s:.1f} s" for name, s in timings.items()))
    posted = headline.posted
    met = "met" if rate(posted) >= TARGET else "NOT met"
    print(f"target ≥ {TARGET} declarations/s: {met} (headline: {headline.concurrency} workers)")
    p99 = percentile(posted.latencies_ms, 0.99)
    print(f"declarations/s: {rate(posted):.0f}; p99: {p99:.1f} ms")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float,
                        help="the timed window of each level's POSTs (default 20; quick: 3)")
    parser.add_argument("--concurrency",
                        help="workers (connections) of each level, in this order (default "
                             "8,32,64; quick: 8,32)")
    parser.add_argument("--warmup", type=float,
                        help="seconds before each window (default 3; quick: 1)")
    parser.add_argument("--baseline-seconds", type=float,
                        help="the GET window of each level (default: half of --seconds)")
    parser.add_argument("--max-requests", type=int, default=200_000,
                        help="a window ends after this many requests, if before its time "
                             "(default 200000)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 3 s windows, 1 s warm-ups, 8 and 32 workers")
    parser.add_argument("--profile", action="store_true",
                        help="run the server under cProfile and print where its time goes "
                             "(much slower: not numbers to quote)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="the web server's processes ([web] workers; default: one per "
                             "core)")
    parser.add_argument("--parts", action="store_true",
                        help="time the parts of a declaration in the server (CPU and wall), "
                             "with wrappers set by this script")
    args = parser.parse_args()
    quick = {"seconds": 3.0, "warmup": 1.0, "concurrency": "8,32"}
    full = {"seconds": 20.0, "warmup": 3.0, "concurrency": "8,32,64"}
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    args.baseline_seconds = args.baseline_seconds or max(2.0, args.seconds / 2)
    with tempfile.TemporaryDirectory(prefix="bench_intake-") as tmp:
        ok = run(args, Path(tmp))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
