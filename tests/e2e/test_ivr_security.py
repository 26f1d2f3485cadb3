"""The IVR's outbound socket against a process that pretends to be FreeSWITCH (the probe's
attacker: tests/support/fake_switch.py, a real TCP client on the loopback), beside the
simulator and the real daemon: a session is served only from the switch's address, for a
live hotline call the event socket has shown and that is still in its menu; every wait is
bounded; sessions are bounded per address; the real caller keeps the menu."""

from __future__ import annotations

import socket
import uuid as uuidlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from callcenter.ivr.store import IvrStore
from callcenter.sim.people import PhoneBehaviour, Phones
from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from tests.support.fake_switch import FakeSwitch, channel_data
from tests.support.hotline import Hotline

STRANGER = "127.0.0.2"  # another loopback address: a process that is not the switch


def _can_bind(address: str) -> bool:
    with socket.socket() as s:
        try:
            s.bind((address, 0))
        except OSError:
            return False
    return True


class Spy:
    """What the IVR read and wrote in the database (its store's own calls)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads: list[str] = []
        self.writes: list[tuple[str, str | None]] = []
        read, write = IvrStore._read_history, IvrStore._write_choice

        def reading(store: IvrStore, phone: str) -> Any:
            self.reads.append(phone)
            return read(store, phone)

        def writing(store: IvrStore, uuid: str, key: str | None, topic: Any) -> Any:
            self.writes.append((uuid, key))
            return write(store, uuid, key, topic)

        monkeypatch.setattr(IvrStore, "_read_history", reading)
        monkeypatch.setattr(IvrStore, "_write_choice", writing)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    return Spy(monkeypatch)


@pytest.fixture
def make_line(seeded: sessionmaker[Session], tmp_path: Path):
    with transaction(seeded) as s:
        for username, ext, queue in (("lan", "1001", "f0_home_care"),
                                     ("binh", "1003", "public_services")):
            add_agent(s, NewAgent(username, username.title(), "nurse", "mat-khau-dai-1",
                                  sip_extension=ext))
            set_queues(s, username, [parse_membership(queue)])
    lines: list[Hotline] = []

    def make(**ivr: Any) -> Hotline:
        line = Hotline(seeded, tmp_path, Phones(default=PhoneBehaviour(answer_after=0.3)),
                       overrides={"ivr": ivr})
        lines.append(line)
        line.wait(lambda: len(line.sim.callcenter.model.agents) == 2)
        return line

    yield make
    for line in lines:
        line.close()


def _port(line: Hotline) -> int:
    return line.settings.ivr.listen_port


def _rows(line: Hotline) -> list[tuple[object, ...]]:
    return [(r.uuid, r.menu_choice, r.topic_id, r.result, r.queued_at, r.ended_at)
            for r in line.rows()]


def _key(digit: str):
    """A fake switch whose caller presses `digit` at every menu, and completes the rest."""
    def complete(app: str, _arg: str) -> dict[str, str] | None:
        return {"hotline_key": digit} if app == "play_and_get_digits" else {}
    return complete


def _live_call(line: Hotline, number: str) -> str:
    """A caller's channel that the switch announces on the event socket (its CHANNEL_CREATE,
    as mod_sofia fires it) whose `socket` session is the fake's to open."""
    uuid = str(uuidlib.uuid4())
    line.sim.fire(line.sim.new_event("CHANNEL_CREATE", [
        ("Unique-ID", uuid), ("Call-Direction", "inbound"), ("Answer-State", "ringing"),
        ("Channel-Name", f"sofia/external/{number}@127.0.0.1:5090"),
        ("Caller-Caller-ID-Number", number), ("Caller-Caller-ID-Name", "Khách"),
        ("Caller-Destination-Number", "1022"), ("Caller-Context", "public"),
        ("Caller-Unique-ID", uuid)]))
    line.wait(lambda: uuid in line.daemon.state.calls)
    return uuid


