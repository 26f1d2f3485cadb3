"""The inbound connection over real loopback sockets: the captured conversations replayed,
and each greenswitch shortfall the project fixes, one test each."""

import contextlib
from collections.abc import Iterator

import gevent
import gevent.server
import gevent.socket
import pytest

from callcenter.switch.errors import (
    AuthenticationFailed,
    CommandError,
    CommandTimeout,
    ConnectionLost,
    SwitchUnreachable,
)
from callcenter.switch.event import Event
from callcenter.switch.inbound import InboundConnection
from tests.support.replay import Capture, ReplayServer
from tests.support.waiting import until

INBOUND = [
    ("api_replies", "control"), ("api_replies", "observer"), ("call_answered", "control"),
    ("call_answered", "observer"), ("call_abandoned", "observer"), ("call_recorded", "observer"),
    ("ivr_hangup", "observer"), ("lead_transfer_callback", "control"),
    ("lead_transfer_callback", "observer"), ("outbound_socket", "observer"),
]


def _count_frames(capture: Capture, kind: str) -> int:
    return capture.recv.count(b"Content-Type: " + kind.encode() + b"\n")


@pytest.mark.parametrize("scenario, connection", INBOUND)
def test_replayed_conversation(scenario: str, connection: str) -> None:
    capture = Capture.load(scenario, connection)
    server = ReplayServer(capture)
    host, port = server.start()
    commands = capture.commands()
    password = commands[0].removeprefix("auth ")
    conn = InboundConnection(host, port, password, command_timeout=10)
    events: list[Event] = []
    conn.register_handle("*", events.append)
    replies: list[object] = []
    try:
        conn.connect()
        for command in commands[1:]:
            try:
                replies.append(conn.send(command))
            except CommandError as exc:
                replies.append(exc)
        assert server.done.wait(10)
        assert conn.closed.wait(5)
    finally:
        conn.stop()  # joins the dispatcher: every event read before the close is handed out
        server.stop()
    assert server.mismatches == []
    assert len(replies) == len(commands) - 1
    assert replies[-1] == "+OK bye"
    kinds = ("text/event-plain", "text/event-json", "text/event-xml")
    expected_events = sum(_count_frames(capture, k) for k in kinds)
    got = [e for e in events if e.get("Content-Type") != "text/disconnect-notice"]
    assert len(got) == expected_events
    notices = [e for e in events if e.get("Content-Type") == "text/disconnect-notice"]
    assert len(notices) == 1 and notices[0].text.startswith("Disconnected, goodbye.")
    for event in got:
        if event.name == "BACKGROUND_JOB":
            assert event.body and "Content-Length" not in event
    errors = [r for r in replies if isinstance(r, CommandError)]
    if scenario == "api_replies" and connection == "control":
        assert "Agent already exist!" in errors[0].reply
        assert any(r == "Available (On Demand)" for r in replies)  # agent get: no +OK


def test_wrong_password() -> None:
    capture = Capture.load("api_replies", "wrong_password")
    server = ReplayServer(capture)
    host, port = server.start()
    conn = InboundConnection(host, port, capture.commands()[0].removeprefix("auth "))
    try:
        with pytest.raises(AuthenticationFailed, match="-ERR invalid"):
            conn.connect()
        assert not conn.connected
    finally:
        server.stop()


# -- a scriptable fake peer for the failure cases -------------------------------------

def _serve(handler) -> tuple[gevent.server.StreamServer, int]:
    server = gevent.server.StreamServer(("127.0.0.1", 0), handler)
    server.start()
    return server, server.server_port


@contextlib.contextmanager
def _connected(handler) -> Iterator[InboundConnection]:
    """A client connected to a fake peer running `handler`; both stopped after."""
    server, port = _serve(handler)
    conn = InboundConnection("127.0.0.1", port, "x")
    try:
        conn.connect()
        yield conn
    finally:
        conn.stop()
        server.stop(timeout=0)


def _read_command(sock) -> bytes:
    data = b""
    while b"\n\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    return data


def _hold_line(sock) -> None:
    """Keep the connection open until the client's next command (its `exit` at the end of
    the test) or its close: as long as the test needs the peer, not a guessed time."""
    _read_command(sock)


