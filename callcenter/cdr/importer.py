"""The CDR import (the I/O around callcenter.cdr.parse): at start and every
`[cdr] import_seconds`, the spool's ready files are read; the calls whose end the database has
not seen (no row, or a row without its hangup cause: the daemon was down, or its link was)
are written through the recorder exactly as live effects are — a call row per Unique-ID, the
call_leg row of the queue it was last in, a callback where the call owes one — and only then is
each file moved into `imported/`. A file that is not a readable CDR goes into `rejected/` with
a log line naming it. A file too young to read (it may be half written) is come back for once
it has settled, if that is before the next run."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Container
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.cdr.parse import MalformedCdr, cdr_effects, parse_cdr
from callcenter.cdr.spool import IMPORTED, REJECTED, follow_up, move, scan
from callcenter.config import CdrSettings
from callcenter.state.effects import Effect
from callcenter.state.model import CallState
from db.models import Call, Topic

log = logging.getLogger(__name__)
BATCH = 200  # files per database transaction


def topic_queues(session: Session) -> dict[str, str]:
    return {key: queue for key, queue in session.execute(select(Topic.key, Topic.queue))}


def ended_rows(session: Session, uuids: list[str]) -> set[str]:
    """Of these calls, those whose end the daemon saw (their row has the hangup's cause)."""
    return set(session.scalars(select(Call.uuid).where(Call.uuid.in_(uuids),
                                                       Call.hangup_cause.is_not(None))))


@dataclass
class Imported:
    calls: int = 0  # written
    recorded: int = 0  # already in the database
    not_calls: int = 0  # legs that are no caller's call (agents' phones, callback dials)
    rejected: int = 0

    def add(self, other: Imported) -> None:
        for name in ("calls", "recorded", "not_calls", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


Read = tuple[Path, CallState | Exception | None]


def read_files(files: list[Path], queues: dict[str, str]) -> list[Read]:
    """Each file's call (None: no caller's call), or why it could not be read."""
    read: list[Read] = []
    for path in files:
        try:
            read.append((path, parse_cdr(path.read_bytes(), queues)))
        except (OSError, MalformedCdr) as exc:
            read.append((path, exc))
    return read


class CdrImporter:
    """`db(fn, *args)` runs fn(session, *args) (in the thread pool); `write(effects)` writes
    them as the daemon writes live effects; `live()` holds the calls up now; `blocking(fn,
    *args)` runs the file reading and parsing off the event loop (every call has a CDR: a
    minute of a busy hour is hundreds of files, ~0.1 ms of JSON each). `clock()` is compared
    with the files' modification times (wall clock); `sleep(seconds)` waits for a file to
    settle (it must let the event loop run: the daemon does not monkey-patch time.sleep)."""

    def __init__(self, settings: CdrSettings, db: Callable[..., Any],
                 write: Callable[[list[Effect]], None], live: Callable[[], Container[str]],
                 blocking: Callable[..., Any] = lambda fn, *args: fn(*args),
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Any] = gevent.sleep) -> None:
        self.settings, self.db, self.write, self.live, self.clock = (
            settings, db, write, live, clock)
        self.blocking, self.sleep = blocking, sleep
        self._told_missing = False

    def run(self) -> Imported:
        """Import what is ready now, a batch at a time. If a file was too young to read and
        settles before the next run (`import_seconds` after this one returns), wait for it
        and import once more: after a restart, the calls that ended just before it are in
        the database `settle_seconds` later, not a whole run later. Once only: the files
        that turn up meanwhile (calls that ended since, seen live) wait for the next run."""
        total = Imported()
        spool = self.settings.spool_dir
        if not spool.is_dir():
            if not self._told_missing:
                log.warning("cdr: no spool folder %s (mod_json_cdr not loaded, or another "
                            "log-dir?): no CDR imported until it exists", spool)
                self._told_missing = True
            return total
        self._told_missing = False
        settling = self._pass(spool, total)
        wait = follow_up(settling, self.clock(), self.settings.settle_seconds,
                         self.settings.import_seconds)
        if wait is not None:
            self.sleep(wait)
            self._pass(spool, total)
        if total.calls or total.rejected:
            log.info("cdr: %d call(s) imported, %d already recorded, %d other leg(s), "
                     "%d file(s) rejected", total.calls, total.recorded, total.not_calls,
                     total.rejected)
        return total

    def loop(self) -> None:
        """At start and every `import_seconds`, for as long as the daemon runs."""
        while True:
            try:
                self.run()
            except Exception:  # the files stay: read again next time
                log.exception("cdr: importing failed")
            self.sleep(self.settings.import_seconds)

    def _pass(self, spool: Path, total: Imported) -> float | None:
        """One read of the spool, batch after batch; the time of its youngest file still
        settling (None: none)."""
        while True:
            found = self.blocking(scan, spool, self.settings.settle_seconds, self.clock(),
                                  BATCH)
            if not found.ready:
                return found.settling
            done, moved = self._batch(found.ready)
            total.add(done)
            if len(found.ready) < BATCH or not moved:
                return found.settling

    def _batch(self, files: list[Path]) -> tuple[Imported, int]:
        done = Imported()
        queues = self.db(topic_queues)
        read: list[tuple[Path, CallState | None]] = []
        live = self.live()
        for path, call in self.blocking(read_files, files, queues):
            if isinstance(call, FileNotFoundError):
                continue  # taken meanwhile
            if isinstance(call, OSError):
                log.warning("cdr: cannot read %s: %s", path, call)
                continue
            if isinstance(call, Exception):
                if self._move(path, REJECTED):
                    done.rejected += 1
                    log.error("cdr: %s is not a CDR the daemon can read (%s): set aside in "
                              "%s/", path, call, REJECTED)
                continue
            if call is not None and call.uuid in live:
                continue  # still followed live: its end will come as events
            read.append((path, call))
        calls = [call for _, call in read if call is not None]
        seen = self.db(ended_rows, [c.uuid for c in calls]) if calls else set()
        new = [call for call in calls if call.uuid not in seen]
        if new:
            self.write([effect for call in new for effect in cdr_effects(call)])
        for call in new:
            log.info("cdr: call %s from %s, %s, imported (%s)", call.uuid, call.caller_number,
                     call.result, call.hangup_cause)
        done.calls, done.recorded = len(new), len(calls) - len(new)
        done.not_calls = len(read) - len(calls)
        moved = self.blocking(self._move_all, [path for path, _ in read], IMPORTED)
        return done, moved + done.rejected

    @classmethod
    def _move_all(cls, paths: list[Path], folder: str) -> int:
        return sum(cls._move(path, folder) for path in paths)

    @staticmethod
    def _move(path: Path, folder: str) -> bool:
        try:
            move(path, folder)
        except FileNotFoundError:
            return False
        except OSError as exc:  # read again next time: the import is idempotent by uuid
            log.error("cdr: cannot move %s into %s/: %s", path, folder, exc)
            return False
        return True
