"""The daemon end to end, against the simulator over real sockets: the rendered switch_conf
tree in the simulated FreeSWITCH, the daemon's IVR on the outbound socket, its link on the
event socket, the database on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import gevent
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.daemon import Daemon
from callcenter.ivr.flow import NO_INVALID_PROMPT
from callcenter.sim.esl_server import EslServer
from callcenter.sim.people import PhoneBehaviour, Phones
from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from db.models import AgentStatusLog, Callback, Topic
from tests.support.hotline import PASSWORD, Hotline


@pytest.fixture
def hotline(seeded: sessionmaker[Session], tmp_path: Path):
    with transaction(seeded) as s:
        for username, ext, queue in (("lan", "1001", "f0_home_care"),
                                     ("hoa", "1002", "epidemic_report"),
                                     ("binh", "1003", "public_services")):
            add_agent(s, NewAgent(username, username.title(), "nurse", "mat-khau-dai-1",
                                  sip_extension=ext))
            set_queues(s, username, [parse_membership(queue)])
    line = Hotline(seeded, tmp_path, Phones(default=PhoneBehaviour(answer_after=0.5)))
    line.wait(lambda: len(line.daemon.state.agents) >= 0 and _agents_on_switch(line) == 3)
    yield line
    line.close()


def _agents_on_switch(line: Hotline) -> int:
    return len(line.sim.callcenter.model.agents)


def _available(line: Hotline, *usernames: str) -> None:
    for username in usernames:
        assert line.daemon.set_agent_status(username, "Available") == "+OK\n"


@pytest.mark.parametrize("key, topic, agent", [("1", "f0_home_care", "lan"),
                                              ("2", "epidemic_report", "hoa"),
                                              ("3", "public_services", "binh"),
                                              (None, "f0_home_care", "lan")])
def test_key_reaches_the_topics_agent(hotline: Hotline, key, topic, agent) -> None:
    _available(hotline, "lan", "hoa", "binh")
    hotline.call("0912345678", key, talk_time=2)
    hotline.wait(lambda: any(r.result == "answered" for r in hotline.rows()))
    (row,) = hotline.rows()
    with hotline.sessions() as s:
        assert s.get_one(Topic, row.topic_id).key == topic
        from db.models import Agent

        assert s.get_one(Agent, row.agent_id).username == agent
    assert row.menu_choice == key and row.caller_number == "+84912345678"
    assert row.queued_at and row.answered_at and row.ended_at
    assert row.recording_path and row.recording_path.endswith(".wav")


def test_hangup_in_the_ivr(hotline: Hotline) -> None:
    hotline.call("0912345679", None, ivr_patience=1.0)
    hotline.wait(lambda: any(r.result for r in hotline.rows()))
    assert [r.result for r in hotline.rows()] == ["ivr_hangup"]


@pytest.mark.parametrize("hangup_event_delay", [None, 1.0])
@pytest.mark.parametrize("patience", [1.0, 6.0])  # in the long greeting; in the short one
def test_hangup_in_the_menu_has_no_topic(hotline: Hotline, hangup_event_delay: float | None,
                                         patience: float) -> None:
    """Either order of CHANNEL_HANGUP and play_and_get_digits' EXECUTE_COMPLETE (both seen on
    the real switch: ivr_hangup, hotline_ivr_menu_hangup) is a hang-up, not "no key"."""
    hotline.sim.hangup_event_delay = hangup_event_delay
    hotline.call("0912345679", None, ivr_patience=patience)
    hotline.wait(lambda: any(r.result for r in hotline.rows()))
    (row,) = hotline.rows()
    assert (row.result, row.topic_id, row.menu_choice) == ("ivr_hangup", None, None)


def test_daemon_gone_mid_menu_leaves_the_caller_the_static_menu(hotline: Hotline) -> None:
    """The IVR's socket closes mid-menu (the daemon stopped): the `socket … async` park ends
    and the dialplan's static menu takes the call to the queue (no key: the default)."""
    _available(hotline, "lan")
    hotline.call("0912345678", None, talk_time=1)
    hotline.wait(lambda: hotline.daemon.ivr.connection_count == 1)
    hotline.daemon.ivr.stop()
    hotline.wait(lambda: any(r.result == "answered" for r in hotline.rows()))
    (row,) = hotline.rows()
    with hotline.sessions() as s:
        assert s.get_one(Topic, row.topic_id).key == "f0_home_care"


