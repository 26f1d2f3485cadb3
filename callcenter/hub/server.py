"""The hub's transport: WebSocket (simple-websocket, on wsproto) over TLS on gevent's WSGI server.

One greenlet reads each client and hands every message to the service in order; a second one
writes, from a bounded queue, so a slow or stuck desktop never holds up the events of the
switch. A client whose queue overflows is disconnected: it comes back with `resume` and gets
what it missed (or a new snapshot)."""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import gevent
import gevent.event
import gevent.lock
import gevent.pywsgi
import gevent.queue
import gevent.selectors
from simple_websocket import ConnectionClosed, Server

from callcenter.hub.sessions import HubSession
from protocol.messages import MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)

PATH = "/ws"
SEND_QUEUE = 1000  # pushes waiting for a slow client before it is disconnected
PING_SECONDS = 20.0
RECEIVE_BYTES = 16384  # one whole TLS record per read
HANDSHAKE_SECONDS = 10.0  # TLS handshake and HTTP upgrade
LOGIN_SECONDS = 30.0  # a connection that has not logged in (or resumed) by then is closed
CLOSE_SECONDS = 5.0  # at most this long to write what is queued, then for the desktop to answer
# the close, when a connection ends
# A frame this big is not read at all: the connection is closed (1009). Below it, the
# protocol's own limit answers with an error and keeps the connection.
TRANSPORT_LIMIT = 4 * MAX_MESSAGE_BYTES


class _GreenThread:
    """simple-websocket runs its reader in a "thread"; here, a greenlet."""

    def __init__(self, target: Callable[[], None]) -> None:
        self._greenlet = gevent.Greenlet(target)
        self.name = "websocket-reader"

    def start(self) -> None:
        self._greenlet.start()

    def join(self, timeout: float | None = None) -> None:
        self._greenlet.join(timeout)

    def is_alive(self) -> bool:
        return bool(self._greenlet)  # started and not dead


class TlsAwareSelector(gevent.selectors.GeventSelector):
    """simple-websocket waits for its socket with a selector between reads (to time its pings);
    over TLS, bytes already decrypted inside the SSL object do not make the socket readable, so
    the rest of a big message would wait for the next ping. Such a socket counts as ready."""

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = [(key, selectors.EVENT_READ) for key in self.get_map().values()
                 if getattr(key.fileobj, "pending", None) and key.fileobj.pending()]
        return ready or super().select(timeout)


