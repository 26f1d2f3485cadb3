"""A daemon restarted mid-call (simulator over real sockets, SQLite and PostgreSQL): the resync
reads whole seconds from the switch (`show channels`, `member list`, `agent list`), and the call
row keeps the times it knew to the microsecond."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from callcenter.daemon import Daemon
from callcenter.sim.people import PhoneBehaviour, Phones
from callcenter.store.recorder import finer
from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from tests.support.hotline import Hotline

TIMES = ("started_at", "queued_at", "answered_at")


@pytest.fixture
def hotline(seeded: sessionmaker[Session], tmp_path: Path):
    with transaction(seeded) as s:
        add_agent(s, NewAgent("lan", "Lan", "nurse", "mat-khau-dai-1", sip_extension="1001"))
        set_queues(s, "lan", [parse_membership("f0_home_care")])
    line = Hotline(seeded, tmp_path, Phones(default=PhoneBehaviour(answer_after=0.5)))
    line.wait(lambda: len(line.sim.callcenter.model.agents) == 1)
    yield line
    line.close()


def test_a_restart_keeps_the_times_known_to_the_microsecond(hotline: Hotline) -> None:
    assert hotline.daemon.set_agent_status("lan", "Available") == "+OK\n"
    session = hotline.call("0912345678", "1", talk_time=600)
    hotline.wait(lambda: (row := hotline.rows()) and row[0].answered_at is not None)
    (before,) = hotline.rows()
    assert all(getattr(before, name).microsecond for name in TIMES)  # from the events
    hotline.daemon.stop()
    hotline.daemon = Daemon(hotline.settings, hotline.sessions)
    hotline.daemon.start()
    hotline.wait(lambda: hotline.daemon.synced.is_set())
    rebuilt = hotline.daemon.state.calls[session.channel.uuid]
    assert rebuilt.started_us % 1_000_000 == 0  # what the switch says: whole seconds
    (after,) = hotline.rows()
    assert [getattr(after, name) for name in TIMES] == [getattr(before, name) for name in TIMES]


def test_only_a_whole_second_of_the_same_moment_gives_way() -> None:
    known = datetime(2026, 12, 2, 9, 30, 15, 726860, tzinfo=UTC)
    assert finer(known, known.replace(microsecond=0)) == known
    assert finer(known, known.replace(second=16, microsecond=0)) == known  # floored later
    later = known.replace(minute=31, microsecond=0)  # another moment: taken
    assert finer(known, later) == later
    precise = known.replace(microsecond=5)
    assert finer(known, precise) == precise
    assert finer(None, later) == later and finer("x", "y") == "y"
