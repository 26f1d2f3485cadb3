"""After-call work end to end (simulator → daemon → hub over TLS, SQLite and PostgreSQL): only
agents at a desktop wrap up; the deadline survives a daemon restart; call_ended says how the
call ended."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.daemon import Daemon
from callcenter.sim.people import PhoneBehaviour, Phones
from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from db.models import AcwDeadline, Callback, Topic
from tests.support.hotline import Hotline, with_hub

PASSWORD = "mat-khau-dai-1"
LAN, AN = "lan@hotline1022", "an@hotline1022"


@pytest.fixture
def make_line(seeded: sessionmaker[Session], tmp_path: Path) -> Iterator[Callable[..., Hotline]]:
    """A hotline with two nurses on f0_home_care: lan (1001, who uses the desktop) and an
    (1002, phone only); the topic's after-call work lasts `acw_seconds`."""
    made: list[Hotline] = []

    def make(acw_seconds: int, phones: Phones | None = None) -> Hotline:
        with transaction(seeded) as s:
            for username, ext in (("lan", "1001"), ("an", "1002")):
                add_agent(s, NewAgent(username, username.title(), "nurse", PASSWORD,
                                      sip_extension=ext))
                set_queues(s, username, [parse_membership("f0_home_care")])
            s.execute(update(Topic).where(Topic.key == "f0_home_care")
                      .values(acw_seconds=acw_seconds))
        made.append(with_hub(seeded, tmp_path, agents_on_switch=2, phones=phones))
        return made[0]

    yield make
    for hotline in made:
        hotline.close()


def _status(line: Hotline, agent: str, status: str) -> None:
    assert line.sim.api("callcenter_config", f"agent set status {agent} '{status}'") \
        .startswith("+OK")
    line.wait(lambda: line.agent_status(agent) == status)


def _kept(line: Hotline) -> list[AcwDeadline]:
    with line.sessions() as s:
        return list(s.scalars(select(AcwDeadline)))


def _restart(line: Hotline) -> None:
    line.daemon.stop()
    line.daemon = Daemon(line.settings, line.sessions)
    line.daemon.start()
    line.daemon.synced.wait(20)


@pytest.mark.parametrize("status", ["Available", "Available (On Demand)"])
def test_an_agent_without_a_desktop_wraps_up_nothing(make_line: Callable[..., Hotline],
                                                     status: str) -> None:
    """A phone-only agent: no after-call work, no follow-up callback, and if mod_callcenter
    holds them Idle (On Demand), they take calls again at once, not after acw_seconds."""
    line = make_line(acw_seconds=600)
    _status(line, AN, status)
    line.call("0912345678", "1", talk_time=1)
    line.wait(lambda: line.daemon.state.agents[AN].calls_answered == 1)
    line.wait(lambda: line.daemon.state.agents[AN].call is None and
              any(r.ended_at for r in line.rows()))
    line.wait(lambda: line.daemon.state.agents[AN].state == "Waiting")
    assert "an" not in line.daemon.hub.desk.acw.active
    line.daemon.flush()
    with line.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AcwDeadline)) == 0
        assert s.scalar(select(func.count()).select_from(Callback)) == 0


def test_call_ended_carries_the_hangup_cause_when_the_agent_hangs_up_first(
        make_line: Callable[..., Hotline]) -> None:
    line = make_line(acw_seconds=600, phones=Phones(default=PhoneBehaviour(
        answer_after=0.3, talk_time=1.0)))
    nurse = line.logged_in("lan", PASSWORD)
    assert nurse.request("set_status", status="Available")["ok"]
    line.call("0912345678", "1", talk_time=600)
    ended = nurse.push("call_ended", timeout=20)
    (row,) = line.rows()
    assert ended["hangup_cause"] == row.hangup_cause and row.hangup_cause
    nurse.close()


