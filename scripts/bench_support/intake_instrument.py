"""Run inside the intake bench's web server process (`python -c …` in place of
`.venv/bin/callcenter`, see intake_server.web_server): `callcenter … web serve` with cProfile
(--profile) or with timers around a declaration's parts (--parts)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gevent

SERVER_ENV = "BENCH_INTAKE_SERVER"


def serve_instrumented() -> int:
    """`callcenter … web serve` (the arguments after -c), looked into as $BENCH_INTAKE_SERVER
    says: `profile:PATH` (cProfile) or `parts:PATH` (timers, written on SIGUSR1)."""
    mode, _, out = os.environ[SERVER_ENV].partition(":")
    return (serve_profiled if mode == "profile" else serve_timed)(Path(out))


def serve_profiled(out: Path) -> int:
    """cProfile on each thread's CPU clock: the loop's thread whole (.loop), and the thread
    pool inside its transactions (.pool: store.submit and its commit)."""
    import cProfile
    import pstats
    import threading

    from callcenter.cli.main import main
    from callcenter.web import app as web_app

    local, pool, lock = threading.local(), [], threading.Lock()
    plain = web_app.transaction

    @contextlib.contextmanager
    def profiled(sessions: Any) -> Iterator[Any]:
        if not hasattr(local, "profile"):
            local.profile = cProfile.Profile(time.thread_time)
            with lock:
                pool.append(local.profile)
        local.profile.enable()
        try:
            with plain(sessions) as session:
                yield session
        finally:
            local.profile.disable()

    web_app.transaction = profiled
    loop = cProfile.Profile(time.thread_time)  # CPU time: a wait for a socket counts nothing
    loop.enable()
    try:
        return main()
    finally:
        loop.disable()
        loop.dump_stats(out.with_suffix(".loop"))
        if pool:
            pstats.Stats(*pool).dump_stats(out.with_suffix(".pool"))


# (module, function): called through the module's attribute, so a wrapper set there is used
TIMED = (("callcenter.web.store", "submit"), ("db.declarations", "problems"),
         ("db.declarations", "schema_errors"), ("db.declarations", "callable_phone"),
         ("db.declarations", "receive"), ("db.declarations", "triage"),
         ("db.declarations", "_owe_callback"), ("db.audit", "record"))


def serve_timed(out: Path) -> int:
    """Each TIMED function's CPU (its thread's clock) and wall time, the transaction's commit,
    the wait for a pool thread, the SQL statements, and the loop thread's CPU: totals written
    to `out` (JSON) on SIGUSR1."""
    import threading

    from sqlalchemy import Engine, event

    from callcenter.cli.main import main

    totals: dict[str, list[float]] = {"dumps": [0.0, 0.0, 0]}
    lock = threading.Lock()

    def note(name: str, cpu: float, wall: float) -> None:
        with lock:
            entry = totals.setdefault(name, [0.0, 0.0, 0])
            entry[0], entry[1], entry[2] = entry[0] + cpu, entry[1] + wall, entry[2] + 1

    def dump() -> None:  # on the loop's thread, the main one
        note("dumps", 0.0, 0.0)
        totals["loop thread"] = [time.thread_time(), 0.0, 1]
        Path(f"{out}.tmp").write_text(json.dumps(totals))
        Path(f"{out}.tmp").replace(out)

    time_calls(note)
    event.listen(Engine, "before_cursor_execute", lambda *_: note("statements", 0.0, 0.0))
    event.listen(Engine, "commit", lambda *_: note("statements", 0.0, 0.0))
    event.listen(Engine, "connect", lambda *_: note("connections", 0.0, 0.0))
    gevent.signal_handler(signal.SIGUSR1, dump)
    return main()


def time_calls(note: Any) -> None:
    """Wrappers around the TIMED functions, the transaction and Intake.db, telling `note`
    (name, CPU seconds, wall seconds)."""
    import importlib

    from callcenter.web import app as web_app

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                note(name, time.thread_time() - cpu, time.perf_counter() - wall)
        return wrapper

    for module_name, name in TIMED:
        module = importlib.import_module(module_name)
        setattr(module, name, timed(name, getattr(module, name)))
    plain = web_app.transaction

    @contextlib.contextmanager
    def transaction(sessions: Any) -> Iterator[Any]:
        with plain(sessions) as session:
            yield session
            cpu, wall = time.thread_time(), time.perf_counter()
        note("commit", time.thread_time() - cpu, time.perf_counter() - wall)

    def db(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:  # as Intake.db, timed
        queued = time.perf_counter()

        def work() -> Any:
            note("waiting for a pool thread", 0.0, time.perf_counter() - queued)
            with transaction(self.sessions) as session:
                return fn(session, *args, **kwargs)
        try:
            return self.run(work)
        finally:
            note("Intake.db, loop to loop", 0.0, time.perf_counter() - queued)

    web_app.Intake.db = db  # type: ignore[method-assign]

