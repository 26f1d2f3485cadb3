"""Fidelity to the hotline captures (tests/fixtures/freeswitch/hotline/, README there): FreeSWITCH
master running this project's own switch_conf and daemon. Each scenario drives the simulator
loaded with the rendered switch_conf, with the real Daemon on its sockets (a scripted daemon for
the `resume` break-out), the capture's callers, keys, agents and commands, and an observer
subscribed as the capture's was; tests/support/fidelity.py compares."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import gevent
import pytest
from sqlalchemy.orm import Session, sessionmaker

from callcenter.sim.people import PhoneBehaviour, Phones
from db.engine import make_engine, make_sessionmaker, transaction
from db.topics import load_topics, read_topics_file
from db.units import load_units, read_units_csv
from tests.conftest import TOPICS_FILE, UNITS_FILE
from tests.support.fidelity import differences
from tests.support.hotline_fidelity import (
    AGENTS,
    ANSWERS,
    AgentSpec,
    Box,
    capture,
    expected,
    ivr_script,
    send,
)

# Variables of the member's channel the captures show and the simulator must set the same.
HOTLINE_VARIABLES = ("variable_cc_last_agent_tier_position", "variable_cc_last_agent_tier_level",
                     "variable_hangup_cause_q850")


@pytest.fixture
def db(sqlite_template: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """SQLite only: the daemon's database is not what these tests look at."""
    path = tmp_path / "callcenter.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as s:
        load_topics(s, read_topics_file(TOPICS_FILE))
        load_units(s, read_units_csv(UNITS_FILE))
    yield sessions
    engine.dispose()


@pytest.fixture
def make_box(db: sessionmaker[Session], tmp_path: Path):
    boxes: list[Box] = []

    def make(**kwargs) -> Box:
        box = Box(db, tmp_path, **kwargs)
        boxes.append(box)
        return box

    yield make
    for box in boxes:
        box.close()


def _check(scenario: str, got: list) -> None:
    problems = differences(expected(scenario), got, variables=HOTLINE_VARIABLES)
    assert problems == [], "\n".join(problems)


def test_ivr_menu_hangup(make_box) -> None:
    """The caller hangs up in the daemon's menu without a key, 6 s after the call came."""
    box = make_box(ivr=ivr_script("hotline_ivr_menu_hangup"))
    observer = box.observer("hotline_ivr_menu_hangup")
    box.call("0914000004", None, ivr_patience=6.0)
    box.calls_over()
    _check("hotline_ivr_menu_hangup", observer.stop())


def test_no_agent_abandoned(make_box) -> None:
    """Key 1, nurse1 Logged Out: the caller waits ~13 s in the queue and hangs up."""
    box = make_box(ivr=ivr_script("hotline_no_agent_abandoned"))
    observer = box.observer("hotline_no_agent_abandoned")
    box.call("0915000005", "1", key_delay=3.0, queue_patience=13.4)
    box.calls_over()
    _check("hotline_no_agent_abandoned", observer.stop())


def test_no_answer_next_agent(make_box) -> None:
    """Key 3 into the top-down public_services: clerk2 (position 1, leg_timeout 6,
    max-no-answer 1) rings out, goes On Break; clerk1 (position 2) answers."""
    clerk2 = AgentSpec("clerk2", "clerk", "public_services", 1004, position=1, leg_timeout=6,
                       params=(("max_no_answer", 1),))
    agents = tuple(clerk2 if a.username == "clerk2" else a for a in AGENTS)
    box = make_box(agents=agents, ivr=ivr_script("hotline_no_answer_next_agent"), phones=Phones(
        default=ANSWERS, by_user={"agent1004": PhoneBehaviour(action="no_answer")}))
    box.status("clerk1", "Available")
    box.status("clerk2", "Available")
    observer = box.observer("hotline_no_answer_next_agent")
    box.call("0916000006", "3", key_delay=3.0, talk_time=17.7)
    box.calls_over()
    _check("hotline_no_answer_next_agent", observer.stop())


def test_static_menu_fallback(make_box) -> None:
    """The daemon is down: `socket` fails, the static menu takes key 1, nurse1 answers."""
    box = make_box()
    box.status("nurse1", "Available")
    box.stop_daemon()
    observer = box.observer("hotline_static_menu_fallback")
    box.call("0917000007", "1", port=5095, key_delay=3.0, talk_time=39.8)
    box.calls_over()
    _check("hotline_static_menu_fallback", observer.stop())


def test_callback_key(make_box) -> None:
    """nurse1 set Logged Out on a control connection; key 1; after 15 s in the queue the caller
    presses 9 (the callback key); callback_confirm, then the caller hangs up in goodbye."""
    box = make_box(ivr=ivr_script("hotline_callback_key"))
    box.status("nurse1", "Available")
    observer = box.observer("hotline_callback_key")
    control = box.connection()
    replies = [send(control, c) for c in capture("hotline_callback_key", "control")
               .commands()[1:-1]]
    assert replies == ["+OK\n"]
    caller = box.call("0912000105", "1", name="Cap Two", port=5158, key_delay=3.0)
    box.wait(lambda: caller.phase == "queued")
    gevent.sleep(box.sim.real(15.0))
    caller.send_dtmf("9")
    box.wait(lambda: "goodbye" in caller.channel.variables.get("current_application_data",
                                                                ""))
    caller.hangup_from_outside("NORMAL_CLEARING")
    box.calls_over()
    box.heartbeats("hotline_callback_key")
    control.stop()
    _check("hotline_callback_key", observer.stop())
