"""The hub's WebSocket server on a real socket: the HTTP upgrade and its errors, the handshake
and login deadlines, pings, the close handshake either way, the transport limit, a desktop that
does not keep up, what happens on the wire after a WebSocket, and the development certificate
under a strict verifier. The raw desktop here is wsproto's client with nothing automatic but
its pongs (and those only when asked), so each step on the wire can be watched."""

from __future__ import annotations

import base64
import json
import logging
import os
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import gevent
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from gevent import socket, ssl
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    Ping,
    Pong,
    Request,
    TextMessage,
)

from callcenter.hub import server as hub_server
from callcenter.hub.server import Client, HubServer
from callcenter.hub.tls import client_context, make_self_signed, server_context
from protocol.messages import Reply, dump
from tests.support.hub_client import HubClient
from tests.support.waiting import until


class ClosingService:
    """Closes every client as soon as it is connected (as an expired session would be)."""

    def connected(self, client: Client) -> None:
        client.close()

    def handle(self, client: Client, raw: str | bytes) -> None:
        raise AssertionError("no message is expected")

    def disconnected(self, client: Client, oversized: bool = False) -> None:
        pass


class LogoutService:
    """Answers a request, then closes the connection (as `logout` does); notes whether the
    connection's writer still ran, or its socket was still open, once it was over."""

    def __init__(self) -> None:
        self.left_open: list[bool] = []

    def connected(self, client: Client) -> None:
        pass

    def handle(self, client: Client, raw: str | bytes) -> None:
        request = json.loads(raw)
        client.send(dump(Reply(type=request["type"], id=request["id"])))
        client.close()

    def disconnected(self, client: Client, oversized: bool = False) -> None:
        # the reader is the greenlet running this; it closed the socket once the writer ended
        self.left_open.append(not client._writer.dead or client._sock.fileno() != -1)