class _Prompts:
    """The prompts play_and_get_digits played, as the switch fired them."""

    def __init__(self) -> None:
        self.played: list[str] = []

    def offer(self, event) -> None:
        if event.name == "CHANNEL_EXECUTE" and event.get("Application") == "play_and_get_digits":
            self.played.append((event.get("Application-Data") or "").split()[5])


def test_no_key_hears_the_long_greeting_once_then_the_short_one(hotline: Hotline) -> None:
    _available(hotline, "lan")
    prompts = _Prompts()
    hotline.sim.listeners.add(prompts)
    hotline.call("0912345678", None, talk_time=1)
    hotline.wait(lambda: any(r.result == "answered" for r in hotline.rows()))
    assert prompts.played == ["hotline/greeting_long.wav", "hotline/greeting_short.wav"]


class _Heard:
    """Every file the caller's leg started playing until it joined a queue."""

    def __init__(self) -> None:
        self.played: list[str] = []
        self.queued = False

    def offer(self, event) -> None:
        if event.get("CC-Action") == "member-queue-start":
            self.queued = True
        elif event.name == "PLAYBACK_START" and not self.queued:
            self.played.append(event.get("Playback-File-Path") or "")


def test_a_wrong_key_hears_invalid_and_no_key_does_not(hotline: Hotline) -> None:
    _available(hotline, "lan")
    heard = _Heard()
    hotline.sim.listeners.add(heard)
    hotline.call("0912345678", "9", talk_time=1)  # not a menu key, then nothing
    hotline.wait(lambda: any(r.result == "answered" for r in hotline.rows()))
    assert heard.played == ["hotline/greeting_long.wav", NO_INVALID_PROMPT,
                            "hotline/invalid.wav",
                            "hotline/greeting_short.wav", NO_INVALID_PROMPT]
    (row,) = hotline.rows()
    assert row.menu_choice is None
    with hotline.sessions() as s:
        assert s.get_one(Topic, row.topic_id).key == "f0_home_care"


def test_abandoned_caller_gets_one_callback(hotline: Hotline) -> None:
    hotline.call("0987654321", "2", queue_patience=2)  # nobody Available on topic 2
    hotline.wait(lambda: any(r.result for r in hotline.rows()))
    assert [r.result for r in hotline.rows()] == ["abandoned"]
    with hotline.sessions() as s:
        callback = s.scalars(select(Callback)).one()
    assert (callback.phone, callback.reason) == ("+84987654321", "abandoned")


def test_agent_status_changes_are_logged(hotline: Hotline) -> None:
    _available(hotline, "lan")
    hotline.daemon.set_agent_status("lan", "On Break", "lead")
    hotline.wait(lambda: hotline.agent_status("lan@hotline1022") == "On Break")
    hotline.daemon.flush()
    with hotline.sessions() as s:
        rows = s.execute(select(AgentStatusLog.status, AgentStatusLog.source)
                         .order_by(AgentStatusLog.id)).all()
    assert [tuple(r) for r in rows] == [("Available", "desktop"), ("On Break", "lead")]


def _talking(line: Hotline, session) -> None:
    """Until the daemon itself has seen the agent answer."""
    line.wait(lambda: (call := line.daemon.state.calls.get(session.channel.uuid)) is not None
              and call.answered_us is not None)


