"""A call transferred from one topic's agent to another topic's queue, end to end (simulator →
daemon → hub over TLS → two desktops), as capture hotline_transfer_to_queue shows it on the real
switch: the receiving agent gets the screen-pop, both agents get after-call work and are
released, and the call row ends with the second queue's topic and agent, both legs kept."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from db.models import Agent, Call, Callback, CallLeg, Topic
from tests.support.hotline import Hotline, with_hub

PASSWORD = "mat-khau-dai-1"


@pytest.fixture
def line(seeded: sessionmaker[Session], tmp_path: Path):
    with transaction(seeded) as s:
        for username, role, ext, queue in (("lan", "nurse", "1001", "f0_home_care"),
                                           ("hoa", "health", "1002", "epidemic_report")):
            add_agent(s, NewAgent(username, username.title(), role, PASSWORD,
                                  sip_extension=ext))
            set_queues(s, username, [parse_membership(queue)])
        s.execute(update(Topic).values(acw_seconds=2))
    hotline = with_hub(seeded, tmp_path, agents_on_switch=2)
    yield hotline
    hotline.close()


def test_transfer_to_another_topics_queue(line: Hotline) -> None:
    lan, hoa = line.logged_in("lan", PASSWORD), line.logged_in("hoa", PASSWORD)
    for desk in (lan, hoa):
        assert desk.request("set_status", status="Available")["ok"]
    session = line.call("0912345678", "1", talk_time=600)
    uuid = session.channel.uuid
    first = lan.push("screen_pop", timeout=15)["call"]
    assert first["topic"] == "f0_home_care"

    assert lan.request("call_transfer", call_uuid=uuid, to="queue",
                       target="epidemic_report")["ok"]
    pop = hoa.push("screen_pop", timeout=15)
    assert (pop["call"]["uuid"], pop["call"]["topic"]) == (uuid, "epidemic_report")
    # Hoa's pop shows her own leg: queued after Lan answered, and her own wait.
    second = pop["call"]
    assert _at(second["queued_at"]) > _at(first["answered_at"])
    assert second["waited_seconds"] == round(
        (_at(second["answered_at"]) - _at(second["queued_at"])).total_seconds(), 1)
    assert lan.push("call_ended", timeout=15)["call_uuid"] == uuid  # her part is over
    line.wait(lambda: line.daemon.state.agents["hoa@hotline1022"].call == uuid)

    # One recording per queue leg: the template names the member, not only the channel
    # (switch_ivr_record_session refuses a file the channel already records).
    assert len(session.recording_paths) == 2
    line.sim.api("uuid_kill", f"{uuid} NORMAL_CLEARING")
    assert hoa.push("call_ended", timeout=15)["call_uuid"] == uuid
    for username, desk in (("lan", lan), ("hoa", hoa)):  # after-call work, then ready again
        assert desk.request("wrap_up_done", call_uuid=uuid)["data"] == {"ended": True}
        line.wait(lambda u=username: line.daemon.state.agents[f"{u}@hotline1022"].state
                  == "Waiting")
    line.wait(lambda: any(r.ended_at for r in line.rows()))
    with line.sessions() as s:
        row = s.scalars(select(Call)).one()
        assert s.get_one(Topic, row.topic_id).key == "epidemic_report"
        assert s.get_one(Agent, row.agent_id).username == "hoa"
        assert row.result == "answered"
        legs = s.scalars(select(CallLeg).where(CallLeg.call_id == row.id)
                         .order_by(CallLeg.seq)).all()
        assert [(s.get_one(Topic, leg.topic_id).key, s.get_one(Agent, leg.agent_id).username,
                 leg.cause) for leg in legs] == [("f0_home_care", "lan", "Terminated"),
                                                  ("epidemic_report", "hoa", "Terminated")]
        assert all(leg.answered_at and leg.ended_at for leg in legs)


def test_the_first_agents_follow_up_belongs_to_her_own_topic(line: Hotline) -> None:
    """Lan's after-call work runs out with nothing saved while Hoa still talks to the caller:
    the follow-up callback is owed in Lan's topic (her queue leg), not the call's last one."""
    lan, hoa = line.logged_in("lan", PASSWORD), line.logged_in("hoa", PASSWORD)
    for desk in (lan, hoa):
        assert desk.request("set_status", status="Available")["ok"]
    session = line.call("0912345678", "1", talk_time=600)
    uuid = session.channel.uuid
    lan.push("screen_pop", timeout=15)
    assert lan.request("call_transfer", call_uuid=uuid, to="queue",
                       target="epidemic_report")["ok"]
    hoa.push("screen_pop", timeout=15)
    assert lan.push("call_ended", timeout=15)["call_uuid"] == uuid

    def follow_ups() -> list[str]:
        with line.sessions() as s:
            return [s.get_one(Topic, c.topic_id).key for c in s.scalars(
                select(Callback).where(Callback.reason == "follow_up"))]
    line.wait(lambda: follow_ups() != [])
    assert follow_ups() == ["f0_home_care"]
    line.sim.api("uuid_kill", f"{uuid} NORMAL_CLEARING")


def _at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)
