"""The intake bench's report: the table of the levels, the server's log, and with --parts or
--profile where the web server's time goes."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from bench_support.intake_client import BASELINE_PATH, POST_PATH, Level, Tally
from bench_support.stats import percentile


def rate(tally: Tally) -> float:
    return tally.ok / tally.seconds if tally.seconds else 0.0


def row(name: str, concurrency: int, tally: Tally, mark: str) -> str:
    lat, cores = tally.latencies_ms, tally.cores
    cpu_ms = cores["server"] * tally.seconds * 1000 / max(1, len(lat))
    return (f"{mark}{name:<6}{concurrency:>5} {len(lat):>9,} {len(lat) / tally.seconds:>8.1f} "
            f"{rate(tally):>8.1f} {percentile(lat, 0.5):>7.1f} {percentile(lat, 0.95):>7.1f} "
            f"{percentile(lat, 0.99):>7.1f} {sum(tally.errors.values()):>7} {cpu_ms:>7.2f} "
            f"{cores['server']:>6.2f} {cores['postgres']:>5.2f} {cores['client']:>6.2f} "
            f"{cores['rest']:>5.2f}")


def print_table(levels: list[Level], headline: Level, args: argparse.Namespace) -> None:
    print(f"\nPOST {POST_PATH} (declarations) and GET {BASELINE_PATH} (baseline: no "
          f"database) over TLS, one kept-alive connection per worker; {args.seconds:g} s "
          f"window after a {args.warmup:g} s warm-up (baseline {args.baseline_seconds:g} s); "
          f"{os.cpu_count()} cores; the web server in {args.workers} process(es) ([web] "
          f"workers), 4 database connections each ([web] db_connections)")
    print(f"{'':1}{'what':<6}{'conc':>5} {'requests':>9} {'req/s':>8} {'decl/s':>8} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7} {'CPU ms':>7} "
          f"{'web':>6} {'pg':>5} {'client':>6} {'rest':>5}")
    for level in levels:
        mark = "*" if level is headline else " "
        print(row("POST", level.concurrency, level.posted, mark))
    for level in levels:
        print(row("GET", level.concurrency, level.baseline, " "))
    for level in levels:
        if level.stock is not None:
            print(row("POST†", level.concurrency, level.stock, " "))
    print("* the headline: the level with the most declarations a second\n"
          "decl/s: new declarations stored (201, not replayed; GET rows: 200s) a second; "
          "req/s counts the resends too\n"
          "CPU ms: the web server's CPU per request; web, pg, client, rest: cores used by the "
          "web server's\n  process, postgres, this client, the rest of the machine (work "
          "of others there slows every row)\n"
          "† the same POSTs from a client that delays its ACKs, as ordinary clients do; every "
          "other row ACKs\n  at once (TCP_QUICKACK), so as to measure the server, not the "
          "40 ms a delayed ACK holds the\n  response's body back (Nagle's algorithm on the "
          "server's socket: head and body are two writes)")
    for level in levels:
        posted = level.posted
        print(f"  {level.concurrency} workers: {posted.replayed} resends replayed; "
              f"{posted.opened + level.warmup.opened} TLS connections opened for the POSTs "
              f"(warm-up included), {level.baseline.opened} more for the GETs")
        for name, tally in (("warm-up", level.warmup), ("POST", posted),
                            ("GET", level.baseline), ("POST†", level.stock or Tally())):
            for kind, count in tally.errors.most_common():
                print(f"    {name} error: {kind} × {count}: {tally.samples[kind]}")



def server_log_summary(log: Path) -> None:
    """Errors and tracebacks the server logged, the first few word for word."""
    lines = log.read_text(errors="replace").splitlines()
    bad = [ln for ln in lines if " ERROR " in ln or " CRITICAL " in ln or ln.startswith(
        "Traceback")]
    warnings = [ln for ln in lines if " WARNING " in ln]
    print(f"server log: {len(lines)} lines, {len(bad)} errors, {len(warnings)} warnings")
    for line in list(dict.fromkeys(bad + warnings))[:5]:
        print(f"  {line[:240]}")
    if bad or warnings:
        kept = Path(tempfile.gettempdir()) / f"bench_intake-server-{os.getpid()}.log"
        shutil.copy(log, kept)
        print(f"  (kept: {kept})")


PARTS = (("Intake.db, loop to loop", "the database call as the view waits for it"),
         ("waiting for a pool thread", "  of which waiting for a pool thread"),
         ("submit", "  store.submit"), ("problems", "    problems"),
         ("schema_errors", "      schema_errors (jsonschema)"),
         ("callable_phone", "    callable_phone (phonenumbers; in both)"),
         ("receive", "    receive"), ("triage", "      triage"),
         ("_owe_callback", "      _owe_callback"),
         ("record", "    audit.record (a refused declaration's)"),
         ("commit", "  the commit (and the session's close)"))


def print_parts(levels: list[Level]) -> None:
    """The server's timers over each POST window, per request: its threads' CPU clocks and
    the wall clock."""
    print("\nwhere the web server's time goes, per POST in the window (ms: CPU of the thread "
          "/ wall; a wall time beyond the CPU is waiting: for PostgreSQL, a lock, the GIL)")
    print(f"{'':44}" + "".join(f"{f'{lv.concurrency} workers':>18}" for lv in levels))

    posts = [max(1, len(lv.posted.latencies_ms)) for lv in levels]
    server = [lv.posted.cores["server"] * lv.posted.seconds for lv in levels]
    loop = [lv.parts["loop thread"][0] for lv in levels]
    print(f"{'the server process, CPU (/proc)':<44}" + "".join(
        f"{s * 1000 / n:>11.2f}{'':7}" for s, n in zip(server, posts, strict=True)))
    print(f"{'  its loop thread (TLS, HTTP, Flask, JSON)':<44}" + "".join(
        f"{s * 1000 / n:>11.2f}{'':7}" for s, n in zip(loop, posts, strict=True)))
    for name, label in PARTS:
        totals = [lv.parts.get(name, [0.0, 0.0, 0]) for lv in levels]
        print(f"{label:<44}" + "".join(
            f"{f'{t[0] * 1000 / n:.2f} / {t[1] * 1000 / n:.2f}':>18}"
            for t, n in zip(totals, posts, strict=True)))
    for name, label in (("statements", "SQL statements and commits, per POST"),
                        ("connections", "PostgreSQL connections opened in the window")):
        counts = [lv.parts.get(name, [0.0, 0.0, 0])[2] for lv in levels]
        per = posts if name == "statements" else [1] * len(levels)
        print(f"{label:<44}" + "".join(f"{c / n:>11.1f}{'':7}"
                                       for c, n in zip(counts, per, strict=True)))


OWN_CODE = r"/(callcenter|db|rules)/|jsonschema/validators\.py.*(__init__|iter_errors)|" \
    r"phonenumbers/phonenumberutil\.py.*\((parse|is_valid_number)\)|flask_limiter/_ext.*" \
    r"check_request_limit|orm/session\.py.*\((commit|flush)\)|ssl\.py.*\((read|write)\)|" \
    r"flask/app\.py.*full_dispatch"


def print_profile(profile: Path) -> None:
    """CPU seconds (each thread's own clock) by function: the most of their own, then the
    project's functions and a few others, with what they call."""
    import pstats

    kept = Path(tempfile.gettempdir()) / f"bench_intake-{os.getpid()}"
    for suffix, what in ((".loop", "the loop's thread (TLS, HTTP, Flask, limiter, JSON)"),
                         (".pool", "the thread pool, inside the transactions")):
        path = profile.with_suffix(suffix)
        if not path.exists():
            continue
        shutil.copy(path, kept.with_suffix(suffix))
        print(f"\nprofile of the web server, {what} (kept: {kept.with_suffix(suffix)})")
        stats = pstats.Stats(str(path))
        stats.sort_stats("tottime").print_stats(15)
        stats.sort_stats("cumulative").print_stats(OWN_CODE, 30)

