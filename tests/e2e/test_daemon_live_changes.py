"""The daemon while it runs, against the simulator over real sockets: what callers hear about
their place in the queue, and agent changes in the database reaching mod_callcenter."""

from __future__ import annotations

from pathlib import Path

import gevent.socket
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.sim.core import Listener, SimEvent
from callcenter.sim.people import PhoneBehaviour, Phones
from db.agents import (
    NewAgent,
    add_agent,
    parse_membership,
    set_active,
    set_queues,
    set_switch_settings,
)
from db.engine import transaction
from db.models import Agent, AgentStatusLog
from tests.support.hotline import Hotline


class Playbacks(Listener):
    """Every file the simulated switch starts playing, by channel."""

    def __init__(self) -> None:
        self.played: list[tuple[str, str]] = []

    def offer(self, event: SimEvent) -> None:
        if event.name == "PLAYBACK_START":
            self.played.append((event.get("Unique-ID") or "",
                                event.get("Playback-File-Path") or ""))


@pytest.fixture
def line(seeded: sessionmaker[Session], tmp_path: Path):
    with transaction(seeded) as s:
        add_agent(s, NewAgent("lan", "Lan", "nurse", "mat-khau-dai-1", sip_extension="1001"))
        set_queues(s, "lan", [parse_membership("f0_home_care")])
    hotline = Hotline(seeded, tmp_path, Phones(default=PhoneBehaviour(answer_after=0.3)),
                      overrides={"switch": {"agent_sync_seconds": 0.2}})
    hotline.wait(lambda: len(hotline.sim.callcenter.model.agents) == 1)
    yield hotline
    hotline.close()


def test_callers_hear_their_place_in_the_queue(line: Hotline) -> None:
    heard = Playbacks()
    line.sim.listeners.add(heard)
    first = line.call("0912345678", "1", queue_patience=60)  # nobody Available: it waits
    line.wait(lambda: len(line.daemon.state.queue("f0_home_care@hotline1022").waiting()) == 1)
    second = line.call("0912345679", "1", queue_patience=60)
    line.wait(lambda: len(line.daemon.state.queue("f0_home_care@hotline1022").waiting()) == 2)
    said = {uuid: path for uuid, path in heard.played if path.startswith("file_string://")}
    assert first.channel.uuid not in said  # the first in line, with no estimate yet
    assert said[second.channel.uuid] == \
        "file_string://hotline/queue_position.wav!hotline/number_2.wav"
    third = line.call("0912345670", "3", queue_patience=60)  # topic 3 does not announce
    line.wait(lambda: line.daemon.state.queue("public_services@hotline1022").waiting())
    assert not [p for u, p in heard.played if u == third.channel.uuid and "queue_position" in p]


def test_agent_changes_in_the_database_reach_the_switch(line: Hotline) -> None:
    model = line.sim.callcenter.model
    with transaction(line.sessions) as s:
        add_agent(s, NewAgent("mai", "Mai", "nurse", "mat-khau-dai-1", sip_extension="1002"))
        set_queues(s, "mai", [parse_membership("f0_home_care:2")])
    line.wait(lambda: model.agent("mai@hotline1022") is not None and
              model.tier("f0_home_care@hotline1022", "mai@hotline1022") is not None, 10)
    assert model.tier("f0_home_care@hotline1022", "mai@hotline1022").level == 2
    with transaction(line.sessions) as s:
        s.execute(update(Agent).where(Agent.username == "mai").values(max_no_answer=7))
    line.wait(lambda: model.agent("mai@hotline1022").max_no_answer == 7, 10)
    with transaction(line.sessions) as s:
        set_active(s, "mai", False)
    line.wait(lambda: model.agent("mai@hotline1022") is None, 10)
    assert model.agent("lan@hotline1022") is not None  # the others are left as they were


def _metrics(line: Hotline) -> str:
    """GET /metrics, HTTP/1.0 over a gevent socket (urllib would block the whole process)."""
    sock = gevent.socket.create_connection(
        (line.daemon.http.address[0], line.daemon.http.server_port), timeout=5)
    sock.sendall(b"GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n")
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    sock.close()
    return data.decode().partition("\r\n\r\n")[2]


def test_a_removed_agent_is_no_longer_counted(line: Hotline) -> None:
    """`agent del` fires no event (mod_callcenter.c, cc_agent_del): the daemon forgets the
    agent itself once the switch took the command."""
    line.sim.api("callcenter_config", "agent set status lan@hotline1022 Available")
    line.wait(lambda: 'callcenter_agents{status="Available"} 1.0' in _metrics(line))
    with transaction(line.sessions) as s:
        set_active(s, "lan", False)
    line.wait(lambda: line.sim.callcenter.model.agent("lan@hotline1022") is None, 10)
    line.wait(lambda: 'status="Available"' not in _metrics(line), 10)
    assert "lan@hotline1022" not in line.daemon.state.agents


def _status_log(line: Hotline) -> list[tuple[str, str | None, str]]:
    line.daemon.flush()
    with line.sessions() as s:
        return [(r.status, r.reason, r.source) for r in s.scalars(
            select(AgentStatusLog).order_by(AgentStatusLog.id))]


def test_a_phone_only_agent_is_put_in_their_status_by_the_daemon(line: Hotline) -> None:
    """The status reaches the switch without a desktop, and the status log says the daemon
    set it (a switch's On Break would count as a break for missed calls in the reports)."""
    model = line.sim.callcenter.model
    with transaction(line.sessions) as s:
        set_switch_settings(s, "lan", {"phone_status": "On Break", "wrap_up_time": 20})
    line.wait(lambda: model.agent("lan@hotline1022").status == "On Break", 10)
    assert model.agent("lan@hotline1022").wrap_up_time == 20
    line.wait(lambda: _status_log(line) == [("On Break", "phone-only", "daemon")], 10)
    line.sim.api("callcenter_config", "agent set status lan@hotline1022 Available")
    line.wait(lambda: _status_log(line)[-1:] == [("Available", None, "switch")], 10)
    with transaction(line.sessions) as s:  # given again: put back
        set_switch_settings(s, "lan", {"phone_status": "On Break"})
    line.wait(lambda: _status_log(line)[-1:] == [("On Break", "phone-only", "daemon")], 10)
    assert model.agent("lan@hotline1022").status == "On Break"