def _read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_after_a_websocket_the_connection_is_not_read_as_http_again() -> None:
    """Bytes sent after the WebSocket ended are not taken for a new HTTP request (as pywsgi,
    which keeps HTTP/1.1 connections alive, once did): the server closes the connection."""
    server = HubServer(ClosingService(), "127.0.0.1", 0, None)
    server.start()
    try:
        sock = socket.create_connection(server.address, timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                      f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        reply = sock.recv(65536)
        while b"\x88" not in reply.partition(b"\r\n\r\n")[2]:  # up to the close frame
            reply += sock.recv(65536)
        assert reply.startswith(b"HTTP/1.1 101")
        until(lambda: not server.clients)  # the server is done with the WebSocket
        try:
            sock.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            after = _read_until_closed(sock)
        except ConnectionResetError:
            after = b""
        assert b"HTTP/1.1" not in after
        sock.close()
    finally:
        server.stop()


def test_a_connection_the_hub_closes_leaves_nothing_watching_its_socket(tmp_path: Path) -> None:
    """When the hub ends a connection (logout), nothing is left waiting on its socket once it
    is closed. (With simple-websocket, its reader was left waiting on the descriptor, woke when
    the next connection got the same number and read that connection's TLS records (bad record
    MAC): the next desktop's login was never answered.)"""
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1"])
    service = LogoutService()
    server = HubServer(service, "127.0.0.1", 0, server_context(cert, key))
    server.start()
    try:
        for n in range(1, 4):  # each one gets the descriptors the one before had
            desktop = HubClient(server.address[1], cert)
            assert desktop.request("logout", timeout=5)["ok"]
            assert desktop.push("closed")["type"] == "closed"
            desktop.close()
            with gevent.Timeout(5):  # the server's handler is done with the connection
                while len(service.left_open) < n:
                    gevent.sleep(0.01)
    finally:
        server.stop()
    assert service.left_open == [False, False, False]


def test_the_development_certificate_passes_strict_verification(tmp_path: Path) -> None:
    """`callcenter tls init`'s certificate is its own trust anchor and the server's: it has
    what a strict verifier asks for (key usage, server auth, key identifiers)."""
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1"])
    server = HubServer(ClosingService(), "127.0.0.1", 0, server_context(cert, key))
    server.start()
    try:
        context = client_context(cert)
        context.verify_flags |= ssl.VERIFY_X509_STRICT
        with socket.create_connection(server.address, timeout=5) as raw, \
                context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    finally:
        server.stop()
    made = x509.load_pem_x509_certificate(cert.read_bytes())
    usage = made.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign  # a leaf: it signs no certificate
    assert ExtendedKeyUsageOID.SERVER_AUTH in made.extensions.get_extension_for_class(
        x509.ExtendedKeyUsage).value
    for identifier in (x509.SubjectKeyIdentifier, x509.AuthorityKeyIdentifier):
        assert made.extensions.get_extension_for_class(identifier)


# -- the transport step by step, with a raw desktop ------------------------------------------

class Recorder:
    """Notes what the transport hands over; `on_connect` and `echo` make it talk back."""

    def __init__(self, on_connect: Callable[[Client], None] | None = None,
                 echo: bool = False) -> None:
        self.on_connect, self.echo = on_connect, echo
        self.clients: list[Client] = []
        self.received: list[str | bytes] = []
        self.ended: list[bool] = []  # `oversized`, one per connection over

    def connected(self, client: Client) -> None:
        self.clients.append(client)
        if self.on_connect is not None:
            self.on_connect(client)

    def handle(self, client: Client, raw: str | bytes) -> None:
        self.received.append(raw)
        if self.echo:
            client.send(raw if isinstance(raw, str) else raw.decode())

    def disconnected(self, client: Client, oversized: bool = False) -> None:
        self.ended.append(oversized)


class RawDesktop:
    """wsproto's client on a gevent socket: answers pings only if `pong`, nothing else."""

    def __init__(self, port: int, cert: Path | None = None, pong: bool = True) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if cert is not None:
            self.sock = client_context(cert).wrap_socket(self.sock,
                                                         server_hostname="127.0.0.1")
        self.conn = WSConnection(ConnectionType.CLIENT)
        self.pong, self.pings = pong, 0
        self.events: deque[Event] = deque()
        self.write(Request(host="127.0.0.1", target="/ws"))
        assert isinstance(self.next(), AcceptConnection)

    def write(self, event: Event) -> None:
        self.sock.sendall(self.conn.send(event))

    def next(self, timeout: float = 5.0) -> Event | None:
        """The hub's next event (pings answered or not, but not returned); None once the hub
        closed the TCP connection."""
        with gevent.Timeout(timeout):
            while not self.events:
                if not self.pump():
                    return None
            return self.events.popleft()

    def pump(self) -> bool:
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            return False
        self.conn.receive_data(data)
        for event in self.conn.events():
            if isinstance(event, Ping):
                self.pings += 1
                if self.pong:
                    self.write(event.response())
            else:
                self.events.append(event)
        return True

    def rest(self, timeout: float = 5.0) -> list[Event]:
        """Everything the hub sends until it closes the TCP connection."""
        seen = []
        while (event := self.next(timeout)) is not None:
            seen.append(event)
        return seen


@contextmanager
def serving(service: Recorder, cert_dir: Path | None = None) -> Iterator[HubServer]:
    tls = None
    if cert_dir is not None:
        cert, key = cert_dir / "hub.crt", cert_dir / "hub.key"
        make_self_signed(cert, key, ["127.0.0.1"])
        tls = server_context(cert, key)
    server = HubServer(service, "127.0.0.1", 0, tls)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    with gevent.Timeout(timeout):
        while not condition():
            gevent.sleep(0.01)


def http(port: int, request: bytes) -> bytes:
    """What the hub answers to `request`, up to its closing the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        return _read_until_closed(sock)


def test_only_a_websocket_upgrade_on_its_path_is_accepted() -> None:
    """The upgrade elsewhere than /ws is 404; a plain GET, or what is not HTTP, 400; a wrong
    WebSocket version 426: each an HTTP answer, then the connection is closed."""
    key = base64.b64encode(os.urandom(16)).decode()
    upgrade = ("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\n"
               "Sec-WebSocket-Version: {version}\r\n\r\n")
    service = Recorder()
    with serving(service) as server:
        port = server.address[1]
        elsewhere = http(port, upgrade.format(path="/", version=13).encode())
        assert elsewhere.startswith(b"HTTP/1.1 404 ")
        assert elsewhere.endswith(b"the desktop hub speaks WebSocket on /ws\n")
        plain = http(port, b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert plain.startswith(b"HTTP/1.1 400 ")
        assert http(port, b"hello\r\n\r\n").startswith(b"HTTP/1.1 400 ")
        old = http(port, upgrade.format(path="/ws", version=8).encode())
        assert old.startswith(b"HTTP/1.1 426 ") and b"Sec-WebSocket-Version: 13" in old
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(upgrade.format(path="/ws?v=1", version=13).encode())
            assert sock.recv(65536).startswith(b"HTTP/1.1 101 ")  # the path, less its query
        wait_for(lambda: service.ended == [False])


@pytest.mark.parametrize("step", ["tls", "upgrade"])
def test_a_socket_that_says_nothing_is_closed_after_the_handshake_deadline(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        step: str) -> None:
    """HANDSHAKE_SECONDS covers the TLS handshake and the HTTP upgrade together."""
    monkeypatch.setattr(hub_server, "HANDSHAKE_SECONDS", 0.3)
    with serving(Recorder(), tmp_path) as server, \
            caplog.at_level(logging.INFO, logger="callcenter.hub.server"), \
            socket.create_connection(server.address, timeout=5) as sock:
        if step == "upgrade":  # the TLS handshake is done, the HTTP request never comes
            sock = client_context(tmp_path / "hub.crt").wrap_socket(
                sock, server_hostname="127.0.0.1")
        assert _read_until_closed(sock) == b""
    assert any("did not finish its TLS handshake and upgrade" in r.getMessage()
               for r in caplog.records)


def test_messages_reach_the_service_in_order_whole_and_big_over_tls(tmp_path: Path) -> None:
    """Messages of several TLS records each (whose last bytes are already decrypted inside the
    SSL object when the socket has nothing more to read) arrive at once, not at the next ping;
    a fragmented message arrives joined; the replies come back in order. Desktop sockets have
    TCP_NODELAY."""
    service = Recorder(echo=True)
    with serving(service, tmp_path) as server:
        desktop = RawDesktop(server.address[1], tmp_path / "hub.crt")
        sent = [f"{n}:" + "é" * (n * 70_001) for n in range(4)]
        for text in sent:
            desktop.write(TextMessage(data=text))
        desktop.write(TextMessage(data="fr", message_finished=False))
        desktop.write(TextMessage(data="ag", message_finished=False))
        desktop.write(TextMessage(data="ment"))
        echoed = []
        while len(echoed) < len(sent) + 1:
            event = desktop.next(timeout=5)  # PING_SECONDS is 20: a stuck read shows here
            assert isinstance(event, TextMessage)
            text = event.data
            while not event.message_finished:
                event = desktop.next(timeout=5)
                assert isinstance(event, TextMessage)
                text += event.data
            echoed.append(text)
        assert echoed == [*sent, "fragment"] and service.received == echoed
        nodelay = service.clients[0]._sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert nodelay


def test_pings_keep_an_answering_desktop_and_close_a_silent_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_server, "PING_SECONDS", 0.1)
    monkeypatch.setattr(hub_server, "CLOSE_SECONDS", 0.5)
    service = Recorder()
    with serving(service) as server:
        answering = RawDesktop(server.address[1])
        silent = RawDesktop(server.address[1], pong=False)
        pumping = gevent.spawn(lambda: [None for _ in iter(answering.pump, False)])
        close = silent.next()
        assert isinstance(close, CloseConnection) and close.code == 1008
        assert silent.pings == 1
        assert silent.rest() == []  # then the socket is closed (the close was not answered)
        wait_for(lambda: service.ended == [False])
        wait_for(lambda: answering.pings >= 10)  # a second later, still answering
        assert not pumping.dead and not answering.events and service.ended == [False]
        pumping.kill()


def test_the_hub_closes_with_the_close_handshake(monkeypatch: pytest.MonkeyPatch) -> None:
    """What was queued, then the close frame; the desktop's answer ends the connection at
    once; a desktop that does not answer is cut off after CLOSE_SECONDS."""
    monkeypatch.setattr(hub_server, "CLOSE_SECONDS", 60.0)

    def bye(client: Client) -> None:
        client.send("bye")
        client.close()

    service = Recorder(on_connect=bye)
    with serving(service) as server:
        desktop = RawDesktop(server.address[1])
        said = desktop.next()
        assert isinstance(said, TextMessage) and said.data == "bye"
        close = desktop.next()
        assert isinstance(close, CloseConnection) and close.code == 1000
        desktop.write(close.response())
        assert desktop.rest(timeout=5) == []  # the hub closed the socket: well before 60 s
        wait_for(lambda: service.ended == [False])
        monkeypatch.setattr(hub_server, "CLOSE_SECONDS", 0.3)
        mute = RawDesktop(server.address[1])
        assert [type(e) for e in mute.rest(timeout=5)] == [TextMessage, CloseConnection]
        wait_for(lambda: service.ended == [False, False])


def test_the_desktop_closes_and_the_hub_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its ping is answered; its close too, and then the hub closes the socket."""
    monkeypatch.setattr(hub_server, "CLOSE_SECONDS", 60.0)
    service = Recorder()
    with serving(service) as server:
        desktop = RawDesktop(server.address[1])
        desktop.write(Ping(payload=b"still there?"))
        assert desktop.next() == Pong(payload=b"still there?")
        desktop.write(TextMessage(data="last words"))
        desktop.write(CloseConnection(code=1001, reason="going away"))
        answer = desktop.rest(timeout=5)
        assert len(answer) == 1 and isinstance(answer[0], CloseConnection)
        assert answer[0].code == 1001
        wait_for(lambda: service.ended == [False])
        assert service.received == ["last words"]


def test_a_message_over_the_transport_limit_is_not_read_to_its_end(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Closed with 1009 once more than TRANSPORT_LIMIT came in, while most of the frame is
    still to come; the service is told (`oversized`)."""
    monkeypatch.setattr(hub_server, "TRANSPORT_LIMIT", 64 * 1024)
    service = Recorder()
    with serving(service) as server:
        desktop = RawDesktop(server.address[1])
        frame = desktop.conn.send(TextMessage(data="x" * (4 * 1024 * 1024)))
        desktop.sock.sendall(frame[:128 * 1024])  # a 4 MiB frame, of which 128 KiB are sent
        close = desktop.next()
        assert isinstance(close, CloseConnection) and close.code == 1009
        desktop.sock.sendall(desktop.conn.send(close.response()))
        assert desktop.rest() == []
        wait_for(lambda: service.ended == [True])
        assert service.received == []


def test_a_desktop_that_does_not_keep_up_is_disconnected(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """SEND_QUEUE pushes waiting: the next one disconnects it at once (no close frame), and
    the push itself neither blocks nor raises."""
    monkeypatch.setattr(hub_server, "SEND_QUEUE", 10)

    def flood(client: Client) -> None:
        for n in range(11):  # no yield in between: the writer has not written any yet
            client.send(f"push {n}")

    service = Recorder(on_connect=flood)
    with serving(service) as server:
        desktop = RawDesktop(server.address[1])
        assert desktop.rest() == []
        wait_for(lambda: service.ended == [False])
        assert service.clients[0].closed.is_set()


def test_a_connection_that_does_not_log_in_is_closed(monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(hub_server, "LOGIN_SECONDS", 0.3)
    with serving(Recorder()) as server, \
            caplog.at_level(logging.INFO, logger="callcenter.hub.server"):
        desktop = RawDesktop(server.address[1])
        close = desktop.next()
        assert isinstance(close, CloseConnection) and close.code == 1000
        desktop.write(close.response())
        assert desktop.rest() == []
    assert any("did not log in within" in r.getMessage() for r in caplog.records)


def test_stopping_closes_every_desktop_and_takes_no_new_one() -> None:
    service = Recorder()
    server = HubServer(service, "127.0.0.1", 0, None)
    server.start()
    desktop = RawDesktop(server.address[1])
    wait_for(lambda: service.clients)
    server.stop()
    close = desktop.next()
    assert isinstance(close, CloseConnection) and close.code == 1000
    desktop.write(close.response())
    assert desktop.rest() == []
    wait_for(lambda: service.ended == [False])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(server.address, timeout=5)