def test_a_session_for_a_call_the_daemon_never_saw_is_refused(make_line, spy: Spy) -> None:
    line = make_line()
    fake = FakeSwitch(_port(line), channel_data(str(uuidlib.uuid4()), "0912345678"),
                      complete=_key("1"))
    assert fake.closed.wait(15), "the daemon kept the session"
    assert (spy.reads, spy.writes) == ([], [])  # no history looked up, no row written
    # Only the hand-back (the switch's park made sure of, then the socket closed): no menu,
    # no answer, nothing set on the channel.
    assert fake.said[:2] == ["connect", "myevents"]
    assert fake.executed == [("sleep", "0")]
    assert _rows(line) == []
    assert line.daemon.ivr.refused == {"unknown_call": 1}


def test_a_past_calls_uuid_cannot_rewrite_its_row(make_line, spy: Spy) -> None:
    line = make_line()
    assert line.daemon.set_agent_status("lan", "Available") == "+OK\n"
    session = line.call("0912345678", "1", talk_time=1)
    uuid = session.channel.uuid
    line.wait(lambda: uuid not in line.daemon.state.calls and
              any(r.ended_at for r in line.rows()))
    before = _rows(line)
    assert before[0][1] == "1"
    reads, writes = list(spy.reads), list(spy.writes)
    fake = FakeSwitch(_port(line), channel_data(uuid, "0912345678"), complete=_key("3"))
    assert fake.closed.wait(15)
    assert _rows(line) == before
    assert (spy.reads, spy.writes) == (reads, writes)
    assert "play_and_get_digits" not in [app for app, _ in fake.executed]
    assert line.daemon.ivr.refused == {"unknown_call": 1}


def test_a_live_call_past_its_menu_cannot_be_taken_over(make_line, spy: Spy) -> None:
    line = make_line()
    assert line.daemon.set_agent_status("lan", "Available") == "+OK\n"
    session = line.call("0912345678", "1", talk_time=600)
    uuid = session.channel.uuid
    line.wait(lambda: (call := line.daemon.state.calls.get(uuid)) is not None
              and call.answered_us is not None)
    before = _rows(line)
    fake = FakeSwitch(_port(line), channel_data(uuid, "0912345678"), complete=_key("3"))
    assert fake.closed.wait(15)
    assert _rows(line) == before  # still key 1, topic f0_home_care
    assert spy.reads == ["0912345678"]  # the real session's lookup only
    assert "play_and_get_digits" not in [app for app, _ in fake.executed]
    assert line.daemon.ivr.refused == {"past_menu": 1}
    line.sim.api("hupall", "NORMAL_CLEARING")


def test_a_session_from_another_address_is_closed_before_a_word(make_line, spy: Spy) -> None:
    if _can_bind(STRANGER):
        line, source = make_line(), STRANGER  # the switch: [switch] host, 127.0.0.1
    else:  # no second loopback address here: the switch is somewhere else
        line, source = make_line(allowed_peers=["192.0.2.1"]), "127.0.0.1"
    uuid = _live_call(line, "0912345678")
    fake = FakeSwitch(_port(line), channel_data(uuid, "0912345678"), source=source,
                      complete=_key("1"))
    assert fake.closed.wait(5)
    assert fake.commands == []  # not even `connect`
    assert (spy.reads, spy.writes) == ([], [])
    assert line.daemon.ivr.refused == {"peer": 1}