def test_after_call_work_is_resumed_after_a_daemon_restart(
        make_line: Callable[..., Hotline]) -> None:
    line = make_line(acw_seconds=600)
    nurse = line.logged_in("lan", PASSWORD)
    assert nurse.request("set_status", status="Available")["ok"]
    session = line.call("0912345678", "1", talk_time=1)
    ended = nurse.push("call_ended", timeout=20)
    line.wait(lambda: line.daemon.state.agents[LAN].state == "Idle")
    line.wait(lambda: [k.call_uuid for k in _kept(line)] == [session.channel.uuid])
    nurse.close()
    _restart(line)
    wrap = line.daemon.hub.desk.acw.active["lan"]
    until = datetime.fromisoformat(ended["acw_until"]).timestamp()
    assert wrap.call_uuid == session.channel.uuid and abs(wrap.until - until) < 0.01
    assert line.daemon.state.agents[LAN].state == "Idle"  # not released by the repair
    nurse = line.hub_client()  # a restart ended the sessions: the desktop logs in again
    assert nurse.login("lan", PASSWORD)["ok"]
    snapshot = nurse.push("snapshot")
    assert datetime.fromisoformat(snapshot["acw_until"]).timestamp() == pytest.approx(until)
    assert nurse.request("wrap_up_done", call_uuid=session.channel.uuid)["data"] == \
        {"ended": True}
    line.wait(lambda: line.daemon.state.agents[LAN].state == "Waiting")
    line.wait(lambda: _kept(line) == [])
    nurse.close()


def test_after_call_work_that_ran_out_while_the_daemon_was_down(
        make_line: Callable[..., Hotline]) -> None:
    """What the end would have done, done at start: a follow-up callback (no draft reached
    the new daemon), and the nurse back to Waiting."""
    line = make_line(acw_seconds=2)
    nurse = line.logged_in("lan", PASSWORD)
    assert nurse.request("set_status", status="Available")["ok"]
    session = line.call("0912345678", "1", talk_time=1)
    ended = nurse.push("call_ended", timeout=20)
    line.wait(lambda: len(_kept(line)) == 1)
    nurse.close()
    line.daemon.stop()
    until = datetime.fromisoformat(ended["acw_until"]).timestamp()
    line.wait(lambda: time.time() > until)  # the deadline passes while nobody runs
    assert line.sim.api("callcenter_config", f"agent get state {LAN}") == "Idle"
    line.daemon = Daemon(line.settings, line.sessions)
    line.daemon.start()
    line.wait(lambda: line.daemon.state.agents.get(LAN) is not None and
              line.daemon.state.agents[LAN].state == "Waiting")
    line.wait(lambda: _kept(line) == [])
    with line.sessions() as s:
        (callback,) = s.scalars(select(Callback))
        assert (callback.reason, callback.phone) == ("follow_up", "+84912345678")
    assert session.channel.uuid not in line.daemon.state.calls


def test_a_case_saved_during_the_call_needs_no_after_call_work(
        make_line: Callable[..., Hotline]) -> None:
    """Saved before the caller hung up: no countdown, no follow-up owed when it would have
    run out, and the nurse takes calls again as soon as mod_callcenter lets her go."""
    line = make_line(acw_seconds=2)
    nurse = line.logged_in("lan", PASSWORD)
    assert nurse.request("set_status", status="Available")["ok"]
    session = line.call("0912345678", "1", talk_time=3)
    pop = nurse.push("screen_pop", timeout=20)
    saved = nurse.request("case_save", topic="f0_home_care", call_uuid=pop["call"]["uuid"],
                          caller_phone="0912345678", draft_id="d-1",
                          form={"full_name": "Lê Thị Hoa", "outcome": "info_only"})
    assert saved["ok"], saved
    assert line.daemon.state.agents[LAN].call == session.channel.uuid  # still talking
    ended = nurse.push("call_ended", timeout=20)
    assert ended["acw_until"] is None
    line.wait(lambda: line.agent_status(LAN) is not None and
              line.daemon.state.agents[LAN].state == "Waiting" and
              line.daemon.state.agents[LAN].call is None)
    assert "lan" not in line.daemon.hub.desk.acw.active
    line.wait(lambda: time.time() > datetime.fromisoformat(
        saved["data"]["case"]["created_at"]).timestamp() + 3)  # past when it would run out
    line.daemon.flush()
    with line.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Callback)) == 0
        assert s.scalar(select(func.count()).select_from(AcwDeadline)) == 0
    nurse.close()
