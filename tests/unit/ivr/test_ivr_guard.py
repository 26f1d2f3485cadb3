"""Who the IVR serves, and for how long: the guard's pure decision, its wait for the event
socket, the store's one write to the live call's row, and the outbound-socket server's bounds
against a fake switch on the loopback (tests/support/fake_switch.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import gevent
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.config import IvrSettings
from callcenter.ivr.flow import Ivr, Limits, Menu, MenuTopic
from callcenter.ivr.guard import (
    Admitted,
    IvrGuard,
    IvrMetrics,
    Refused,
    decide,
    networks_of,
    peer_allowed,
)
from callcenter.ivr.store import IvrStore
from callcenter.state import CallState, LiveState
from callcenter.state.effects import CallChanged
from callcenter.store.pool import Blocking
from callcenter.switch.outbound import OutboundServer, SessionRefused, peer_host
from db.engine import transaction
from db.models import Call, Topic
from tests.support.fake_switch import FakeSwitch, channel_data

HOTLINE = ("1022", "02901022", "+842901022")
UUID = "5e0c9a7e-0000-4000-8000-000000000001"


def _call(**fields: object) -> CallState:
    values: dict[str, object] = {"uuid": UUID, "caller_number": "0900000001",
                                 "destination": "1022"}
    values.update(fields)
    return CallState(**values)  # type: ignore[arg-type]


# -- the decision ------------------------------------------------------------------------

def test_a_live_hotline_call_in_its_menu_is_admitted_with_the_event_sockets_number() -> None:
    verdict = decide(_call(), channel_data(UUID, "0912345678"), HOTLINE, set())
    assert verdict == Admitted(UUID, "0900000001")


@pytest.mark.parametrize("call, channel, served, reason", [
    (_call(), channel_data("", "0912345678"), set(), "no_uuid"),
    (None, channel_data(UUID, "0912345678"), set(), "unknown_call"),
    (_call(), channel_data(UUID, "0912345678", context="default"), set(), "not_hotline"),
    (_call(destination="1001"), channel_data(UUID, "0912345678"), set(), "not_hotline"),
    (_call(menu_choice="1"), channel_data(UUID, "0912345678"), set(), "past_menu"),
    (_call(queued_us=1), channel_data(UUID, "0912345678"), set(), "past_menu"),
    (_call(ended_us=1), channel_data(UUID, "0912345678"), set(), "past_menu"),
    (_call(), channel_data(UUID, "0912345678"), {UUID}, "served"),
])
def test_anything_else_is_refused_with_its_reason(call, channel, served, reason) -> None:
    verdict = decide(call, channel, HOTLINE, served)
    assert isinstance(verdict, Refused) and verdict.reason == reason


def test_peers_are_the_allowed_addresses_networks_and_names() -> None:
    names = {"fs.example": ["192.0.2.10", "2001:db8::10"]}
    networks = networks_of(["127.0.0.1", "10.1.0.0/16", "fs.example"], names.__getitem__)
    assert peer_allowed("127.0.0.1", networks) and peer_allowed("10.1.2.3", networks)
    assert peer_allowed("192.0.2.10", networks) and peer_allowed("2001:db8::10", networks)
    assert not peer_allowed("127.0.0.2", networks) and not peer_allowed("10.2.0.1", networks)
    assert not peer_allowed("not an address", networks)
    assert peer_host(("::ffff:127.0.0.1", 4000, 0, 0)) == "127.0.0.1"  # a dual-stack socket
    assert peer_host(("fe80::1%eth0", 4000, 0, 2)) == "fe80::1"


def test_a_switch_name_that_does_not_resolve_allows_nobody_until_it_does() -> None:
    answers: list[list[str]] = []

    def lookup(_name: str) -> list[str]:
        if not answers:
            raise OSError("temporary failure in name resolution")
        return answers[0]

    guard = IvrGuard(LiveState, HOTLINE, ["fs.example"], lookup)
    assert not guard.allows("192.0.2.10")
    answers.append(["192.0.2.10"])
    assert guard.allows("192.0.2.10")


# -- the wait for the event socket, and one session per call ------------------------------

def _guard(state: LiveState) -> IvrGuard:
    return IvrGuard(lambda: state, HOTLINE, ["127.0.0.1"])


def test_the_session_waits_for_its_call_to_reach_the_event_socket() -> None:
    state = LiveState()
    guard = _guard(state)

    def create() -> None:  # CHANNEL_CREATE reaches the tracker after the outbound connect
        call = state.calls[UUID] = _call()
        guard.on_effect(CallChanged(call))

    started = time.monotonic()
    gevent.spawn_later(0.05, create)
    admitted = guard.admit(channel_data(UUID, "0912345678"), started + 5)
    assert admitted == Admitted(UUID, "0900000001")
    assert time.monotonic() - started < 2  # woken by the event, not at the bound


def test_the_wait_is_bounded() -> None:
    guard = _guard(LiveState())
    started = time.monotonic()
    with pytest.raises(SessionRefused) as refused:
        guard.admit(channel_data(UUID, "0912345678"), started + 0.2)
    assert refused.value.reason == "unknown_call"
    assert time.monotonic() - started >= 0.2
    assert not guard._waiters  # nothing left behind


def test_a_resync_wakes_the_waiting_sessions() -> None:
    states = [LiveState()]
    guard = IvrGuard(lambda: states[0], HOTLINE, ["127.0.0.1"])

    def rebuilt() -> None:  # tracker.resync replaces the state; the daemon calls wake()
        states[0] = LiveState(calls={UUID: _call()})
        guard.wake()

    started = time.monotonic()
    gevent.spawn_later(0.05, rebuilt)
    assert guard.admit(channel_data(UUID, "0912345678"), started + 5).uuid == UUID
    assert time.monotonic() - started < 2


def test_a_call_is_served_once_and_forgotten_when_it_ends() -> None:
    state = LiveState(calls={UUID: _call()})
    guard = _guard(state)
    guard.admit(channel_data(UUID, "0912345678"), time.monotonic() + 1)
    with pytest.raises(SessionRefused) as refused:
        guard.admit(channel_data(UUID, "0912345678"), time.monotonic() + 1)
    assert refused.value.reason == "served"
    ended = state.calls.pop(UUID)
    ended.ended_us = 1
    guard.on_effect(CallChanged(ended))
    assert guard.served == set()


def test_each_wait_is_bounded_by_what_it_plays() -> None:
    limits = Limits(handshake_seconds=3, max_prompt_seconds=45, command_seconds=10)
    assert limits.playing(1, 4.25) == 59.25  # a menu try: prompt, digit timeout, pause
    assert limits.playing(3) == 145  # a three-file announcement


# -- the choice: the live call's row only, once --------------------------------------------

def test_the_choice_is_written_to_the_open_row_in_its_menu_only_once(
        seeded: sessionmaker[Session]) -> None:
    now = datetime.now(UTC)
    with transaction(seeded) as s:
        f0 = s.scalars(select(Topic).where(Topic.key == "f0_home_care")).one()
        topic = MenuTopic(f0.id, f0.key, f0.menu_key or "", f0.queue)
        s.add_all([Call(uuid="in-menu", caller_number="+84900000001"),
                   Call(uuid="key-known", caller_number="+84900000002", menu_choice="1"),
                   Call(uuid="ended", caller_number="+84900000003", ended_at=now),
                   Call(uuid="queued", caller_number="+84900000004", queued_at=now),
                   Call(uuid="other-key", caller_number="+84900000005", menu_choice="2")])
    store = IvrStore(seeded, Blocking(seeded), IvrSettings(), flush=lambda: None)
    assert store.chose("in-menu", "1", topic) is not None
    assert store.chose("in-menu", "3", topic) is None  # once
    assert store.chose("key-known", "1", topic) is not None  # the recorder wrote it first
    for uuid in ("ended", "queued", "other-key", "never-seen"):
        assert store.chose(uuid, "1", topic) is None
    with seeded() as s:
        rows = {c.uuid: (c.menu_choice, c.topic_id) for c in s.scalars(select(Call))}
    assert rows == {"in-menu": ("1", f0.id), "key-known": ("1", f0.id),
                    "ended": (None, None), "queued": (None, None), "other-key": ("2", None)}


# -- the server's bounds, against a fake switch ------------------------------------------

class Recording:
    """An IVR's store that says what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def menu(self) -> Menu:
        self.asked.append("menu")
        return Menu((MenuTopic(1, "f0_home_care", "1", "f0@hotline1022"),), "f0_home_care",
                    tries=1, timeout_ms=500)

    def lookup(self, phone: str) -> list:
        self.asked.append(f"lookup {phone}")
        return []

    def chose(self, uuid: str, key: str | None, _topic: MenuTopic) -> int | None:
        self.asked.append(f"chose {uuid} {key}")
        return 7


