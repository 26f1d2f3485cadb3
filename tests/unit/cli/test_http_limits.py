"""The operators' HTTP server (/healthz, /metrics) bounds its connections: a request head that
trickles in is closed at `header_seconds` (a deadline, not an idle timer), a kept-alive
connection with no next request at `idle_seconds`, a request with a body is refused rather than
read however slowly it comes, a response the client does not take is given up after
SEND_SECONDS, and connections over the per-address or total limit are closed at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import gevent
import pytest
from gevent import socket
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily

from callcenter import http
from callcenter.config import Settings

TRICKLE_EVERY = 0.3  # seconds between two bytes: well inside every deadline here


class _Sessions:
    """`daemon.sessions()` for /healthz: a session whose SELECT 1 works."""

    def __call__(self) -> _Sessions:
        return self

    def __enter__(self) -> SimpleNamespace:
        return SimpleNamespace(execute=lambda _statement: None)

    def __exit__(self, *_: object) -> None:
        pass


class _Big:
    """A /metrics response far bigger than the sockets' buffers."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily("big", "padding", labels=["pad"])
        for n in range(64):
            family.add_metric([f"{n}" + "x" * 256 * 1024], 1.0)
        yield family


@contextmanager
def serving(big: bool = False, **limits: Any) -> Iterator[Any]:
    registry = CollectorRegistry()
    if big:
        registry.register(_Big())
    daemon = SimpleNamespace(settings=Settings(http=limits), link=SimpleNamespace(connected=True),
                             sessions=_Sessions(), metrics=SimpleNamespace(registry=registry))
    server = http.serve(daemon, "127.0.0.1", 0)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop(timeout=1)


def connect(server: Any, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.server_port), timeout=5,
                                    source_address=(source, 0))


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    with gevent.Timeout(timeout, AssertionError(f"not within {timeout} s: {condition}")):
        while not condition():
            gevent.sleep(0.01)


def response(sock: socket.socket) -> bytes:
    """One whole response (by its Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def seconds_until_closed(sock: socket.socket, give_up: float) -> float:
    """How long until the server closes `sock` (reading and dropping what it says)."""
    started = time.monotonic()
    sock.settimeout(give_up)
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError(f"still open after {give_up} s") from None
    return time.monotonic() - started


def trickle(sock: socket.socket, data: bytes, give_up: float) -> float:
    """`data` one byte every TRICKLE_EVERY seconds until the server closes the connection."""
    started = time.monotonic()
    sock.settimeout(TRICKLE_EVERY)
    for n in range(len(data)):
        try:
            sock.sendall(data[n:n + 1])
            if sock.recv(65536) == b"":
                return time.monotonic() - started
        except TimeoutError:
            pass
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - started
        if time.monotonic() - started > give_up:
            break
    raise AssertionError(f"still open after {time.monotonic() - started:.1f} s of trickling")


def test_a_trickled_request_head_is_closed_at_the_header_deadline() -> None:
    with serving(header_seconds=1.0, idle_seconds=60.0) as server, connect(server) as sock:
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 200
        took = trickle(sock, head, give_up=4.0)
    assert 0.9 <= took < 2.0, took


def test_a_kept_alive_connection_is_served_then_closed_when_idle() -> None:
    with serving(header_seconds=10.0, idle_seconds=0.6) as server, connect(server) as sock:
        for _ in range(2):  # kept alive: one connection, two requests
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = response(sock)
            assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(
                b'{"switch_link": true, "database": true}')
        took = seconds_until_closed(sock, give_up=5.0)
    assert 0.5 <= took < 1.6, took


def test_a_request_with_a_body_is_refused_not_read() -> None:
    """pywsgi would read a body to its end after the answer, however slowly it came."""
    with serving(header_seconds=10.0, idle_seconds=60.0) as server, connect(server) as sock:
        sock.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nab")
        answer = response(sock)
        took = seconds_until_closed(sock, give_up=3.0)
    assert answer.startswith(b"HTTP/1.1 400 ") and took < 1.0, (answer, took)


def test_a_response_the_client_does_not_take_is_given_up(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "SEND_SECONDS", 0.5)
    with serving(big=True) as server, connect(server) as sock:
        sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")  # and reads nothing
        wait_for(lambda: server.limits.open == 1)
        started = time.monotonic()
        wait_for(lambda: server.limits.open == 0)
        assert time.monotonic() - started < 3.0
        sock.settimeout(5)
        received = b""
        try:
            while chunk := sock.recv(1 << 20):
                received += chunk
        except ConnectionResetError:
            pass
    assert received.startswith(b"HTTP/1.1 200 ") and len(received) < 64 * 256 * 1024


def test_connections_beyond_the_limits_are_closed_at_once() -> None:
    """Two from one address, three in all (those that say nothing are held for the whole
    header deadline); the next is closed at once; a slot freed is served again."""
    with serving(header_seconds=60.0, max_connections=3,
                 max_connections_per_address=2) as server:
        limits = server.limits
        held = [connect(server), connect(server)]
        wait_for(lambda: limits.open == 2)
        assert seconds_until_closed(connect(server), give_up=3.0) < 1.0
        held.append(connect(server, "127.0.0.2"))
        wait_for(lambda: limits.open == 3)
        assert seconds_until_closed(connect(server, "127.0.0.3"), give_up=3.0) < 1.0
        assert limits.refused == 2
        held.pop(0).close()
        wait_for(lambda: limits.open == 2)
        with connect(server) as sock:
            sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n")
            assert response(sock).startswith(b"HTTP/1.1 200 ")
        for sock in held:
            sock.close()
        wait_for(lambda: limits.open == 0 and not limits.by_address)