def _cut_and_restore(line: Hotline, while_down) -> None:
    """The event socket goes away (every connection drops), something happens, it comes back."""
    line.server.stop()
    line.wait(lambda: not line.daemon.link.connected)
    while_down()
    line.server = EslServer(line.sim, "127.0.0.1", line.settings.switch.port, PASSWORD)
    line.server.start()
    line.wait(lambda: line.daemon.link.connected)


def test_link_cut_mid_call_then_the_call_goes_on(hotline: Hotline) -> None:
    _available(hotline, "lan")
    session = hotline.call("0912345678", "1", talk_time=600)
    _talking(hotline, session)
    _cut_and_restore(hotline, lambda: gevent.sleep(0.1))
    hotline.wait(lambda: session.channel.uuid in hotline.daemon.state.calls)
    hotline.sim.api("hupall", "NORMAL_CLEARING")  # the call ends after the link is back
    hotline.wait(lambda: any(r.result == "answered" for r in hotline.rows()))
    (row,) = hotline.rows()  # one row, not two
    assert row.uuid == session.channel.uuid and row.ended_at is not None
    assert not hotline.daemon.state.calls


def test_call_ending_while_the_link_is_down_is_closed(hotline: Hotline) -> None:
    _available(hotline, "lan")
    session = hotline.call("0912345678", "1", talk_time=600)
    _talking(hotline, session)

    def hang_up() -> None:
        hotline.sim.api("hupall", "NORMAL_CLEARING")
        hotline.wait(lambda: not hotline.sim.sessions)

    _cut_and_restore(hotline, hang_up)
    hotline.wait(lambda: all(r.ended_at for r in hotline.rows()))
    (row,) = hotline.rows()
    assert (row.result, row.agent_id is not None) == ("answered", True)
    assert not hotline.daemon.state.calls
    agent = hotline.daemon.state.agents["lan@hotline1022"]
    assert (agent.status, agent.call) == ("Available", None)


def test_daemon_restarted_mid_call(hotline: Hotline) -> None:
    _available(hotline, "lan")
    session = hotline.call("0912345678", "1", talk_time=600)
    _talking(hotline, session)
    hotline.daemon.stop()
    hotline.daemon = Daemon(hotline.settings, hotline.sessions)
    hotline.daemon.start()
    hotline.wait(lambda: session.channel.uuid in hotline.daemon.state.calls)
    hotline.sim.api("hupall", "NORMAL_CLEARING")
    hotline.wait(lambda: any(r.ended_at for r in hotline.rows()))
    (row,) = hotline.rows()
    assert row.result == "answered" and row.uuid == session.channel.uuid


def test_health_and_metrics(hotline: Hotline) -> None:
    import json

    import gevent.socket

    host, port = hotline.daemon.http.address[0], hotline.daemon.http.server_port
    _available(hotline, "lan")
    hotline.call("0912345678", "1", talk_time=1)
    hotline.wait(lambda: any(r.result == "answered" for r in hotline.rows()))

    def get(path: str) -> tuple[int, str]:
        """HTTP/1.0 over a gevent socket (urllib would block the whole process)."""
        sock = gevent.socket.create_connection((host, port), timeout=5)
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        sock.close()
        head, _, body = data.decode().partition("\r\n\r\n")
        return int(head.split()[1]), body

    status, body = gevent.spawn(get, "/healthz").get(timeout=10)
    assert status == 200 and json.loads(body) == {"switch_link": True, "database": True}
    status, body = gevent.spawn(get, "/metrics").get(timeout=10)
    assert status == 200
    assert 'callcenter_calls_total{result="answered"} 1.0' in body
    assert 'callcenter_agents{status="Available"} 1.0' in body
    assert "callcenter_event_to_state_seconds_bucket" in body
    assert "callcenter_switch_link_up 1.0" in body
    hotline.server.stop()
    hotline.wait(lambda: not hotline.daemon.link.connected)
    status, body = gevent.spawn(get, "/healthz").get(timeout=10)
    assert status == 503 and json.loads(body)["switch_link"] is False
