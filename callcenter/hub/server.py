"""The hub's transport: WebSocket over TLS, wsproto's protocol driven from gevent sockets.

A gevent StreamServer accepts; each connection's greenlet does the TLS handshake and reads the
HTTP request (wsproto parses it: a WebSocket upgrade on PATH is answered 101, anything else with
an HTTP error, then closed), and stays as that connection's reader: a plain blocking `recv` on
the gevent socket (bytes already decrypted inside the SSL object come back at once; nothing
waits on the descriptor in between), every message handed to the service in order, a ping every
PING_SECONDS. A second greenlet writes, from a bounded queue, so a slow or stuck desktop never
holds up the events of the switch. A client whose queue overflows is disconnected: it comes back
with `resume` and gets what it missed (or a new snapshot).

Only the writer writes, only the reader reads, and the reader closes the socket once the writer
is done: no greenlet is ever left waiting on a descriptor that is closed (and may be reused by
the next connection).

Connections are bounded (ConnectionLimits): at most so many open at once from one address and in
all, counted from the accept to the socket's close; one beyond is closed at once, before its TLS
handshake. With the handshake deadline and the login deadline, an address that never logs in
holds at most its share, each for at most HANDSHAKE_SECONDS + LOGIN_SECONDS +
CLOSE_SECONDS."""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, Protocol

import gevent
import gevent.event
import gevent.lock
import gevent.queue
import gevent.server
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    Message,
    Ping,
    Pong,
    RejectConnection,
    Request,
    TextMessage,
)
from wsproto.frame_protocol import CloseReason
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from callcenter.hub.sessions import HubSession
from protocol.base import MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)

PATH = "/ws"
SEND_QUEUE = 1000  # pushes waiting for a slow client before it is disconnected
WRITE_AT_ONCE = 64  # queued frames joined into one write (fewer system calls and TLS records)
PING_SECONDS = 20.0  # a ping this often; one still unanswered at the next closes the connection
RECEIVE_BYTES = 16384  # one whole TLS record per read
HANDSHAKE_SECONDS = 10.0  # TLS handshake and HTTP upgrade, together
LOGIN_SECONDS = 30.0  # a connection that has not logged in (or resumed) by then is closed
CLOSE_SECONDS = 5.0  # at most this long to write what is queued, then for the desktop to answer
# the close, when a connection ends; then its socket is shut down
# A message this big is not read to its end: once more than this has come in, the connection
# is closed (1009). Below it, the protocol's own limit answers with an error and keeps it.
TRANSPORT_LIMIT = 4 * MAX_MESSAGE_BYTES
MAX_CONNECTIONS = 2000  # open at once, in all ([hub] max_connections)
MAX_CONNECTIONS_PER_ADDRESS = 100  # open at once from one address
REFUSALS_LOGGED_EVERY = 60.0  # seconds: refusals are counted, and logged at most this often


class ConnectionLimits:
    """The connections a server has open, in all and per remote address. `admit` says no to one
    over either limit (its caller closes it at once, having read nothing); each one admitted
    is `release`d when it is over. Refusals are logged at most once a minute, with how many
    there were (a flood of them does not flood the log)."""

    def __init__(self, total: int, per_address: int, logger: logging.Logger | None = None,
                 name: str = "hub") -> None:
        if total < 1 or per_address < 1:
            raise ValueError("connection limits must be at least 1")
        self.total, self.per_address, self.name = total, per_address, name
        self.open = 0
        self.by_address: dict[str, int] = {}
        self.refused = 0  # since the start
        self._log = logger or log
        self._unlogged, self._logged_at = 0, -REFUSALS_LOGGED_EVERY

    def admit(self, address: str) -> bool:
        held = self.by_address.get(address, 0)
        if self.open >= self.total or held >= self.per_address:
            self.refused += 1
            self._unlogged += 1
            now = time.monotonic()
            if now - self._logged_at >= REFUSALS_LOGGED_EVERY:
                self._log.warning(
                    "%s: refused a connection from %s: %d open from it (limit %d), %d in all "
                    "(limit %d); %d refused since the last such line", self.name, address,
                    held, self.per_address, self.open, self.total, self._unlogged)
                self._unlogged, self._logged_at = 0, now
            return False
        self.open += 1
        self.by_address[address] = held + 1
        return True

    def release(self, address: str) -> None:
        self.open -= 1
        held = self.by_address.pop(address, 0) - 1
        if held > 0:
            self.by_address[address] = held