def _accept_auth(sock) -> None:
    sock.sendall(b"Content-Type: auth/request\n\n")
    _read_command(sock)
    sock.sendall(b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n")


def test_refused_connection_is_typed() -> None:
    probe = gevent.socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(SwitchUnreachable, match=f"127.0.0.1:{port}"):
        InboundConnection("127.0.0.1", port, "x", connect_timeout=1).connect()


def test_silent_peer_times_out_waiting_for_auth_request() -> None:
    server, port = _serve(lambda sock, _: gevent.sleep(5))  # a peer that never speaks
    try:
        with gevent.Timeout(3), pytest.raises(SwitchUnreachable, match="no auth/request"):
            InboundConnection("127.0.0.1", port, "x", connect_timeout=0.3).connect()
    finally:
        server.stop(timeout=0)


def test_drop_mid_command_fails_the_command() -> None:
    def handler(sock, _):
        _accept_auth(sock)
        _read_command(sock)
        sock.close()

    with _connected(handler) as conn:
        with gevent.Timeout(3), pytest.raises(ConnectionLost, match="api status"):
            conn.send("api status", timeout=60)
        with pytest.raises(ConnectionLost):
            conn.send("api status")


def test_drop_mid_body_ends_the_connection() -> None:
    def handler(sock, _):
        _accept_auth(sock)
        _read_command(sock)
        sock.sendall(b"Content-Type: api/response\nContent-Length: 100\n\n0123456789")
        sock.close()

    with _connected(handler) as conn:
        with gevent.Timeout(3), pytest.raises(ConnectionLost):
            conn.send("api status", timeout=60)
        assert conn.closed.is_set()


def test_timeout_keeps_replies_in_step() -> None:
    def handler(sock, _):
        _accept_auth(sock)
        _read_command(sock)  # the slow one: answered late
        gevent.sleep(0.5)  # on purpose: past the client's 0.1 s timeout
        sock.sendall(b"Content-Type: api/response\nContent-Length: 5\n\nslow\n")
        _read_command(sock)
        sock.sendall(b"Content-Type: api/response\nContent-Length: 5\n\nfast\n")
        _hold_line(sock)

    with _connected(handler) as conn:
        with pytest.raises(CommandTimeout, match=r"no reply within 0\.1 s"):
            conn.send("api slow", timeout=0.1)
        assert conn.send("api fast", timeout=3) == "fast\n"


def test_err_reply_raises_with_freeswitch_text() -> None:
    def handler(sock, _):
        _accept_auth(sock)
        _read_command(sock)
        sock.sendall(b"Content-Type: api/response\nContent-Length: 22\n\n-ERR Agent not found!\n")
        _read_command(sock)
        sock.sendall(b"Content-Type: command/reply\nReply-Text: -ERR command not found\n\n")
        _hold_line(sock)

    with _connected(handler) as conn:
        with pytest.raises(CommandError) as caught:
            conn.api("callcenter_config agent get status nobody")
        assert caught.value.reply == "-ERR Agent not found!\n"
        with pytest.raises(CommandError, match="-ERR command not found"):
            conn.send("bogus")


def test_large_command_is_written_whole() -> None:
    """greenswitch used sock.send, which may write only part of a large command."""
    received = gevent.event.AsyncResult()

    def handler(sock, _):
        _accept_auth(sock)
        gevent.sleep(0.3)  # let the client's send buffer fill
        data = _read_command(sock)
        received.set(len(data))
        sock.sendall(b"Content-Type: api/response\nContent-Length: 4\n\n+OK\n")
        _hold_line(sock)

    with _connected(handler) as conn:
        conn.sock.setsockopt(gevent.socket.SOL_SOCKET, gevent.socket.SO_SNDBUF, 4096)
        payload = "x" * (4 << 20)
        assert conn.send(f"api echo {payload}", timeout=10) == "+OK\n"
        assert received.get(timeout=5) == len(f"api echo {payload}\n\n")


def test_rude_rejection() -> None:
    def handler(sock, _):
        sock.sendall(b"Content-Type: text/rude-rejection\nContent-Length: 24\n\n"
                     b"Access Denied, go away.\n")
        sock.close()

    server, port = _serve(handler)
    try:
        with gevent.Timeout(3), pytest.raises(AuthenticationFailed, match="Access Denied"):
            InboundConnection("127.0.0.1", port, "x").connect()
    finally:
        server.stop(timeout=0)


def test_log_lines_reach_log_handlers() -> None:
    text = b"2026-11-25 12:00:00 [INFO] switch_core.c:100 hello\n"

    def handler(sock, _):
        _accept_auth(sock)
        _read_command(sock)
        sock.sendall(b"Content-Type: command/reply\nReply-Text: +OK log level debug [7]\n\n")
        sock.sendall(b"Content-Type: log/data\nContent-Length: %d\nLog-Level: 6\n"
                     b"Text-Channel: 3\nLog-File: switch_core.c\nLog-Func: f\nLog-Line: 100\n"
                     b"User-Data: \n\n" % len(text) + text)
        _hold_line(sock)

    lines: list[Event] = []
    with _connected(handler) as conn:
        conn.register_handle("log", lines.append)
        assert conn.send("log debug") == "+OK log level debug [7]"
        until(lambda: lines, timeout=3)
        assert lines[0].body == text and lines[0]["Log-Level"] == "6"
