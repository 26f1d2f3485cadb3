"""A CDR file too young to read (mod_json_cdr may still be writing it) is read as soon as it
has settled, not a whole `import_seconds` later: the delay is a pure function, and the importer
runs here on a clock and a sleep of the test's own (no real waiting), against the database on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.cdr.importer import CdrImporter, Imported
from callcenter.cdr.spool import SETTLE_MARGIN, follow_up, scan
from callcenter.config import CdrSettings
from callcenter.store.recorder import Recorder
from db.models import Call
from tests.support import cdr


def test_the_next_read_comes_when_the_youngest_file_has_settled() -> None:
    assert follow_up(None, 1000.0, 5, 60) is None  # nothing settling: the regular pass
    assert follow_up(998.0, 1000.0, 5, 60) == pytest.approx(3 + SETTLE_MARGIN)
    assert follow_up(1000.0, 1000.0, 5, 60) == pytest.approx(5 + SETTLE_MARGIN)
    assert follow_up(990.0, 1000.0, 5, 60) == pytest.approx(SETTLE_MARGIN)  # settled since
    assert follow_up(1000.0, 1000.0, 5, 2) is None  # the regular pass comes first
    assert follow_up(1100.0, 1000.0, 5, 60) is None  # dated in the future (a clock step)
    assert follow_up(998.0, 1000.0, 0, 60, margin=0.0) == 0.0


def test_the_scan_says_when_the_youngest_file_was_written(tmp_path: Path) -> None:
    old = cdr.write(tmp_path, cdr.load("answered"), age=60)
    young = cdr.write(tmp_path, cdr.load("abandoned"), age=2)
    younger = cdr.write(tmp_path, cdr.load("callback_key"), age=1)
    now = younger.stat().st_mtime + 1
    found = scan(tmp_path, 5, now, 200)
    assert found.ready == [old]
    assert found.settling == younger.stat().st_mtime > young.stat().st_mtime
    assert scan(tmp_path, 0.5, now, 200).settling is None


class Clock:
    """The importer's clock and sleep: sleeping moves the clock on, at once."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _importer(sessions: sessionmaker[Session], spool: Path, clock: Clock,
              **settings: Any) -> CdrImporter:
    def db(fn: Callable[..., Any], *args: Any) -> Any:
        with sessions() as session:
            return fn(session, *args)

    return CdrImporter(CdrSettings(spool_dir=spool, **settings), db, Recorder(sessions).write,
                       lambda: (), clock=clock, sleep=clock.sleep)


def _imported(spool: Path) -> set[str]:
    return {p.name for p in (spool / "imported").glob("*.cdr.json")}


def _uuids(sessions: sessionmaker[Session]) -> set[str]:
    with sessions() as s:
        return set(s.scalars(select(Call.uuid)))


def test_a_young_file_is_imported_once_it_has_settled(seeded: sessionmaker[Session],
                                                      tmp_path: Path) -> None:
    """After a restart: a call ended two seconds ago is in the database three seconds (and the
    margin) later, in the same run, not at the next one a minute later."""
    old = cdr.write(tmp_path, cdr.load("answered"), age=60)
    young = cdr.write(tmp_path, cdr.load("abandoned"), age=0)
    clock = Clock(young.stat().st_mtime + 2)
    done = _importer(seeded, tmp_path, clock, settle_seconds=5, import_seconds=60).run()
    assert clock.slept == [pytest.approx(3 + SETTLE_MARGIN)]
    assert _imported(tmp_path) == {old.name, young.name}
    assert (done.calls, done.rejected) == (2, 0)
    assert _uuids(seeded) == {cdr.load(n)["variables"]["uuid"] for n in ("answered", "abandoned")}


def test_no_wait_when_the_next_run_comes_as_soon(seeded: sessionmaker[Session],
                                                 tmp_path: Path) -> None:
    old = cdr.write(tmp_path, cdr.load("answered"), age=60)
    clock = Clock(old.stat().st_mtime + 60)
    assert _importer(seeded, tmp_path, clock, settle_seconds=5).run() == Imported(calls=1)
    young = cdr.write(tmp_path, cdr.load("abandoned"), age=0)  # settles after the next run
    clock.now = young.stat().st_mtime
    quick = _importer(seeded, tmp_path, clock, settle_seconds=5, import_seconds=2)
    assert quick.run() == Imported()
    assert clock.slept == [] and young.exists()