class Client:
    """One connected desktop. `session` is set once it logged in or resumed."""

    def __init__(self, sock: socket.socket, conn: WSConnection, address: str) -> None:
        self.address = address
        self.session: HubSession | None = None
        self.token: str | None = None
        self.ready = False  # welcomed (reply, then replay or snapshot): pushes may flow
        self.closed = gevent.event.Event()  # the connection is ending: nothing more is sent
        self.oversized = False  # closed for a message over TRANSPORT_LIMIT (1009)
        self._sock = sock
        self._conn = conn
        self._out: gevent.queue.Queue[Event] = gevent.queue.Queue(SEND_QUEUE)
        self._shut_later: gevent.Greenlet[[], None] | None = None
        self._writer = gevent.spawn(self._write)

    def send(self, text: str) -> None:
        """Queue one message; never blocks nor raises (it runs on the switch's event path)."""
        if not self.closed.is_set():
            self._queue(TextMessage(data=text))

    @property
    def name(self) -> str:
        return f"{self.session.username}@{self.address}" if self.session else self.address

    def close(self, code: int = CloseReason.NORMAL_CLOSURE, reason: str | None = None) -> None:
        """After what is queued has been written: a close frame, which the desktop answers, then
        the socket closes. If that takes over CLOSE_SECONDS, the socket is shut down."""
        if self.closed.is_set():
            return
        self.closed.set()
        self._shut_later = gevent.spawn_later(CLOSE_SECONDS, self._shut)
        self._queue(CloseConnection(code=code, reason=reason))

    def abort(self) -> None:
        """At once, without a close frame: the writer may be stuck mid-message (TLS state half
        written). The socket is shut down, which wakes the reader: it ends the connection."""
        self.closed.set()
        self._writer.kill(block=False)
        self._shut()

    def _queue(self, event: Event) -> None:
        try:
            self._out.put_nowait(event)
        except gevent.queue.Full:
            log.warning("hub: %s does not keep up; disconnected", self.name)
            self.abort()

    def _shut(self) -> None:
        with contextlib.suppress(Exception):
            self._sock.shutdown(socket.SHUT_RDWR)

    # -- the writer: its own greenlet ------------------------------------------------

    def _write(self) -> None:
        """Every frame in order (those waiting joined into one write), up to the close frame.
        Once the connection is closing, wsproto refuses any other frame: those are dropped."""
        try:
            while True:
                batch = [self._out.get()]
                while len(batch) < WRITE_AT_ONCE and self._out.qsize():
                    batch.append(self._out.get_nowait())
                data, last = bytearray(), False
                for event in batch:
                    with contextlib.suppress(LocalProtocolError):
                        data += self._conn.send(event)
                    if isinstance(event, CloseConnection):
                        last = True
                        break
                if data:
                    self._sock.sendall(data)
                if last:
                    return
        except Exception as exc:  # the desktop went away, or the socket was shut down under it
            log.debug("hub: %s: writer ended: %s", self.name, exc)

    # -- the reader: the connection's own greenlet -----------------------------------

    def _read(self, handle: Callable[[Client, str | bytes], None]) -> None:
        """Until the desktop closes (or answers our close), goes away, or the socket is shut
        down. Once the connection is closing, what still comes is read but not handled."""
        opened = time.monotonic()
        next_ping, unanswered = opened + PING_SECONDS, False
        parts: list[Any] = []  # the fragments of a message still coming
        size = 0
        while True:
            timeout = None  # closing: the close frame's answer, or the shutdown, ends the wait
            if not self.closed.is_set():
                now = time.monotonic()
                anonymous = self.session is None and self.token is None
                if anonymous and now - opened >= LOGIN_SECONDS:
                    log.info("hub: %s did not log in within %s s; closed", self.name,
                             LOGIN_SECONDS)
                    self.close()
                    continue
                if now >= next_ping:
                    if unanswered:
                        log.info("hub: %s did not answer a ping within %s s; closed",
                                 self.name, PING_SECONDS)
                        self.close(CloseReason.POLICY_VIOLATION, "no answer to ping")
                        continue
                    self._queue(Ping())
                    next_ping, unanswered = now + PING_SECONDS, True
                due = min(next_ping, opened + LOGIN_SECONDS) if anonymous else next_ping
                timeout = max(0.0, due - now)
            data = self._recv(timeout)
            if data is None:
                continue  # a ping or a deadline is due
            self._conn.receive_data(data or None)  # None: the connection is gone (1006)
            for event in self._conn.events():
                if isinstance(event, Message):
                    if self.closed.is_set():
                        continue
                    size += len(event.data)
                    if size > TRANSPORT_LIMIT:
                        log.info("hub: %s sent a message over %s bytes; closed", self.name,
                                 TRANSPORT_LIMIT)
                        self.oversized = True
                        parts.clear()
                        self.close(CloseReason.MESSAGE_TOO_BIG, "message too big")
                    elif not event.message_finished:
                        parts.append(event.data)
                    else:
                        raw = _joined(parts, event.data)
                        parts.clear()
                        size = 0
                        try:
                            handle(self, raw)
                        except Exception:  # one bad message must not end the others' service
                            log.exception("hub: handling a message from %s failed", self.name)
                elif isinstance(event, Ping):
                    if not self.closed.is_set():
                        self._queue(event.response())
                elif isinstance(event, Pong):
                    unanswered = False
                elif isinstance(event, CloseConnection):
                    # the desktop's close (answered), or a frame it got wrong (closed with
                    # wsproto's code); CLOSED: it answered ours, or it went away
                    if self._conn.state is not ConnectionState.CLOSED:
                        self.close(event.code, event.reason)
                    return

    def _recv(self, timeout: float | None) -> bytes | None:
        """The next bytes (b"" once the connection is over), or None if `timeout` passed."""
        timer = gevent.Timeout(timeout)
        timer.start()
        try:
            return self._sock.recv(RECEIVE_BYTES)
        except gevent.Timeout as exc:
            if exc is not timer:
                raise
            return None
        except (OSError, ValueError):  # reset, TLS failure, or shut down (gevent's SSLSocket
            return b""  # then says ValueError)
        finally:
            timer.close()

    def _end(self) -> None:
        """After the reader: the close is written (if the desktop did not say it first), the
        writer ends (within CLOSE_SECONDS: then the socket is shut down under it), and only
        then is the socket closed."""
        try:
            self.close()
            self._writer.join()
        finally:
            if self._shut_later is not None:
                self._shut_later.kill(block=False)
            self._writer.kill(timeout=1)  # only if this greenlet itself was killed
            self._sock.close()