@pytest.fixture
def rig():
    servers: list[OutboundServer] = []

    def make(state: LiveState, **bounds: object) -> tuple[OutboundServer, Recording]:
        store, guard = Recording(), _guard(state)
        ivr = Ivr(store.menu, store.lookup, store.chose, guard.admit,
                  limits=Limits(handshake_seconds=0.5, max_prompt_seconds=1,
                                command_seconds=1))
        server = OutboundServer("127.0.0.1", 0, ivr, peer_allowed=guard.allows,
                                **bounds)  # type: ignore[arg-type]
        server.listen()
        servers.append(server)
        return server, store

    yield make
    for server in servers:
        server.stop()


def _until(condition, timeout: float = 5.0) -> None:
    with gevent.Timeout(timeout):
        while not condition():
            gevent.sleep(0.01)


def test_a_peer_that_never_answers_connect_is_refused_at_the_handshakes_end(rig) -> None:
    server, store = rig(LiveState(calls={UUID: _call()}))
    fake = FakeSwitch(server.address[1], channel_data(UUID, "0912345678"), answer_connect=False)
    assert fake.closed.wait(5)
    assert fake.said == ["connect"] and store.asked == []
    assert server.refused == {"handshake": 1}


def test_a_refused_session_is_handed_back_to_the_dialplan(rig) -> None:
    server, store = rig(LiveState())
    fake = FakeSwitch(server.address[1], channel_data(UUID, "0912345678"))
    assert fake.closed.wait(5)
    assert fake.said == ["connect", "myevents", "sendmsg"]  # no linger, no menu
    assert fake.executed == [("sleep", "0")] and store.asked == []
    assert server.refused == {"unknown_call": 1}


