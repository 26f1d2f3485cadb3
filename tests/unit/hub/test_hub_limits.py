"""The hub's bounds on slow and many connections: HANDSHAKE_SECONDS is a deadline (a client
that trickles its TLS ClientHello, or its HTTP upgrade, one byte at a time with gaps shorter
than the deadline is closed all the same), and connections over the per-address or the total
limit are closed at once, before any TLS handshake."""

from __future__ import annotations

import ssl as std_ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import gevent
import pytest
from gevent import socket

from callcenter.hub import server as hub_server
from callcenter.hub.server import Client, ConnectionLimits, HubServer
from callcenter.hub.tls import client_context, make_self_signed, server_context

TRICKLE_EVERY = 0.3  # seconds between two bytes: well inside the deadline
DEADLINE = 1.2  # HANDSHAKE_SECONDS in these tests


class Service:
    def __init__(self) -> None:
        self.clients: list[Client] = []

    def connected(self, client: Client) -> None:
        self.clients.append(client)

    def handle(self, client: Client, raw: str | bytes) -> None:
        pass

    def disconnected(self, client: Client, oversized: bool = False) -> None:
        pass


@contextmanager
def hub(tmp_path: Path, limits: ConnectionLimits | None = None,
        service: Service | None = None) -> Iterator[HubServer]:
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1"])
    server = HubServer(service or Service(), "127.0.0.1", 0, server_context(cert, key),
                       **({"limits": limits} if limits is not None else {}))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    with gevent.Timeout(timeout, AssertionError(f"not within {timeout} s: {condition}")):
        while not condition():
            gevent.sleep(0.01)


def client_hello() -> bytes:
    """A real TLS ClientHello, as a desktop's first bytes."""
    context = std_ssl.SSLContext(std_ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, std_ssl.CERT_NONE
    incoming, outgoing = std_ssl.MemoryBIO(), std_ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    with pytest.raises(std_ssl.SSLWantReadError):
        tls.do_handshake()
    return outgoing.read()


def trickle(sock: socket.socket, data: bytes, give_up: float = 4 * DEADLINE) -> float:
    """Sends `data` one byte at a time, TRICKLE_EVERY seconds apart (the wait for the hub's
    answer is the pause), until the hub closes the connection: the seconds that took.
    AssertionError if it is still open after `give_up` seconds (or `data` ran out)."""
    started = time.monotonic()
    sock.settimeout(TRICKLE_EVERY)
    for n in range(len(data)):
        try:
            sock.sendall(data[n:n + 1])
            if sock.recv(4096) == b"":
                return time.monotonic() - started
        except (TimeoutError, std_ssl.SSLWantReadError):
            pass  # nothing yet: the next byte
        except (ConnectionResetError, BrokenPipeError, std_ssl.SSLEOFError):
            return time.monotonic() - started
        if time.monotonic() - started > give_up:
            break
    raise AssertionError(f"still open after {time.monotonic() - started:.1f} s of trickling")


def closed_at_once(sock: socket.socket, within: float = 1.0) -> None:
    """The hub closed `sock` without a word, within `within` seconds."""
    sock.settimeout(within + 2)
    started = time.monotonic()
    try:
        data = sock.recv(4096)
    except ConnectionResetError:
        data = b""
    elapsed = time.monotonic() - started
    assert data == b"" and elapsed < within, (data, elapsed)


@pytest.mark.parametrize("step", ["tls", "upgrade"])
def test_the_handshake_deadline_holds_against_a_trickling_client(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """One byte every TRICKLE_EVERY seconds never lets an idle timer of DEADLINE seconds run
    out: only a deadline closes this connection, and it does, at DEADLINE."""
    monkeypatch.setattr(hub_server, "HANDSHAKE_SECONDS", DEADLINE)
    with hub(tmp_path) as server:
        sock = socket.create_connection(server.address, timeout=5)
        if step == "tls":
            data = client_hello()
        else:  # the TLS handshake at once, then the HTTP upgrade a byte per TLS record
            sock = client_context(tmp_path / "hub.crt").wrap_socket(
                sock, server_hostname="127.0.0.1")
            data = (b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 200)
        assert len(data) * TRICKLE_EVERY > 4 * DEADLINE  # the bytes outlast the test
        took = trickle(sock, data)
        sock.close()
    assert DEADLINE - 0.1 <= took < DEADLINE + 1.0, took


def test_connections_beyond_the_limits_are_closed_at_once(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    """Two from one address, three in all: the next from that address, or the next from any
    once three are open, is closed before its TLS handshake (the others, which say nothing,
    are held for the whole HANDSHAKE_SECONDS); a slot freed is taken again, and a connection
    within the limits is served."""
    monkeypatch.setattr(hub_server, "HANDSHAKE_SECONDS", 60.0)
    limits, service = ConnectionLimits(total=3, per_address=2), Service()

    def connect(source: str) -> socket.socket:
        return socket.create_connection(server.address, timeout=5,
                                        source_address=(source, 0))

    with hub(tmp_path, limits, service) as server:
        held = [connect("127.0.0.1"), connect("127.0.0.1")]
        wait_for(lambda: limits.open == 2)
        closed_at_once(connect("127.0.0.1"))  # a third from the same address
        held.append(connect("127.0.0.2"))  # another address: within the total
        wait_for(lambda: limits.open == 3)
        closed_at_once(connect("127.0.0.3"))  # a fourth in all
        assert limits.refused == 2 and limits.by_address == {"127.0.0.1": 2, "127.0.0.2": 1}
        held.pop(0).close()  # its slot is free once the hub has closed its end
        wait_for(lambda: limits.open == 2)
        tls = client_context(tmp_path / "hub.crt").wrap_socket(
            connect("127.0.0.1"), server_hostname="127.0.0.1")
        tls.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    b"Sec-WebSocket-Version: 13\r\n\r\n")
        assert tls.recv(4096).startswith(b"HTTP/1.1 101 ")  # a WebSocket, over TLS
        wait_for(lambda: len(service.clients) == 1)
        tls.close()
        for sock in held:
            sock.close()
        wait_for(lambda: limits.open == 0 and not limits.by_address)
    assert len(service.clients) == 1  # the refused ones never reached the service


def test_refusals_are_logged_once_a_minute_not_once_each(
        caplog: pytest.LogCaptureFixture) -> None:
    limits = ConnectionLimits(total=1, per_address=1)
    assert limits.admit("10.0.0.1")
    with caplog.at_level("WARNING", logger="callcenter.hub.server"):
        for _ in range(50):
            assert not limits.admit("10.0.0.2")
    assert len(caplog.records) == 1 and "hub: refused a connection from 10.0.0.2" in caplog.text
    limits.release("10.0.0.1")
    assert limits.admit("10.0.0.2") and limits.refused == 50
