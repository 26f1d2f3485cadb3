"""Cores used during a window of the intake bench, from /proc: the web server's processes,
the `postgres` processes, this client, and the whole machine; and the machine's speed."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from bench_support.machine import machine_busy_seconds, own_seconds

CLK_TCK = os.sysconf("SC_CLK_TCK")


def process_seconds(stat: str, children: bool = False) -> float:
    """utime + stime (+ cutime + cstime: its children that ended) from /proc/PID/stat."""
    fields = stat.rpartition(")")[2].split()
    return sum(int(f) for f in fields[11:15 if children else 13]) / CLK_TCK


def postgres_seconds() -> float:
    """CPU seconds of the `postgres` processes: the server, its backends, and the backends
    that ended (a connection the pool closed), counted in the server's children's time."""
    total = 0.0
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            stat = stat_path.read_text()
            if stat.partition("(")[2].startswith("postgres)"):
                total += process_seconds(stat, children=True)
    return total


def reference_ms() -> float:
    """A fixed Python loop, best of 5, in ms: this virtual machine's speed varies with its
    host's load (22 to 40 ms within minutes while this bench was written), and every CPU
    time above with it: compare runs with this beside them."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        sum(range(2_000_000))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def server_seconds(server_pid: int) -> float:
    """CPU seconds of the web server: its first process and the workers it started."""
    total = 0.0
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            stat = stat_path.read_text()
            pid, ppid = int(stat.partition(" ")[0]), int(stat.rpartition(")")[2].split()[1])
            if server_pid in (pid, ppid):
                total += process_seconds(stat)
    return total


def cpu_point(server_pid: int) -> dict[str, float]:
    return {"at": time.monotonic(), "client": own_seconds(), "postgres": postgres_seconds(),
            "server": server_seconds(server_pid),
            "machine": machine_busy_seconds()}