def _joined(parts: list[Any], last: str | bytes) -> str | bytes:
    if isinstance(last, str):
        return "".join([*parts, last]) if parts else last
    return b"".join([*parts, last])


class Service(Protocol):
    def connected(self, client: Client) -> None: ...
    def handle(self, client: Client, raw: str | bytes) -> None: ...
    def disconnected(self, client: Client, oversized: bool = False) -> None: ...


class HubServer:
    """`wss://host:port/ws`; plain `ws://` only when no TLS context is given (127.0.0.1).
    `limits`: the connections it keeps open at once (by default MAX_CONNECTIONS in all and
    MAX_CONNECTIONS_PER_ADDRESS from one address); a server that replaces another on the same
    port may share its limits (the old one's connections count until they are closed)."""

    def __init__(self, service: Service, host: str, port: int,
                 tls: ssl.SSLContext | None, limits: ConnectionLimits | None = None) -> None:
        if tls is None and host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError(f"plain ws:// is only allowed on 127.0.0.1, not {host}")
        self.service = service
        self.clients: set[Client] = set()
        self.limits = limits or ConnectionLimits(MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS,
                                                 log)
        self._tls = tls
        self._stopped = False
        self._server = gevent.server.StreamServer((host, port), self._connection)

    @property
    def address(self) -> tuple[str, int]:
        return str(self._server.server_host), int(self._server.server_port or 0)

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        """No new connection; every desktop is sent a close (each ends within CLOSE_SECONDS)."""
        self._stopped = True
        for client in list(self.clients):
            client.close()
        self._server.stop()

    def _connection(self, raw: socket.socket, address: Any) -> None:
        host = str(address[0])
        if not self.limits.admit(host):
            raw.close()  # at once, before any TLS handshake
            return
        try:
            self._serve(raw, f"{host}:{address[1]}")
        finally:
            self.limits.release(host)

    def _serve(self, raw: socket.socket, peer: str) -> None:
        # Pushes are small writes, often two in a row (a status, then the screen-pop): with
        # Nagle's algorithm the second waits for the desktop's delayed ACK, 40 ms on Linux.
        with contextlib.suppress(OSError):
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock, conn = self._open(raw, peer)
        if conn is None:
            sock.close()
            return
        client = Client(sock, conn, peer)
        self.clients.add(client)
        try:
            self.service.connected(client)
            client._read(self.service.handle)
        finally:
            self.clients.discard(client)
            try:
                client._end()
            finally:
                self.service.disconnected(client, client.oversized)

    def _open(self, raw: socket.socket, peer: str) -> tuple[socket.socket,
                                                             WSConnection | None]:
        """The TLS handshake and the HTTP upgrade, within HANDSHAKE_SECONDS: a socket that opens
        and says nothing does not hold a greenlet and a descriptor for ever."""
        sock = raw
        deadline = gevent.Timeout(HANDSHAKE_SECONDS)
        deadline.start()
        try:
            if self._tls is not None:
                # the SSL socket owns the descriptor from here on: it is the one to close
                sock = self._tls.wrap_socket(raw, server_side=True,
                                             do_handshake_on_connect=False)
                try:
                    sock.do_handshake()
                except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                    log.info("hub: TLS handshake with %s failed: %s", peer, exc)
                    return sock, None
            return sock, self._upgrade(sock)
        except gevent.Timeout as exc:
            if exc is not deadline:
                raise
            log.info("hub: %s did not finish its TLS handshake and upgrade within %s s", peer,
                     HANDSHAKE_SECONDS)
        except (OSError, ValueError) as exc:
            log.info("hub: %s went away before its upgrade: %s", peer, exc)
        finally:
            deadline.close()
        return sock, None

    def _upgrade(self, sock: socket.socket) -> WSConnection | None:
        """The HTTP request: a WebSocket upgrade on PATH is accepted (101, the connection is
        returned); anything else is answered with an HTTP error (None: it is closed)."""
        conn = WSConnection(ConnectionType.SERVER)
        while data := sock.recv(RECEIVE_BYTES):
            try:
                conn.receive_data(data)
            except RemoteProtocolError as exc:  # not HTTP, or not a WebSocket upgrade
                hint = exc.event_hint
                sock.sendall(_http_error(hint.status_code, hint.headers)
                             if isinstance(hint, RejectConnection) else _http_error(400))
                return None
            for event in conn.events():
                if not isinstance(event, Request):
                    continue
                if event.target.partition("?")[0] != PATH:
                    sock.sendall(_http_error(404))
                    return None
                if self._stopped:
                    sock.sendall(_http_error(503))
                    return None
                sock.sendall(conn.send(AcceptConnection()))
                return conn
        return None  # closed before asking


def _http_error(status: int, headers: Iterable[tuple[bytes, bytes]] = ()) -> bytes:
    body = f"the desktop hub speaks WebSocket on {PATH}\n".encode()
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode(),
             b"Content-Type: text/plain; charset=utf-8", b"Content-Length: %d" % len(body),
             b"Connection: close", *(name + b": " + value for name, value in headers)]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
