"""The simulator's inbound Event Socket, spoken to by the project's own client over loopback:
reply texts against the capture, subscription and filter rules, and the switch link's
reconnect against a simulator that goes away and comes back."""

import pytest

from callcenter.sim.core import Switch
from callcenter.sim.esl_server import EslServer
from callcenter.switch.errors import AuthenticationFailed, CommandError
from callcenter.switch.event import Event
from callcenter.switch.inbound import InboundConnection
from callcenter.switch.link import Backoff, SwitchLink
from callcenter.switch.protocol import FrameParser
from tests.support.replay import Capture
from tests.support.waiting import events_delivered, until


@pytest.fixture
def sim():
    switch = Switch()
    server = EslServer(switch, port=0)
    server.start()
    yield switch, server
    server.stop()


def _connect(server: EslServer, password: str = "ClueCon") -> InboundConnection:
    host, port = server.address
    conn = InboundConnection(host, port, password, command_timeout=5)
    conn.connect()
    return conn


def _captured_replies() -> list[tuple[str, str]]:
    """(command, Reply-Text) for the `command/reply` answers of the api_replies capture."""
    capture = Capture.load("api_replies", "control")
    replies = [f.get("Reply-Text") for f in FrameParser().feed(capture.recv)
               if f.content_type == "command/reply"]
    commands = [c for c in capture.commands() if not c.startswith("api ")]
    return list(zip(commands, replies, strict=True))


def test_command_replies_match_the_capture(sim) -> None:
    _switch, server = sim
    expected = _captured_replies()
    conn = _connect(server)
    try:
        for command, reply in expected:
            if command.startswith(("auth", "exit", "bgapi")):
                continue
            try:
                got = conn.send(command)
            except CommandError as exc:
                got = exc.reply
            assert got == reply, command
        job = conn.send("bgapi status")
        assert str(job).startswith("+OK Job-UUID: ")
        assert conn.send("exit") == dict(expected)["exit"]
    finally:
        conn.stop()


def test_api_replies_that_need_no_call(sim) -> None:
    _switch, server = sim
    conn = _connect(server)
    try:
        assert conn.api("version") == "FreeSWITCH Version 1.11.3-dev~64bit ( 64bit)\n"
        assert conn.api("status").startswith("UP 0 years, 0 days, 0 hours, 0 minutes, ")
        with pytest.raises(CommandError) as caught:
            conn.api("nosuchcommand")
        assert caught.value.reply == "-ERR nosuchcommand Command not found!\n"
    finally:
        conn.stop()


def test_wrong_password_is_refused_then_disconnected(sim) -> None:
    _switch, server = sim
    host, port = server.address
    conn = InboundConnection(host, port, "wrong")
    with pytest.raises(AuthenticationFailed, match="-ERR invalid"):
        conn.connect()


def _collect(conn: InboundConnection) -> list[Event]:
    events: list[Event] = []
    conn.register_handle("*", events.append)
    return events


def _fire(switch: Switch, name: str, subclass: str | None = None, **headers: str) -> None:
    switch.fire(switch.new_event(name, list(headers.items()), subclass=subclass))


@pytest.mark.parametrize("subscribe, delivered", [
    # A CUSTOM event without a subclass passes whenever CUSTOM is on (event_handler).
    ("event plain CHANNEL_ANSWER CUSTOM callcenter::info",
     ["CHANNEL_ANSWER", "callcenter::info", "CUSTOM"]),
    # Every word after CUSTOM is a subclass: CHANNEL_ANSWER is taken as one.
    ("event plain CUSTOM callcenter::info CHANNEL_ANSWER", ["callcenter::info", "CUSTOM"]),
    # CUSTOM alone: only CUSTOM events without a subclass.
    ("event plain CUSTOM", ["CUSTOM"]),
    ("event plain ALL", ["CHANNEL_ANSWER", "callcenter::info", "CUSTOM", "HEARTBEAT"]),
    ("event plain switch_event_heartbeat", ["HEARTBEAT"]),
])
def test_subscription_rules(sim, subscribe: str, delivered: list[str]) -> None:
    switch, server = sim
    conn = _connect(server)
    events = _collect(conn)
    try:
        conn.send(subscribe)
        _fire(switch, "CHANNEL_ANSWER", **{"Unique-ID": "u1"})
        _fire(switch, "CUSTOM", "callcenter::info", **{"CC-Action": "members-count"})
        _fire(switch, "CUSTOM")
        switch.fire(switch.heartbeat())
        events_delivered(conn)
        assert [e.handler_key for e in events] == delivered
    finally:
        conn.stop()


def test_nixevent_turns_all_into_all_but_one(sim) -> None:
    switch, server = sim
    conn = _connect(server)
    events = _collect(conn)
    try:
        conn.send("event plain ALL")
        conn.send("nixevent HEARTBEAT")
        switch.fire(switch.heartbeat())
        _fire(switch, "CHANNEL_ANSWER")
        events_delivered(conn)
        assert [e.name for e in events] == ["CHANNEL_ANSWER"]
    finally:
        conn.stop()


