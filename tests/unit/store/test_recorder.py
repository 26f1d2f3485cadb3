"""The live state's effects written to the database (SQLite and PostgreSQL): one row per call,
right after duplicates, one callback per abandoned caller, agent status log with its source."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.state import LiveState, apply
from callcenter.state.effects import AgentStatusChanged
from callcenter.store.recorder import Recorder
from db.agents import NewAgent, add_agent
from db.engine import transaction
from db.models import AgentStatusLog, Call, Callback, CallLeg, Topic
from tests.support.fidelity import captured_events


def _feed(recorder: Recorder, scenario: str, twice: bool = False) -> None:
    state = LiveState()
    effects = []
    for event in captured_events(scenario):
        effects += apply(state, event)
        if twice:
            effects += apply(state, event)
    recorder.write(effects)


def test_answered_call_row(seeded: sessionmaker[Session]) -> None:
    _feed(Recorder(seeded), "call_answered")
    with seeded() as s:
        call = s.scalars(select(Call)).one()
        topic = s.get_one(Topic, call.topic_id)
    assert (call.caller_number, call.menu_choice, topic.key, call.result, call.hangup_cause) == (
        "+84912345678", "1", "f0_home_care", "answered", "NORMAL_CLEARING")
    assert call.started_at < call.queued_at <= call.answered_at < call.ended_at


def test_abandoned_call_and_its_callback_once(seeded: sessionmaker[Session]) -> None:
    recorder = Recorder(seeded)
    _feed(recorder, "call_abandoned", twice=True)
    _feed(recorder, "call_abandoned")  # the whole stream again, as after a restart
    with seeded() as s:
        call = s.scalars(select(Call)).one()
        callback = s.scalars(select(Callback)).one()
    assert call.result == "abandoned"
    assert (callback.phone, callback.reason, callback.state, callback.call_id) == (
        "+84987654321", "abandoned", "open", call.id)


def test_ivr_hangup_row(seeded: sessionmaker[Session]) -> None:
    _feed(Recorder(seeded), "ivr_hangup")
    with seeded() as s:
        assert s.scalars(select(Call.result)).one() == "ivr_hangup"
        assert s.scalar(select(func.count()).select_from(Callback)) == 0


def test_agent_status_log_with_its_source(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, NewAgent("agent1001", "Agent 1001", "nurse", "mat-khau-dai-1"))
    recorder = Recorder(seeded)
    recorder.requested("agent1001@hotline1022", "On Break", "desktop")
    _feed(recorder, "api_replies")
    with seeded() as s:
        rows = s.execute(select(AgentStatusLog.status, AgentStatusLog.source)
                         .order_by(AgentStatusLog.id)).all()
    assert [tuple(r) for r in rows] == [("Available", "switch"), ("On Break", "desktop"),
                                        ("Available (On Demand)", "switch")]


def test_an_agent_added_while_running_is_known(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, NewAgent("agent1002", "Agent 1002", "clerk", "mat-khau-dai-2"))
    recorder = Recorder(seeded)
    _feed(recorder, "ivr_hangup")  # names loaded before agent1001 exists
    with transaction(seeded) as s:
        add_agent(s, NewAgent("agent1001", "Agent 1001", "nurse", "mat-khau-dai-1"))
    _feed(recorder, "api_replies")
    with seeded() as s:
        assert s.scalar(select(func.count()).select_from(AgentStatusLog)) == 3


def test_a_failed_batch_keeps_who_asked(seeded: sessionmaker[Session]) -> None:
    """The daemon writes a failed batch again; the request a status change answered must
    still be there for the second try, or the log would say the switch did it."""
    with transaction(seeded) as s:
        add_agent(s, NewAgent("agent1001", "Agent 1001", "nurse", "mat-khau-dai-1"))
    recorder = Recorder(seeded)
    recorder.requested("agent1001@hotline1022", "On Break", "lead")
    change = AgentStatusChanged("agent1001@hotline1022", "On Break", 1_700_000_000_000_000)
    with transaction(seeded) as s:  # the table is away: the batch fails
        s.execute(text("ALTER TABLE agent_status_log RENAME TO agent_status_log_away"))
    with pytest.raises(DBAPIError):
        recorder.write([change])
    with transaction(seeded) as s:
        s.execute(text("ALTER TABLE agent_status_log_away RENAME TO agent_status_log"))
    recorder.write([change])
    with seeded() as s:
        rows = s.execute(select(AgentStatusLog.status, AgentStatusLog.source)).all()
    assert [tuple(r) for r in rows] == [("On Break", "lead")]


def test_a_withdrawn_request_is_not_credited_and_the_reason_is_kept(
        seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, NewAgent("agent1001", "Agent 1001", "nurse", "mat-khau-dai-1"))
    recorder = Recorder(seeded)
    name, at = "agent1001@hotline1022", 1_700_000_000_000_000
    recorder.requested(name, "On Break", "desktop", "lunch")
    recorder.withdraw(name, "On Break", "desktop", "lunch")  # the switch never got it
    recorder.write([AgentStatusChanged(name, "On Break", at)])  # max-no-answer, later
    recorder.requested(name, "Available", "lead", None)
    recorder.requested(name, "On Break", "desktop", "meeting")
    recorder.write([AgentStatusChanged(name, "Available", at + 1),
                    AgentStatusChanged(name, "On Break", at + 2)])
    with seeded() as s:
        rows = s.execute(select(AgentStatusLog.status, AgentStatusLog.source,
                                AgentStatusLog.reason).order_by(AgentStatusLog.id)).all()
    assert [tuple(r) for r in rows] == [("On Break", "switch", None),
                                        ("Available", "lead", None),
                                        ("On Break", "desktop", "meeting")]


def test_rows_of_calls_gone_while_the_daemon_was_down_are_closed(
        seeded: sessionmaker[Session]) -> None:
    from datetime import UTC, datetime

    with transaction(seeded) as s:
        s.add_all([Call(uuid="queued", caller_number="+84912000001", queued_at=datetime.now(UTC)),
                   Call(uuid="dialled", caller_number="+84912000002", direction="outbound"),
                   Call(uuid="still-up", caller_number="+84912000003")])
    closed = Recorder(seeded).close_missing({"still-up"}, datetime.now(UTC))
    with seeded() as s:
        rows = {c.uuid: c for c in s.scalars(select(Call))}
    assert sorted(closed) == ["dialled", "queued"] and rows["still-up"].ended_at is None
    assert rows["queued"].result == "abandoned"
    assert rows["dialled"].result is None and rows["dialled"].ended_at is not None  # a callback's


def test_the_end_of_after_call_work_goes_on_the_agents_leg(
        seeded: sessionmaker[Session]) -> None:
    """Captured: the agent is released, then Waiting again (this queue's agent has no wrap-up
    time): the leg's after-call work ends there, so its handle time is its talk and that."""
    with transaction(seeded) as s:
        add_agent(s, NewAgent("agent1001", "Nguyễn Thị Lan", "nurse", "mat-khau-dai-1"))
    state, effects = LiveState(), []
    for event in captured_events("call_answered"):
        effects += apply(state, event)
    names = [type(e).__name__ for e in effects]
    assert "AgentReleased" in names
    recorder = Recorder(seeded)
    recorder.write(effects)
    with seeded() as s:
        leg = s.scalars(select(CallLeg)).one()
    assert leg.agent_id is not None and leg.ended_at is not None
    assert leg.wrap_ended_at is not None and leg.wrap_ended_at >= leg.ended_at
