"""Agents who do not answer, end to end over real sockets (simulated FreeSWITCH with the rendered
switch_conf, the daemon, SQLite and PostgreSQL): the call goes on to the next agent, and after
max-no-answer consecutive no-answers mod_callcenter itself puts the agent On Break, which the
daemon follows and logs as the switch's doing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.sim.people import PhoneBehaviour, Phones
from callcenter.state.model import AgentState
from db.agents import NewAgent, add_agent, get_agent, parse_membership, set_queues
from db.engine import transaction
from db.models import Agent, AgentStatusLog
from tests.support.hotline import Hotline

DOMAIN = "hotline1022"
QUEUE = "f0_home_care"  # key 1, longest-idle-agent
RING_FOR = 10  # simulated seconds an agent's phone rings before mod_callcenter gives up
RINGS_OUT = PhoneBehaviour(action="no_answer")
ANSWERS = PhoneBehaviour(answer_after=0.5)


def _name(username: str) -> str:
    return f"{username}@{DOMAIN}"


Spec = tuple[str, str, int, dict[str, int]]  # username, extension, tier position, parameters


def _line(sessions: sessionmaker[Session], tmp_path: Path, phones: Phones, agents: list[Spec],
          opened: list[Hotline]) -> Hotline:
    """Agents on QUEUE with their mod_callcenter parameters, each rung for RING_FOR seconds
    (leg_timeout in the contact, as a site would configure it); then the switch and the
    daemon, which loads them into mod_callcenter on connect; then each agent Available."""
    with transaction(sessions) as s:
        for username, extension, position, params in agents:
            add_agent(s, NewAgent(username, username.title(), "nurse", "mat-khau-dai-1",
                                  sip_extension=extension,
                                  contact=f"{{leg_timeout={RING_FOR}}}user/{extension}@{DOMAIN}"))
            set_queues(s, username, [parse_membership(f"{QUEUE}:1:{position}")])
            row = get_agent(s, username)
            for key, value in params.items():
                setattr(row, key, value)
    line = Hotline(sessions, tmp_path, phones)
    opened.append(line)
    model = line.sim.callcenter.model
    line.wait(lambda: all(  # the agent sync's last commands are the tiers
        (a := model.agent(_name(username))) is not None
        and a.max_no_answer == params.get("max_no_answer", 3)
        and sum(t.agent == a.name for t in model.tiers) == 1
        for username, _e, _p, params in agents))
    for username, *_ in agents:
        assert line.daemon.set_agent_status(username, "Available") == "+OK\n"
    line.wait(lambda: all(_live(line, username).status == "Available"
                          for username, *_ in agents))
    return line


@pytest.fixture
def make_line(seeded: sessionmaker[Session], tmp_path: Path):
    opened: list[Hotline] = []
    yield lambda phones, *agents: _line(seeded, tmp_path, phones, list(agents), opened)
    for line in opened:
        line.close()


def _live(line: Hotline, username: str) -> AgentState:
    """The daemon's live state of the agent (looked up each time: a resync replaces it)."""
    return line.daemon.state.agents[_name(username)]


def _switch_status(line: Hotline, username: str) -> str:
    """mod_callcenter's own answer, over the daemon's event socket."""
    return line.daemon.link.api(f"callcenter_config agent get status {_name(username)}")


def _agent_id(line: Hotline, username: str) -> int:
    with line.sessions() as s:
        return s.scalars(select(Agent.id).where(Agent.username == username)).one()


def _status_log(line: Hotline, username: str) -> list[tuple[str, str]]:
    line.daemon.flush()
    with line.sessions() as s:
        return [tuple(r) for r in s.execute(
            select(AgentStatusLog.status, AgentStatusLog.source)
            .where(AgentStatusLog.agent_id == _agent_id(line, username))
            .order_by(AgentStatusLog.id))]


def test_unanswered_call_goes_to_the_next_agent(make_line) -> None:
    phones = Phones(default=ANSWERS, by_user={"1001": RINGS_OUT})
    line = make_line(phones, ("lan", "1001", 1, {}), ("tam", "1004", 2, {}))
    session = line.call("0912345678", "1", talk_time=2, queue_patience=600)
    line.wait(lambda: any(r.ended_at for r in line.rows()))

    (row,) = line.rows()
    assert row.uuid == session.channel.uuid
    assert (row.result, row.agent_id) == ("answered", _agent_id(line, "tam"))
    assert row.offered_at <= row.answered_at <= row.ended_at
    lan, tam = _live(line, "lan"), _live(line, "tam")
    assert (lan.no_answers, lan.calls_answered) == (1, 0)  # lan rang first and rang out
    assert (tam.no_answers, tam.calls_answered) == (0, 1)
    # One no-answer is below max-no-answer (3 by default): lan stays Available everywhere.
    assert lan.status == "Available" and _switch_status(line, "lan") == "Available"
    assert line.sim.callcenter.model.agent(_name("lan")).no_answer_count == 1
    assert _status_log(line, "lan") == [("Available", "desktop")]


def test_max_no_answer_puts_the_agent_on_break(make_line) -> None:
    line = make_line(Phones(default=RINGS_OUT),
                     ("lan", "1001", 1, {"max_no_answer": 2, "no_answer_delay_time": 1}))
    session = line.call("0912345678", "1", queue_patience=600)
    line.wait(lambda: _live(line, "lan").status == "On Break")

    assert _live(line, "lan").no_answers == 2  # two offers, both rang out
    assert _switch_status(line, "lan") == "On Break"
    switch_agent = line.sim.callcenter.model.agent(_name("lan"))
    assert (switch_agent.status, switch_agent.no_answer_count) == ("On Break", 2)
    # Nobody asked for this break: mod_callcenter took it, and the log says so.
    assert _status_log(line, "lan") == [("Available", "desktop"), ("On Break", "switch")]
    # The caller is still waiting, for an agent who will not be offered the call again.
    call = line.daemon.state.calls[session.channel.uuid]
    assert call.phase == "queued" and call.agent is None


def test_an_answered_call_starts_the_no_answer_count_again(make_line) -> None:
    """max-no-answer counts consecutive no-answers: mod_callcenter zeroes no_answer_count
    when the agent answers (outbound_agent_thread_run, after the bridge)."""
    phones = Phones(default=RINGS_OUT)
    line = make_line(phones, ("lan", "1001", 1, {"max_no_answer": 2, "no_answer_delay_time": 8,
                                                 "wrap_up_time": 1}))
    switch_agent = line.sim.callcenter.model.agent(_name("lan"))
    for number, no_answers in (("0912345678", 1), ("0912345679", 2)):
        phones.default = RINGS_OUT
        line.call(number, "1", talk_time=1, queue_patience=600)
        line.wait(lambda n=no_answers: _live(line, "lan").no_answers == n)
        assert switch_agent.no_answer_count == 1  # one in a row, whatever came before
        phones.default = ANSWERS  # the retry, no_answer_delay_time later, is answered
        line.wait(lambda n=number: any(r.caller_number == "+84" + n[1:] and r.ended_at
                                       for r in line.rows())
                  or _live(line, "lan").status != "Available")
        assert _live(line, "lan").status == "Available"
        assert switch_agent.no_answer_count == 0
    lan_id = _agent_id(line, "lan")
    assert [(r.result, r.agent_id) for r in line.rows()] == [("answered", lan_id)] * 2
    assert _switch_status(line, "lan") == "Available"
    assert _status_log(line, "lan") == [("Available", "desktop")]