class SendAll:
    """The socket simple-websocket writes to, with `send` made whole and atomic.

    simple-websocket 1.1.0 writes each frame with one `sock.send()`, which over TLS may write
    only part of it (miguelgrinberg/simple-websocket#45, fixed after 1.1.0): big messages were
    cut. Here every send is a `sendall`, under a lock so a pong written by the reader cannot
    land in the middle of a message."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._lock = gevent.lock.RLock()

    def send(self, data: bytes) -> int:
        with self._lock:
            self._sock.sendall(data)
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def whole_sends(ws: Any) -> Any:
    ws.sock = SendAll(ws.sock)
    return ws


class Client:
    """One connected desktop. `session` is set once it logged in or resumed."""

    def __init__(self, ws: Server, address: str) -> None:
        self.ws = ws
        self.address = address
        self.session: HubSession | None = None
        self.token: str | None = None
        self.ready = False  # welcomed (reply, then replay or snapshot): pushes may flow
        self._out: gevent.queue.Queue[str | None] = gevent.queue.Queue(SEND_QUEUE)
        self.closed = gevent.event.Event()
        self._writer = gevent.spawn(self._write)

    def send(self, text: str) -> None:
        """Queue one message; never blocks nor raises (it runs on the switch's event path)."""
        if self.closed.is_set():
            return
        try:
            self._out.put_nowait(text)
        except gevent.queue.Full:
            log.warning("hub: %s does not keep up; disconnected", self.name)
            self.abort()

    @property
    def name(self) -> str:
        return f"{self.session.username}@{self.address}" if self.session else self.address

    def close(self) -> None:
        """After what is queued has been written (a close frame, then the socket)."""
        if not self.closed.is_set():
            self.closed.set()
            try:
                self._out.put_nowait(None)
            except gevent.queue.Full:
                self.abort()

    def finish(self, timeout: float) -> None:
        """Before pywsgi closes the socket: what was queued before `close()` is written (or
        dropped), then simple-websocket's reader has ended. That greenlet waits on the socket's
        descriptor number (a selector, to time its pings), and its SSL object reads that number
        directly: left waiting after the socket is closed, it woke when the number was reused
        by the next connection and read (TLS: failed to decrypt) that connection's bytes, whose
        requests were never answered. It ends when the desktop answers the close frame or
        closes its end; if neither comes in time (or this greenlet is killed, the server
        stopping), the socket is shut down, which wakes it (end of file)."""
        reader = self.ws.thread
        deadline = time.monotonic() + timeout
        try:
            self._writer.join(timeout)
            reader.join(max(0.0, deadline - time.monotonic()))
        finally:
            if reader.is_alive():
                sock = getattr(self.ws.sock, "_sock", self.ws.sock)
                with contextlib.suppress(Exception):
                    sock.shutdown(socket.SHUT_RDWR)
                reader.join(timeout)

    def abort(self) -> None:
        """At once, without a close frame: the writer may be stuck mid-message (TLS state
        half written), so the socket is shut, in a greenlet of its own."""
        self.closed.set()
        self._writer.kill(block=False)
        gevent.spawn(self._shut)

    def _shut(self) -> None:
        sock = getattr(self.ws.sock, "_sock", self.ws.sock)
        with contextlib.suppress(Exception):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(Exception):
            sock.close()

    def _write(self) -> None:
        try:
            while (text := self._out.get()) is not None:
                self.ws.send(text)
        except Exception:  # the peer went away (or the protocol state did): nothing to write
            pass
        finally:
            self.closed.set()
            with contextlib.suppress(Exception):
                self.ws.close()


class Service(Protocol):
    def connected(self, client: Client) -> None: ...
    def handle(self, client: Client, raw: str | bytes) -> None: ...
    def disconnected(self, client: Client, oversized: bool = False) -> None: ...


StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class _Handler(gevent.pywsgi.WSGIHandler):
    """After a WebSocket the connection is closed: pywsgi would otherwise read the desktop's
    last frames as the next HTTP request of a keep-alive connection (and answer in clear)."""

    def run_application(self) -> None:
        try:
            super().run_application()
        finally:
            if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
                self.close_connection = True


class _Server(gevent.pywsgi.WSGIServer):
    """A TLS handshake and the HTTP upgrade must be done within HANDSHAKE_SECONDS: a socket
    that opens and says nothing does not hold a greenlet and a descriptor for ever."""

    handler_class = _Handler

    def wrap_socket_and_handle(self, client_socket: Any, address: Any) -> Any:
        client_socket.settimeout(HANDSHAKE_SECONDS)
        try:
            return super().wrap_socket_and_handle(client_socket, address)
        except (OSError, ssl.SSLError) as exc:
            log.info("hub: TLS handshake with %s:%s failed: %s", *address[:2], exc)
            return None

    def handle(self, sock: Any, address: Any) -> Any:
        sock.settimeout(HANDSHAKE_SECONDS)  # until the upgrade (then the pings watch it)
        # Pushes are small writes, often two in a row (a status, then the screen-pop): with
        # Nagle's algorithm the second waits for the desktop's delayed ACK, 40 ms on Linux.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().handle(sock, address)


class HubServer:
    """`wss://host:port/ws`; plain `ws://` only when no TLS context is given (127.0.0.1)."""

    def __init__(self, service: Service, host: str, port: int,
                 tls: ssl.SSLContext | None) -> None:
        if tls is None and host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError(f"plain ws:// is only allowed on 127.0.0.1, not {host}")
        self.service = service
        self.clients: set[Client] = set()
        tls_args = {"ssl_context": tls} if tls is not None else {}
        self._server = _Server((host, port), self._app, log=None, error_log=log, **tls_args)

    @property
    def address(self) -> tuple[str, int]:
        return self._server.server_host, self._server.server_port

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        for client in list(self.clients):
            client.close()
        self._server.stop(timeout=1)

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or \
                environ.get("HTTP_UPGRADE", "").lower() != "websocket":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"the desktop hub speaks WebSocket on /ws\n"]
        ws = whole_sends(Server.accept(
            environ, max_message_size=TRANSPORT_LIMIT, ping_interval=PING_SECONDS,
            thread_class=_GreenThread, event_class=gevent.event.Event,
            selector_class=TlsAwareSelector, receive_bytes=RECEIVE_BYTES))
        with contextlib.suppress(OSError):
            ws.sock.settimeout(None)  # upgraded: the WebSocket's pings watch the link now
        client = Client(ws, f"{environ.get('REMOTE_ADDR')}:{environ.get('REMOTE_PORT')}")
        self.clients.add(client)
        try:
            self.service.connected(client)
            self._read(client)
        finally:
            self.clients.discard(client)
            client.close()
            # pywsgi closes the socket once this returns: the last replies go out first, and
            # nothing is left watching the socket
            client.finish(CLOSE_SECONDS)
            # simple-websocket closes a connection whose frame is over the limit (1009)
            oversized = getattr(ws, "incoming_message_len", 0) > TRANSPORT_LIMIT
            self.service.disconnected(client, oversized)
        return []  # the socket now belongs to the WebSocket; nothing more is written

    def _read(self, client: Client) -> None:
        opened = time.monotonic()
        while not client.closed.is_set():
            if client.session is None and time.monotonic() - opened > LOGIN_SECONDS \
                    and client.token is None:
                log.info("hub: %s did not log in within %s s; closed", client.name,
                         LOGIN_SECONDS)
                return
            try:
                raw = client.ws.receive(timeout=1.0)
            except (ConnectionClosed, OSError):
                return
            if raw is None:
                if not client.ws.connected:
                    return
                continue
            try:
                self.service.handle(client, raw)
            except Exception:  # one bad message must not end the others' service
                log.exception("hub: handling a message from %s failed", client.name)
