"""Callbacks end to end (simulator → daemon → hub over TLS, SQLite and PostgreSQL): one agent
dials a callback at a time, the switch's word on the agent's leg finishes it or puts it back
for later, and every desktop's list follows live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.sim.people import PhoneBehaviour
from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from db.models import Call, Callback, Declaration, Topic
from tests.support.hotline import Hotline, with_hub

PASSWORD = "mat-khau-dai-1"
CALLER = "0987654321"


@pytest.fixture
def line(seeded: sessionmaker[Session], tmp_path: Path):
    with transaction(seeded) as s:
        for username, name, ext in (("lan", "Nguyễn Thị Lan", "1001"),
                                    ("hoa", "Trần Thị Hoa", "1002")):
            add_agent(s, NewAgent(username, name, "nurse", PASSWORD, sip_extension=ext))
            set_queues(s, username, [parse_membership("f0_home_care")])
    hotline = with_hub(seeded, tmp_path, agents_on_switch=2)
    yield hotline
    hotline.close()


def _owed(line: Hotline, attempts: int = 0) -> int:
    with transaction(line.sessions) as s:
        callback = Callback(phone="+84987654321", reason="abandoned", attempts=attempts,
                            topic_id=s.scalars(select(Topic.id).where(
                                Topic.key == "f0_home_care")).one())
        s.add(callback)
        s.flush()
        return callback.id


def _row(line: Hotline, callback_id: int) -> Callback:
    with line.sessions() as s:
        return s.get_one(Callback, callback_id)


def _phone(line: Hotline, user: str, **behaviour: object) -> None:
    line.sim.phones.by_user[user] = PhoneBehaviour(**behaviour)  # type: ignore[arg-type]


def test_a_reached_caller_finishes_the_callback_and_one_agent_dials_at_a_time(
        line: Hotline) -> None:
    callback_id = _owed(line)
    lan, hoa = line.logged_in("lan", PASSWORD), line.logged_in("hoa", PASSWORD)
    assert [c["id"] for c in hoa.request("callback_list")["data"]["callbacks"]] == [callback_id]
    _phone(line, CALLER, answer_after=0.3, talk_time=0.5)

    assert lan.request("callback_dial", callback_id=callback_id)["ok"]
    refused = hoa.request("callback_dial", callback_id=callback_id)
    assert refused["code"] == "conflict" and "Nguyễn Thị Lan" in refused["message"]
    changed = hoa.push("callbacks")  # it leaves the colleague's list (dialling, or done)
    assert changed["changed_only"] and [
        c["id"] for c in changed["callbacks"] if c["state"] != "open"] == [callback_id]
    line.wait(lambda: _row(line, callback_id).state == "done")
    row = _row(line, callback_id)
    assert (row.attempts, row.last_result, row.dial_token) == (1, "SUCCESS", None)
    assert [a.target for a in line.audit("callback.dial")] == [str(callback_id)]
    assert lan.request("callback_dial", callback_id=callback_id)["code"] == "conflict"


def test_the_callback_call_pops_and_its_case_is_the_callbacks(line: Hotline) -> None:
    """Dialling holds the nurse out of the queues; when she answers her phone the call pops
    with the caller's declaration and the form; she hangs up from the desktop, saves, and the
    case is the call's and the callback's; then she is back in the queues."""
    callback_id = _owed(line)
    with transaction(line.sessions) as s:
        s.add(Declaration(full_name="Phạm Văn Khải", phone="+84987654321", birth_year=1950))
    lan = line.logged_in("lan", PASSWORD)
    assert lan.request("set_status", status="Available")["ok"]
    line.wait(lambda: line.daemon.state.agents["lan@hotline1022"].state == "Waiting")
    _phone(line, CALLER, answer_after=0.3)
    assert lan.request("callback_dial", callback_id=callback_id)["ok"]
    line.wait(lambda: line.daemon.state.agents["lan@hotline1022"].state == "Idle")
    pop = lan.push("screen_pop", timeout=15)
    leg = pop["call"]["uuid"]
    assert (pop["call"]["caller_number"], pop["call"]["topic"]) == ("+84987654321",
                                                                     "f0_home_care")
    assert pop["declaration"]["full_name"] == "Phạm Văn Khải"
    assert pop["draft"]["full_name"] == "Phạm Văn Khải" and pop["call"]["call_id"]
    line.wait(lambda: any(s.channel.profile.destination_number == CALLER and
                          s.channel.answer_state == "answered"
                          for s in line.sim.sessions.values()))  # the caller picked up
    assert lan.request("call_hold", call_uuid=leg)["code"] == "unsupported"
    assert lan.request("call_hangup", call_uuid=leg)["ok"]
    assert lan.push("call_ended", timeout=15)["acw_until"]
    saved = lan.request("case_save", topic="f0_home_care", call_uuid=leg,
                        caller_phone="+84987654321", draft_id="cb-1",
                        form={"full_name": "Phạm Văn Khải", "outcome": "advised_home"})
    assert saved["ok"]
    line.wait(lambda: line.daemon.state.agents["lan@hotline1022"].state == "Waiting")
    line.daemon.flush()
    with line.sessions() as s:
        callback = s.get_one(Callback, callback_id)
        call = s.scalars(select(Call).where(Call.uuid == leg)).one()
        assert (callback.state, callback.case_id) == ("done", saved["data"]["case"]["id"])
        assert (call.direction, call.callback_id, call.case_id, call.result) == (
            "outbound", callback_id, callback.case_id, "answered")
        assert call.ended_at is not None


def test_a_caller_not_reached_is_due_again_later_then_given_up(line: Hotline) -> None:
    callback_id = _owed(line)
    lan = line.logged_in("lan", PASSWORD)
    _phone(line, CALLER, action="busy")
    before = datetime.now(UTC)
    assert lan.request("callback_dial", callback_id=callback_id)["ok"]
    line.wait(lambda: _row(line, callback_id).state == "open" and
              _row(line, callback_id).attempts == 1)
    row = _row(line, callback_id)
    assert row.last_result == "USER_BUSY" and row.due_at >= before + timedelta(minutes=15)
    line.wait(lambda: any(c["state"] == "open" for c in lan.push("callbacks", 10)["callbacks"]))
    (pushed,) = lan.request("callback_list")["data"]["callbacks"]
    assert (pushed["id"], pushed["attempts"], pushed["last_result"]) == (
        callback_id, 1, "USER_BUSY")

    with transaction(line.sessions) as s:  # two tries so far: the third is the last
        s.execute(update(Callback).where(Callback.id == callback_id).values(attempts=2))
    assert lan.request("callback_dial", callback_id=callback_id)["ok"]
    line.wait(lambda: _row(line, callback_id).state == "failed")
    assert _row(line, callback_id).attempts == 3


def test_the_agents_phone_not_answering_leaves_the_callback_open(line: Hotline) -> None:
    callback_id = _owed(line)
    lan = line.logged_in("lan", PASSWORD)
    _phone(line, "1001", action="reject")
    assert lan.request("callback_dial", callback_id=callback_id)["ok"]
    line.wait(lambda: _row(line, callback_id).last_result == "not_dialled")
    row = _row(line, callback_id)
    assert (row.state, row.attempts, row.dial_token) == ("open", 0, None)
    assert not any(s.channel.profile.destination_number == CALLER
                   for s in line.sim.sessions.values())


def test_a_caller_who_gives_up_waiting_appears_on_every_desktop(line: Hotline) -> None:
    lan = line.logged_in("lan", PASSWORD)  # logged in, not Available: nobody answers the queue
    line.call("0912000222", "1", queue_patience=1.0)
    pushed = lan.push("callbacks", timeout=20)
    assert pushed["changed_only"] and [(c["phone"], c["reason"], c["state"]) for c in
                                       pushed["callbacks"]] == [
        ("+84912000222", "abandoned", "open")]


def test_a_dial_whose_end_was_never_heard_is_open_again(line: Hotline) -> None:
    from db.callbacks import LOST, reopen_stale

    callback_id = _owed(line)
    with transaction(line.sessions) as s:
        s.execute(update(Callback).where(Callback.id == callback_id).values(
            state="dialing", dial_token="gone", last_attempt_at=datetime.now(UTC) -
            timedelta(hours=5)))
    with transaction(line.sessions) as s:
        assert reopen_stale(s, datetime.now(UTC), timedelta(hours=4)) == [callback_id]
    row = _row(line, callback_id)
    assert (row.state, row.dial_token, row.last_result) == ("open", None, LOST)


def test_a_late_or_repeated_end_does_not_end_a_newer_dial(
        seeded: sessionmaker[Session]) -> None:
    from db.callbacks import RetryPolicy, claim, dial_ended

    with transaction(seeded) as s:
        topic_id = s.scalars(select(Topic.id).where(Topic.key == "f0_home_care")).one()
        agent_id = add_agent(s, NewAgent("lan", "Lan", "nurse", PASSWORD)).id
        callback = Callback(phone="+84987654321", reason="abandoned", topic_id=topic_id)
        s.add(callback)
        s.flush()
        now, policy = datetime.now(UTC), RetryPolicy()
        first = claim(s, callback.id, agent_id, now)
        assert dial_ended(s, callback.id, first, "NO_ANSWER", now, policy) == "open"
        second = claim(s, callback.id, agent_id, now)
        assert dial_ended(s, callback.id, first, "SUCCESS", now, policy) is None  # late
        assert dial_ended(s, callback.id, "", "SUCCESS", now, policy) is None  # no token
        assert callback.state == "dialing"
        assert dial_ended(s, callback.id, second, "SUCCESS", now, policy) == "done"
        assert dial_ended(s, callback.id, second, "SUCCESS", now, policy) is None  # again
        assert (callback.attempts, callback.last_result) == (2, "SUCCESS")
