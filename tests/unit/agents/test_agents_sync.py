"""mod_callcenter's agents and tiers made equal to the database, against the simulator over
its Event Socket, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from callcenter.agents.sync import plan, read_switch, synchronise
from callcenter.sim.esl_server import EslServer
from callcenter.sim.runner import Simulation, build_switch
from callcenter.switch.api import SwitchApi, quoted
from callcenter.switch.inbound import InboundConnection
from db.agents import (
    NewAgent,
    add_agent,
    get_agent,
    parse_membership,
    set_active,
    set_queues,
    set_switch_settings,
)
from db.engine import transaction

DOMAIN = "hotline1022"


@pytest.fixture
def switch_api():
    sim = build_switch(Simulation())
    server = EslServer(sim, port=0)
    server.start()
    host, port = server.address
    conn = InboundConnection(host, port, "ClueCon")
    conn.connect()
    yield SwitchApi(conn.api)
    conn.stop()
    server.stop()
    sim.callcenter.stop()


def _agents(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        add_agent(s, NewAgent("lan", "Nguyễn Thị Lan", "nurse", "mat-khau-dai-1",
                              sip_extension="1001"))
        add_agent(s, NewAgent("hoa", "Trần Hoa", "clerk", "mat-khau-dai-2",
                              contact="{leg_timeout=15}sofia/gateway/telecom/0912000111"))
        add_agent(s, NewAgent("binh", "Lê Bình", "lead", "mat-khau-dai-3"))  # no phone
        set_queues(s, "lan", [parse_membership("f0_home_care"),
                              parse_membership("epidemic_report:2:1")])
        set_queues(s, "hoa", [parse_membership("public_services")])


def test_first_sync_then_nothing_to_do(seeded: sessionmaker[Session], switch_api) -> None:
    _agents(seeded)
    with seeded() as session:
        lines = synchronise(session, switch_api, DOMAIN)
    assert "agent lan@hotline1022: added" in lines
    assert "agent lan@hotline1022: contact = user/1001@hotline1022" in lines
    assert "tier epidemic_report@hotline1022 lan@hotline1022: added (2/1)" in lines
    agents, tiers = read_switch(switch_api)
    assert set(agents) == {"lan@hotline1022", "hoa@hotline1022"}
    assert agents["hoa@hotline1022"].param("contact") == (
        "{leg_timeout=15}sofia/gateway/telecom/0912000111")
    assert agents["lan@hotline1022"].param("wrap_up_time") == "10"
    assert tiers == {("f0_home_care@hotline1022", "lan@hotline1022"): (1, 1),
                     ("epidemic_report@hotline1022", "lan@hotline1022"): (2, 1),
                     ("public_services@hotline1022", "hoa@hotline1022"): (1, 1)}
    assert switch_api.raw("callcenter_config agent get status lan@hotline1022") == "Logged Out"
    with seeded() as session:
        assert synchronise(session, switch_api, DOMAIN) == []


def test_changes_follow_the_database(seeded: sessionmaker[Session], switch_api) -> None:
    _agents(seeded)
    with seeded() as session:
        synchronise(session, switch_api, DOMAIN)
    switch_api.raw("callcenter_config agent add other@cdc.example callback")  # not ours
    with transaction(seeded) as s:
        set_active(s, "hoa", False)
        get_agent(s, "lan").wrap_up_time = 30
        set_queues(s, "lan", [parse_membership("f0_home_care:1:2")])
    with seeded() as session:
        lines = synchronise(session, switch_api, DOMAIN)
    assert lines == [
        "agent lan@hotline1022: wrap_up_time = 30",
        "tier f0_home_care@hotline1022 lan@hotline1022: position 1 → 2",
        "tier epidemic_report@hotline1022 lan@hotline1022: removed",
        "agent hoa@hotline1022: removed",
    ]
    agents, tiers = read_switch(switch_api)
    assert set(agents) == {"lan@hotline1022", "other@cdc.example"}
    assert tiers == {("f0_home_care@hotline1022", "lan@hotline1022"): (1, 2)}


def test_multi_word_values_are_single_quoted() -> None:
    assert quoted("user/1001@hotline1022") == "user/1001@hotline1022"
    assert quoted("Available (On Demand)") == "'Available (On Demand)'"
    with pytest.raises(ValueError):
        quoted("it's")


def test_plan_is_pure_and_leaves_other_domains_alone() -> None:
    from callcenter.agents.sync import SwitchAgent

    foreign = SwitchAgent("x@other", (("contact", "a"),))
    commands = plan({}, {}, {"x@other": foreign}, {("q", "x@other"): (1, 1)}, DOMAIN)
    assert commands == []


def test_the_agents_switch_settings_reach_the_switch(seeded: sessionmaker[Session],
                                                     switch_api) -> None:
    _agents(seeded)
    with seeded() as session:
        synchronise(session, switch_api, DOMAIN)
    with transaction(seeded) as s:
        set_switch_settings(s, "lan", {"max_no_answer": 0, "wrap_up_time": 45,
                                       "reject_delay_time": 7, "busy_delay_time": 25,
                                       "no_answer_delay_time": 12})
    with seeded() as session:
        lines = synchronise(session, switch_api, DOMAIN)
    assert lines == ["agent lan@hotline1022: max_no_answer = 0",
                     "agent lan@hotline1022: wrap_up_time = 45",
                     "agent lan@hotline1022: reject_delay_time = 7",
                     "agent lan@hotline1022: busy_delay_time = 25",
                     "agent lan@hotline1022: no_answer_delay_time = 12"]
    [row] = [r for r in switch_api.agent_list() if r["name"] == "lan@hotline1022"]
    assert {key: row[key] for key in ("max_no_answer", "wrap_up_time", "reject_delay_time",
                                      "busy_delay_time", "no_answer_delay_time")} == {
        "max_no_answer": "0", "wrap_up_time": "45", "reject_delay_time": "7",
        "busy_delay_time": "25", "no_answer_delay_time": "12"}
    with seeded() as session:
        assert synchronise(session, switch_api, DOMAIN) == []


def _status(switch_api: SwitchApi, name: str) -> str:
    return switch_api.raw(f"callcenter_config agent get status {name}")


def test_a_phone_only_agent_is_held_in_their_status(seeded: sessionmaker[Session],
                                                    switch_api) -> None:
    _agents(seeded)
    with transaction(seeded) as s:
        set_switch_settings(s, "hoa", {"phone_status": "Available"})
    with seeded() as session:
        lines = synchronise(session, switch_api, DOMAIN)
    # set once the agent can be rung: after its contact and times, before its tiers
    mine = [line for line in lines if "hoa@" in line]
    assert mine[0] == "agent hoa@hotline1022: added"
    assert mine[-2:] == ["agent hoa@hotline1022: status = Available",
                         "tier public_services@hotline1022 hoa@hotline1022: added (1/1)"]
    assert _status(switch_api, "hoa@hotline1022") == "Available"
    assert _status(switch_api, "lan@hotline1022") == "Logged Out"  # the desktop's to set
    with seeded() as session:
        assert synchronise(session, switch_api, DOMAIN) == []
    # mod_callcenter's own On Break (missed calls) lasts until the next sync puts it back
    switch_api.raw("callcenter_config agent set status hoa@hotline1022 'On Break'")
    switch_api.raw("callcenter_config agent set status lan@hotline1022 'On Break'")
    with seeded() as session:
        assert synchronise(session, switch_api, DOMAIN) == [
            "agent hoa@hotline1022: status = Available"]
    assert _status(switch_api, "lan@hotline1022") == "On Break"  # never touched
    with transaction(seeded) as s:
        set_switch_settings(s, "hoa", {"phone_status": "Logged Out"})  # quoted when sent
    with seeded() as session:
        assert synchronise(session, switch_api, DOMAIN) == [
            "agent hoa@hotline1022: status = Logged Out"]
    assert _status(switch_api, "hoa@hotline1022") == "Logged Out"
    with transaction(seeded) as s:
        set_switch_settings(s, "hoa", {"phone_status": None})  # the desktop's again
    switch_api.raw("callcenter_config agent set status hoa@hotline1022 Available")
    with seeded() as session:
        assert synchronise(session, switch_api, DOMAIN) == []
    assert _status(switch_api, "hoa@hotline1022") == "Available"


def test_plan_wants_a_status_of_phone_only_agents_only() -> None:
    from callcenter.agents.sync import SwitchAgent

    have = {name: SwitchAgent(name, (("contact", "c"), ("status", "On Break")))
            for name in ("a@hotline1022", "b@hotline1022")}
    want = {"a@hotline1022": SwitchAgent("a@hotline1022", (("contact", "c"),)),
            "b@hotline1022": SwitchAgent("b@hotline1022", (("contact", "c"),
                                                           ("status", "Available")))}
    assert [c.arguments for c in plan(want, {}, have, {}, DOMAIN)] == [
        "agent set status b@hotline1022 Available"]
