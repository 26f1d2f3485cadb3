"""The CDR import end to end: the daemon against the simulator over real sockets, a spool
folder of mod_json_cdr files (tests/fixtures/cdr: the real switch's channels), the database on
SQLite and PostgreSQL. The calls handled while the daemon was down get their rows; nothing is
imported twice, nothing is lost when a write fails, a bad file is set aside."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.sim.people import PhoneBehaviour, Phones
from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from db.models import Agent, Call, Callback, CallLeg, Topic
from tests.support import cdr
from tests.support.hotline import Hotline

CALLS = ("answered", "abandoned", "callback_key", "menu_hangup", "static_menu")


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    folder = tmp_path / "spool"
    folder.mkdir()
    return folder


@pytest.fixture
def start(seeded: sessionmaker[Session], tmp_path: Path,
          spool: Path) -> Iterator[Callable[..., Hotline]]:
    """Starts the daemon (the switch simulator with it) on that spool folder; keywords are
    [cdr] settings."""
    with transaction(seeded) as s:
        add_agent(s, NewAgent("nurse1", "Nurse One", "nurse", "mat-khau-dai-1",
                              sip_extension="1001"))
        set_queues(s, "nurse1", [parse_membership("f0_home_care")])
    lines: list[Hotline] = []

    def make(**settings: float) -> Hotline:
        cdr_settings = {"spool_dir": spool, "settle_seconds": 30, "import_seconds": 0.2}
        lines.append(Hotline(seeded, tmp_path, Phones(default=PhoneBehaviour()), overrides={
            "cdr": {**cdr_settings, **settings}}))
        return lines[-1]

    yield make
    for line in lines:
        line.close()


def _uuid(name: str) -> str:
    return cdr.load(name)["variables"]["uuid"]


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.cdr.json")} if folder.is_dir() else set()


def _rows(line: Hotline) -> dict[str, Call]:
    return {row.uuid: row for row in line.rows()}


def _callbacks(line: Hotline) -> list[tuple[str, str]]:
    with line.sessions() as s:
        return sorted((c.phone, c.reason) for c in s.scalars(select(Callback)))


def _legs(line: Hotline) -> dict[str, list[CallLeg]]:
    """Each call's call_leg rows, by the call's uuid, in their order."""
    with line.sessions() as s:
        rows = s.execute(select(Call.uuid, CallLeg).join(CallLeg, CallLeg.call_id == Call.id)
                         .order_by(CallLeg.seq)).all()
        legs: dict[str, list[CallLeg]] = {}
        for uuid, leg in rows:
            legs.setdefault(uuid, []).append(leg)
        return legs


def _ids(line: Hotline) -> tuple[int, int]:
    with line.sessions() as s:
        return (s.scalars(select(Topic.id).where(Topic.key == "f0_home_care")).one(),
                s.scalars(select(Agent.id).where(Agent.username == "nurse1")).one())


def _at(us: str) -> datetime:
    return datetime.fromtimestamp(int(us) / 1_000_000, UTC)


def test_calls_handled_while_the_daemon_was_down_get_their_rows(
        start: Callable[..., Hotline], spool: Path, caplog: pytest.LogCaptureFixture) -> None:
    for name in (*CALLS, "agent_leg"):
        cdr.write(spool, cdr.load(name))
    bad = spool / "0bad0bad.cdr.json"
    bad.write_text('{"variables": {"uuid": "0bad0bad"')  # cut short, long ago
    os.utime(bad, (bad.stat().st_mtime - 60,) * 2)
    young = cdr.write(spool, cdr.renamed(cdr.load("menu_hangup"), "0young0"), age=0.0)
    with caplog.at_level(logging.INFO, logger="callcenter.cdr.importer"):
        line = start()
        line.wait(lambda: len(_files(spool / "imported")) == 6)
        line.wait(lambda: _files(spool / "rejected") == {bad.name})
    assert _files(spool) == {young.name}  # maybe half written: read once it settles
    assert any(bad.name in r.getMessage() and "rejected/" in r.getMessage()
               for r in caplog.records if r.levelno == logging.ERROR)
    topic, nurse = _ids(line)
    rows = _rows(line)
    assert {u: (r.result, r.topic_id) for u, r in rows.items()} == {
        _uuid("answered"): ("answered", topic), _uuid("abandoned"): ("abandoned", topic),
        _uuid("callback_key"): ("overflow", topic), _uuid("menu_hangup"): ("ivr_hangup", None),
        _uuid("static_menu"): ("answered", topic)}
    answered, variables = rows[_uuid("answered")], cdr.load("answered")["variables"]
    assert (answered.caller_number, answered.agent_id, answered.menu_choice) == (
        "+84912345678", nurse, "1")
    assert (answered.hangup_cause, answered.recording_path) == (
        "NORMAL_CLEARING", variables["cc_record_filename"])
    assert (answered.started_at, answered.answered_at, answered.ended_at) == (
        _at(variables["start_uepoch"]), _at(variables["bridge_uepoch"]),
        _at(variables["end_uepoch"]))
    assert _callbacks(line) == [("+84912000105", "requested"), ("+84915000005", "abandoned")]


def test_nothing_is_imported_twice(start: Callable[..., Hotline], spool: Path) -> None:
    """A file read again (the daemon stopped after writing its calls, before moving it), and a
    CDR of a call whose end the daemon saw itself, change nothing."""
    for name in ("abandoned", "callback_key"):
        cdr.write(spool, cdr.load(name))
    line = start()
    line.wait(lambda: len(_files(spool / "imported")) == 2)
    before = {u: (r.id, r.result, r.ended_at) for u, r in _rows(line).items()}
    seen = cdr.load("answered")["variables"]
    with transaction(line.sessions) as s:  # ended live: its row has the hangup's cause
        s.add(Call(uuid=seen["uuid"], caller_number="+84912345678",
                   started_at=_at(seen["start_uepoch"]), ended_at=_at(seen["start_uepoch"]),
                   result="abandoned", hangup_cause="ORIGINATOR_CANCEL"))
    for name in ("abandoned", "callback_key", "answered"):  # abandoned, callback_key: again
        cdr.write(spool, cdr.load(name))
    line.wait(lambda: _files(spool) == set() and len(_files(spool / "imported")) == 3)
    assert {u: len(legs) for u, legs in _legs(line).items()} == {
        _uuid("abandoned"): 1, _uuid("callback_key"): 1}  # the answered one: seen live
    rows = _rows(line)
    assert {u: (r.id, r.result, r.ended_at) for u, r in rows.items() if u in before} == before
    assert (rows[seen["uuid"]].result, rows[seen["uuid"]].hangup_cause) == (
        "abandoned", "ORIGINATOR_CANCEL")
    assert _callbacks(line) == [("+84912000105", "requested"), ("+84915000005", "abandoned")]


def test_a_failed_write_leaves_the_files_to_be_read_again(
        start: Callable[..., Hotline], spool: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = start()
    recorder, write = line.daemon.recorder, line.daemon.recorder.write
    failures: list[int] = []

    def failing(effects: list) -> None:
        failures.append(len(effects))
        raise OSError("the database went away")

    monkeypatch.setattr(recorder, "write", failing)
    for name in ("answered", "abandoned"):
        cdr.write(spool, cdr.load(name))
    line.wait(lambda: len(failures) >= 3)  # the import and the flush loop's retries
    assert _files(spool) == {f"{_uuid('answered')}.cdr.json", f"{_uuid('abandoned')}.cdr.json"}
    monkeypatch.setattr(recorder, "write", write)  # the database is back
    line.wait(lambda: len(_files(spool / "imported")) == 2 and _files(spool) == set())
    assert sorted(r.result for r in _rows(line).values()) == ["abandoned", "answered"]
    assert _callbacks(line) == [("+84915000005", "abandoned")]


def test_a_call_whose_end_was_missed_is_completed(start: Callable[..., Hotline],
                                                  spool: Path) -> None:
    """The daemon saw the call start, then went down: its open row gets the CDR's end, and
    keeps the times it knew to the microsecond."""
    v = cdr.load("answered")["variables"]
    line = start()
    started = _at(v["start_uepoch"])
    with transaction(line.sessions) as s:
        s.add(Call(uuid=v["uuid"], caller_number="+84912345678", started_at=started,
                   queued_at=_at(v["cc_queue_joined_epoch"] + "123456"), menu_choice="1"))
    cdr.write(spool, cdr.load("answered"))
    line.wait(lambda: _files(spool) == set())
    (row,) = line.rows()
    _, nurse = _ids(line)
    assert (row.result, row.agent_id, row.hangup_cause, row.ended_at) == (
        "answered", nurse, "NORMAL_CLEARING", _at(v["end_uepoch"]))
    assert row.started_at == started
    assert row.queued_at == _at(v["cc_queue_joined_epoch"] + "123456")  # not the whole second


def test_imported_calls_get_the_leg_of_their_queue(start: Callable[..., Hotline],
                                                   spool: Path) -> None:
    """As the calls seen live: a call_leg row per queue joined (a CDR knows the last one),
    with its topic and agent; none for a call that never reached a queue."""
    for name in CALLS:
        cdr.write(spool, cdr.load(name))
    line = start()
    line.wait(lambda: len(_files(spool / "imported")) == len(CALLS))
    topic, nurse = _ids(line)
    legs = {uuid: [(leg.seq, leg.member_uuid, leg.topic_id, leg.agent_id, leg.cause)
                   for leg in rows] for uuid, rows in _legs(line).items()}
    member = {name: cdr.load(name)["variables"].get("cc_member_uuid") for name in CALLS}
    assert legs == {
        _uuid("answered"): [(1, member["answered"], topic, nurse, "Terminated")],
        _uuid("abandoned"): [(1, member["abandoned"], topic, None, "BREAK_OUT")],
        _uuid("callback_key"): [(1, member["callback_key"], topic, None, "EXIT_WITH_KEY")],
        _uuid("static_menu"): [(1, member["static_menu"], topic, nurse, "Terminated")]}
    (leg,) = _legs(line)[_uuid("answered")]
    v = cdr.load("answered")["variables"]
    assert (leg.queued_at, leg.offered_at, leg.answered_at, leg.ended_at) == (
        _at(v["cc_queue_joined_epoch"] + "000000"), None, _at(v["bridge_uepoch"]),
        _at(v["end_uepoch"]))


def test_the_leg_the_daemon_saw_is_completed_not_added_again(start: Callable[..., Hotline],
                                                             spool: Path) -> None:
    """The daemon saw the caller join the queue, then went down: the CDR's leg is that same
    member's (uq_call_leg_member), completed, with the time it knew to the microsecond."""
    v = cdr.load("answered")["variables"]
    line = start()
    topic, nurse = _ids(line)
    queued = _at(v["cc_queue_joined_epoch"] + "386880")
    with transaction(line.sessions) as s:
        call = Call(uuid=v["uuid"], caller_number="+84912345678",
                    started_at=_at(v["start_uepoch"]), queued_at=queued)
        s.add(call)
        s.flush()
        s.add(CallLeg(call_id=call.id, seq=1, member_uuid=v["cc_member_uuid"], topic_id=topic,
                      queued_at=queued))
    cdr.write(spool, cdr.load("answered"))
    line.wait(lambda: _files(spool) == set())
    (leg,) = _legs(line)[v["uuid"]]
    assert (leg.seq, leg.queued_at, leg.agent_id, leg.cause, leg.ended_at) == (
        1, queued, nurse, "Terminated", _at(v["end_uepoch"]))


def test_a_call_ended_just_before_the_start_is_imported_once_settled(
        start: Callable[..., Hotline], spool: Path) -> None:
    """Its CDR is too young to read at the start (it may be half written): it is read again
    as soon as it has settled, not a whole import_seconds later."""
    young = cdr.write(spool, cdr.load("answered"), age=0.0)
    line = start(settle_seconds=1.0, import_seconds=60)
    line.wait(lambda: _files(spool / "imported") == {young.name}, timeout=10)
    assert [r.result for r in line.rows()] == ["answered"]