def test_filters(sim) -> None:
    switch, server = sim
    conn = _connect(server)
    events = _collect(conn)
    try:
        conn.send("event plain ALL")
        conn.send("filter Unique-ID u1")
        conn.send("filter Event-Name BACKGROUND_JOB")
        conn.send("filter Channel-Name -/^loopback/")
        for uid, channel in (("u1", "sofia/a"), ("u2", "sofia/b"), ("u1", "loopback/x")):
            _fire(switch, "CHANNEL_ANSWER", **{"Unique-ID": uid, "Channel-Name": channel})
        _fire(switch, "BACKGROUND_JOB", **{"Job-UUID": "j"})
        events_delivered(conn)
        assert [(e.name, e.get("Unique-ID")) for e in events] == [
            ("CHANNEL_ANSWER", "u1"), ("BACKGROUND_JOB", None)]
    finally:
        conn.stop()


def test_json_events(sim) -> None:
    switch, server = sim
    conn = _connect(server)
    events = _collect(conn)
    try:
        conn.send("event json CUSTOM callcenter::info")
        _fire(switch, "CUSTOM", "callcenter::info",
              **{"CC-Agent-Status": "Available (On Demand)"})
        events_delivered(conn)
        assert events[0]["CC-Agent-Status"] == "Available (On Demand)"
    finally:
        conn.stop()


def test_reply_comes_before_the_events_its_command_caused(sim) -> None:
    switch, server = sim
    switch.register_api("fire_one", lambda _args: _fire(switch, "CHANNEL_ANSWER") or "+OK\n")
    conn = _connect(server)
    order: list[str] = []
    conn.register_handle("CHANNEL_ANSWER", lambda _e: order.append("event"))
    try:
        conn.send("event plain CHANNEL_ANSWER")
        conn.api("fire_one")
        order.append("reply")
        events_delivered(conn)
        assert order == ["reply", "event"]
    finally:
        conn.stop()


def test_link_reconnects_and_resubscribes() -> None:
    switch = Switch()
    server = EslServer(switch, port=0)
    server.start()
    host, port = server.address
    link = SwitchLink(host, port, "ClueCon", backoff=Backoff(base=0.05, cap=0.2))
    connected, lost, beats = [], [], []
    link.on_connected(lambda: connected.append(1))
    link.on_lost(lost.append)
    link.register_handle("HEARTBEAT", beats.append)
    link.start()
    try:
        assert link.wait_connected(5)
        job = link.bgapi("status")
        assert job.get(timeout=5).startswith("UP ")
        server.stop()  # FreeSWITCH goes away: every connection drops
        until(lambda: lost, timeout=5)
        server = EslServer(switch, host, port)
        server.start()
        until(lambda: len(connected) >= 2, timeout=5)
        switch.fire(switch.heartbeat())
        until(lambda: beats, timeout=5)
        assert link.api("version").startswith("FreeSWITCH Version")
    finally:
        link.stop()
        server.stop()


def test_backoff_is_capped_and_jittered() -> None:
    import random

    backoff = Backoff(base=0.5, cap=30)
    rng = random.Random(7)
    delays = [backoff.delay(n, rng) for n in range(40)]
    assert all(0 <= d <= 30 for d in delays)
    assert max(delays[:2]) <= 1.0 and len(set(delays)) == len(delays)


def test_subscription_helpers_put_custom_last(sim) -> None:
    switch, server = sim
    conn = _connect(server)
    events = _collect(conn)
    try:
        assert conn.subscribe("callcenter::info", "CHANNEL_ANSWER") == (
            "+OK event listener enabled plain")
        assert conn.filter("Unique-ID", "u1") == "+OK filter added. [Unique-ID]=[u1]"
        assert conn.filter_delete("Unique-ID", "u1") == "+OK filter deleted. [Unique-ID][u1]"
        assert conn.nixevent("HEARTBEAT") == "+OK events nixed"
        _fire(switch, "CHANNEL_ANSWER", **{"Unique-ID": "u2"})
        _fire(switch, "CUSTOM", "callcenter::info", **{"CC-Action": "members-count"})
        events_delivered(conn)
        assert [e.handler_key for e in events] == ["CHANNEL_ANSWER", "callcenter::info"]
    finally:
        conn.stop()


def test_sequence_increases_and_core_uuid_is_stable(sim) -> None:
    switch, server = sim
    conn = _connect(server)
    events = _collect(conn)
    try:
        conn.send("event plain ALL")
        for _ in range(5):
            switch.fire(switch.heartbeat())
        conn.api("version")  # its API event comes after the reply, before the fence's
        events_delivered(conn)
        assert [e.name for e in events] == ["HEARTBEAT"] * 5 + ["API"]
        sequences = [e.sequence for e in events]
        assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
        assert {e["Core-UUID"] for e in events} == {switch.core_uuid}
    finally:
        conn.stop()


def test_several_clients_each_with_its_own_subscription(sim) -> None:
    switch, server = sim
    first, second = _connect(server), _connect(server)
    got_first, got_second = _collect(first), _collect(second)
    try:
        first.send("event plain HEARTBEAT")
        second.send("event plain CUSTOM callcenter::info")
        switch.fire(switch.heartbeat())
        _fire(switch, "CUSTOM", "callcenter::info", **{"CC-Action": "members-count"})
        events_delivered(first)
        events_delivered(second)
        assert [e.handler_key for e in got_first] == ["HEARTBEAT"]
        assert [e.handler_key for e in got_second] == ["callcenter::info"]
    finally:
        first.stop()
        second.stop()
