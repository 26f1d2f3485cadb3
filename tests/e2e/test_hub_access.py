"""The hub's access rules and its defences, end to end over TLS (simulator → daemon → hub):
what a clerk's screen-pop leaves out, leads and their agency, drafts belong to their agent,
values that reach FreeSWITCH commands, parallel password guessing, sessions that end."""

from __future__ import annotations

from pathlib import Path

import gevent
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from db.models import AuditLog, Case, Declaration
from tests.support.hotline import Hotline, with_hub
from tests.support.hub_client import HubClient

PASSWORD = "mat-khau-dai-1"
F0_FORM = {"full_name": "Nguyễn Thị Lan", "outcome": "advised_home"}


@pytest.fixture
def line(seeded: sessionmaker[Session], tmp_path: Path):
    with transaction(seeded) as s:
        for username, role, agency, ext, queue in (
                ("lan", "nurse", "CDC", "1001", "f0_home_care"),
                ("binh", "clerk", "TTPVHCC", "1003", "public_services"),
                ("truong", "lead", "CDC", None, None), ("lac", "lead", None, None, None)):
            add_agent(s, NewAgent(username, username.title(), role, PASSWORD, agency=agency,
                                  sip_extension=ext))
            if queue:
                set_queues(s, username, [parse_membership(queue)])
        s.add(Declaration(full_name="Trần Thị Hoa", phone="+84912000111", symptoms="sốt, ho"))
    hotline = with_hub(seeded, tmp_path, agents_on_switch=2)
    yield hotline
    hotline.close()


def test_a_clerks_pop_leaves_out_health_cases_and_declarations(line: Hotline) -> None:
    nurse = line.logged_in("lan", PASSWORD)
    assert nurse.request("case_save", topic="f0_home_care", caller_phone="0912000111",
                         form=F0_FORM)["ok"]
    clerk = line.logged_in("binh", PASSWORD)
    clerk.request("set_status", status="Available")
    line.call("0912000111", "3", talk_time=1)
    pop = clerk.push("screen_pop", timeout=15)
    assert pop["declaration"] is None
    assert not [h for h in pop["history"] if h["kind"] == "case"]
    nurse.request("set_status", status="Available")
    line.call("0912000111", "1", talk_time=1)
    pop = nurse.push("screen_pop", timeout=15)
    assert pop["declaration"]["full_name"] == "Trần Thị Hoa"
    assert [h["person_name"] for h in pop["history"] if h["kind"] == "case"] == \
        ["Nguyễn Thị Lan"]


def test_leads_see_their_agency_only(line: Hotline) -> None:
    lead = line.logged_in("truong", PASSWORD)
    agents = lead.request("agents_overview")["data"]["agents"]
    assert {a["username"] for a in agents} == {"lan", "truong"}  # CDC, not the clerk
    assert line.logged_in("lac", PASSWORD).request("agents_overview")["code"] == "forbidden"


def test_a_draft_belongs_to_its_agent(line: Hotline) -> None:
    nurse, other = line.logged_in("lan", PASSWORD), line.logged_in("truong", PASSWORD)
    first = nurse.request("case_save", topic="f0_home_care", form=F0_FORM, draft_id="call-1")
    second = other.request("case_save", topic="f0_home_care", form=F0_FORM,
                           draft_id="call-1")
    assert first["ok"] and second["ok"]
    assert first["data"]["case"]["id"] != second["data"]["case"]["id"]
    again = nurse.request("case_save", topic="f0_home_care", form=F0_FORM, draft_id="call-1")
    assert again["data"]["case"]["id"] == first["data"]["case"]["id"]  # a resend
    with line.sessions() as s:
        assert len(s.scalars(select(Case)).all()) == 2


def test_values_bound_for_the_switch_are_checked(line: Hotline) -> None:
    nurse = line.logged_in("lan", PASSWORD)
    nurse.request("set_status", status="Available")
    session = line.call("0912345678", "1", talk_time=30)
    nurse.push("screen_pop", timeout=15)
    for target in ("0912345678\n", "0912 345678", "'0912'", "09123456789012345"):
        refused = nurse.request("call_transfer", call_uuid=session.channel.uuid,
                                to="number", target=target)
        assert refused["code"] == "invalid", target
    assert session.channel.alive


def test_parallel_guessing_is_throttled_like_serial(line: Hotline) -> None:
    port = line.daemon.hub.server.address[1]
    guessers = [HubClient(port, line.ca) for _ in range(8)]
    jobs = [gevent.spawn(g.login, "lan", f"guess-{n}-{k}")
            for n, g in enumerate(guessers) for k in range(5)]
    codes = [job.get(timeout=60)["code"] for job in jobs]
    assert codes.count("unauthenticated") <= 5 and codes.count("rate_limited") >= 35
    with line.sessions() as s:
        targets = s.scalars(select(AuditLog.target).where(AuditLog.action == "hub.denied"))
        assert set(targets) == {"lan"}  # the account under attack is named


def test_an_expired_session_ends_and_the_agent_is_logged_out(line: Hotline) -> None:
    nurse = line.logged_in("lan", PASSWORD)
    nurse.request("set_status", status="Available")
    line.wait(lambda: line.daemon.state.agents["lan@hotline1022"].status ==
              "Available (On Demand)")
    token = nurse.token
    nurse.close()  # the desktop crashed: no logout
    service = line.daemon.hub.service
    # A desktop still connected keeps its session alive: first the hub sees it gone...
    line.wait(lambda: not [c for c in service.clients
                           if c.session is not None and c.session.username == "lan"])
    # ...then the session's idle time passes on the sessions' clock (injected, not slept).
    sessions, real_clock = service.sessions, service.sessions.clock
    sessions.clock = lambda: real_clock() + sessions.idle_seconds + 1
    service.sweep()
    line.wait(lambda: line.daemon.state.agents["lan@hotline1022"].status == "Logged Out")
    again = HubClient(line.daemon.hub.server.address[1], line.ca)
    assert again.request("resume", token=token, last_seq=0)["code"] == "expired"
    with line.sessions() as s:
        assert s.scalars(select(AuditLog.target).where(
            AuditLog.action == "hub.expired")).all() == ["lan"]