@pytest.mark.skipif(not _can_bind(STRANGER), reason=f"{STRANGER} is not on the loopback here")
def test_sessions_beyond_the_per_peer_bound_are_refused_and_callers_keep_the_menu(
        make_line) -> None:
    line = make_line(allowed_peers=["127.0.0.1", STRANGER], max_sessions_per_peer=2,
                     handshake_seconds=30)
    holders = [FakeSwitch(_port(line), channel_data(str(uuidlib.uuid4()), "0912345678"),
                          source=STRANGER, answer_connect=False) for _ in range(2)]
    line.wait(lambda: all(h.said == ["connect"] for h in holders))
    extra = FakeSwitch(_port(line), channel_data(str(uuidlib.uuid4()), "0912345678"),
                       source=STRANGER)
    assert extra.closed.wait(5)
    assert extra.commands == []

    menus: list[str] = []

    class Menus:
        def offer(self, event) -> None:
            if event.name == "CHANNEL_EXECUTE" and \
                    event.get("Application") == "play_and_get_digits":
                menus.append(event.get("Unique-ID") or "")

    line.sim.listeners.add(Menus())
    assert line.daemon.set_agent_status("lan", "Available") == "+OK\n"
    session = line.call("0987654321", "1", talk_time=1)
    line.wait(lambda: any(r.result == "answered" for r in line.rows()))
    assert menus == [session.channel.uuid]  # the daemon's menu, not the static one
    assert [r.menu_choice for r in line.rows()] == ["1"]
    assert not any(h.closed.is_set() for h in holders)  # the bound was full all along
    assert line.daemon.ivr.per_peer[STRANGER] == 2
    assert line.daemon.ivr.refused == {"peer_limit": 1}


@pytest.mark.parametrize("bound, settings", [
    ("the try's bound", {"max_prompt_seconds": 1.0}),  # 1 + 3 s timeout + 0.25 + 5 s command
    ("the session's deadline", {"session_seconds": 2.0})])
def test_a_session_that_never_completes_an_execute_is_ended(make_line, bound: str,
                                                            settings: dict[str, Any]) -> None:
    line = make_line(**settings)
    uuid = _live_call(line, "0900000001")

    def stalls(app: str, _arg: str) -> dict[str, str] | None:
        return None if app == "play_and_get_digits" else {}

    fake = FakeSwitch(_port(line), channel_data(uuid, "0900000001"), complete=stalls)
    assert fake.closed.wait(20), f"not ended by {bound}"
    assert [app for app, _ in fake.executed] == ["answer", "play_and_get_digits"]
    line.wait(lambda: line.daemon.ivr.connection_count == 0)


def test_the_callers_number_is_the_event_sockets_not_the_claim(make_line, spy: Spy) -> None:
    line = make_line()
    uuid = _live_call(line, "0900000001")
    fake = FakeSwitch(_port(line), channel_data(uuid, "0912345678"), complete=_key("1"))
    assert fake.closed.wait(15)
    assert spy.reads == ["0900000001"] and spy.writes == [(uuid, "1")]
    assert ("transfer", "hotline_queue_f0_home_care XML hotline") in fake.executed
    (row,) = line.rows()
    assert (row.uuid, row.menu_choice, row.caller_number) == (uuid, "1", "+84900000001")


def test_a_refused_real_call_gets_the_static_menu(make_line) -> None:
    """The event socket is down when the call comes: its session cannot be checked, so it is
    refused and handed back; the dialplan's static menu takes the caller to the queue."""
    line = make_line()
    assert line.daemon.set_agent_status("lan", "Available") == "+OK\n"
    line.server.stop()
    line.wait(lambda: not line.daemon.link.connected)
    queued: list[str] = []
    apps: list[str] = []

    class Watch:
        def offer(self, event) -> None:
            if event.get("CC-Action") == "member-queue-start":
                queued.append(event.get("CC-Member-Session-UUID") or "")
            elif event.name == "CHANNEL_EXECUTE" and not queued:
                apps.append(event.get("Application") or "")

    line.sim.listeners.add(Watch())
    session = line.call("0912345678", "1", talk_time=1)
    line.wait(lambda: queued == [session.channel.uuid])
    assert "ivr" in apps and "play_and_get_digits" not in apps  # the static menu's
    assert line.daemon.ivr.refused == {"unknown_call": 1}