def test_an_admitted_session_reads_and_writes_for_its_own_call(rig) -> None:
    server, store = rig(LiveState(calls={UUID: _call()}))

    def key_1(app: str, _arg: str) -> dict[str, str]:
        return {"hotline_key": "1"} if app == "play_and_get_digits" else {}

    fake = FakeSwitch(server.address[1], channel_data(UUID, "0912345678"), complete=key_1)
    assert fake.closed.wait(5)
    assert store.asked == ["menu", "lookup 0900000001", f"chose {UUID} 1"]
    assert [app for app, _ in fake.executed][-1] == "transfer"
    assert server.refused == {}


def test_sessions_beyond_the_bounds_are_closed_at_once(rig) -> None:
    state = LiveState()
    server, _store = rig(state, max_connections=3, max_per_peer=2)
    holders = [FakeSwitch(server.address[1], channel_data(UUID, "0912345678"),
                          answer_connect=False) for _ in range(2)]
    _until(lambda: all(h.said == ["connect"] for h in holders))
    extra = FakeSwitch(server.address[1], channel_data(UUID, "0912345678"))
    assert extra.closed.wait(5) and extra.commands == []
    assert server.refused == {"peer_limit": 1}
    registry = CollectorRegistry()
    registry.register(IvrMetrics(server))
    text = generate_latest(registry).decode()
    assert 'callcenter_ivr_sessions_refused_total{reason="peer_limit"} 1.0' in text
    assert "callcenter_ivr_sessions 2.0" in text
    _until(lambda: all(h.closed.is_set() for h in holders))  # the handshake's end
    assert server.per_peer == {} and server.connection_count == 0


def test_a_peer_that_is_not_the_switch_hears_nothing(rig) -> None:
    server, store = rig(LiveState(calls={UUID: _call()}))
    server.peer_allowed = lambda _host: False
    fake = FakeSwitch(server.address[1], channel_data(UUID, "0912345678"))
    assert fake.closed.wait(5)
    assert fake.commands == [] and store.asked == []
    assert server.refused == {"peer": 1}
