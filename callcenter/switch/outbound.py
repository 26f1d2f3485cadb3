"""The daemon's end of FreeSWITCH's outbound socket (`socket <host:port> async full`): a
server that gets one connection per call, and `OutboundCall`, which drives it.

Built on greenswitch: OutboundServer keeps OutboundESLServer's contract (an application called
with each call, a connection limit) but listens with gevent's StreamServer (greenswitch polls
accept every 100 ms and calls sys.exit when the port is taken). Applications are run with an
`event-uuid` of our own, so their CHANNEL_EXECUTE_COMPLETE is matched exactly, not by name.

The socket has no authentication of its own: whoever connects claims to be FreeSWITCH. The
server closes at once a peer whose address is not allowed, and any session beyond the bounds
(per address, in total); every session has a deadline. What a session may do once it has told
its channel is the application's decision (callcenter.ivr.guard)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import time
import uuid as uuidlib
from collections import Counter
from collections.abc import Callable

import gevent
import gevent.event
import gevent.pool
import gevent.server
import gevent.socket
from greenswitch.esl import ESLProtocol, OutboundESLServer

from callcenter.switch.connection import EslConnection
from callcenter.switch.errors import CommandTimeout, ConnectionLost, SwitchError
from callcenter.switch.event import Event

log = logging.getLogger(__name__)


class CallGone(SwitchError):
    """The caller hung up (or the socket closed) while we were driving the call."""


class SessionRefused(SwitchError):
    """The session is not served: `reason` is a short word (the metric's label)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class SessionExpired(SwitchError):
    """The session outlived its deadline."""


def peer_host(address: tuple[str, int] | tuple[str, int, int, int]) -> str:
    """The peer's address as the allow list reads it: an IPv4 address that came in on an IPv6
    socket (`::ffff:127.0.0.1`) is the IPv4 address; an IPv6 zone is dropped."""
    host = str(address[0]).split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


class OutboundCall(EslConnection):
    """One call handed to us by the dialplan."""

    def __init__(self, sock: gevent.socket.socket, address: tuple[str, int],
                 command_timeout: float = 10.0) -> None:
        ESLProtocol.__init__(self)
        self._setup(command_timeout)
        self.sock = sock
        self.peer = f"{address[0]}:{address[1]}"
        self.host = peer_host(address)
        self.started = time.monotonic()
        self.connected = True
        self.channel: Event | None = None
        self._executing: dict[str, gevent.event.AsyncResult[Event]] = {}
        self.hungup = gevent.event.Event()
        self.register_handle("CHANNEL_EXECUTE_COMPLETE", self._completed)
        self.register_handle("CHANNEL_HANGUP", self._hangup)
        self.register_handle("DISCONNECT", self._hangup)
        self.start_event_handlers()

    @property
    def uuid(self) -> str:
        return self.channel["Unique-ID"] if self.channel is not None else ""

    def connect(self, timeout: float | None = None) -> Event:
        """`connect`: the channel's data (caller, destination, variables), as the peer
        claims it. Nothing else is sent until the application has decided to serve it."""
        reply = self.send("connect", timeout)
        if not isinstance(reply, Event):
            raise ConnectionLost(f"{self.peer}: `connect` got no channel data")
        self.channel = reply
        return reply

    def follow(self) -> None:
        """The channel's events (`myevents`), and the socket kept after the hangup (`linger`).

        No `resume`: the dialplan runs `socket … async`, whose park ends when this socket
        closes (mod_event_socket.c socket_function → switch_ivr_park; listener_run clears
        CF_CONTROLLED), so a daemon that dies mid-menu leaves the caller with the static
        menu anyway. `resume` would also set CS_RESET when the socket closes after the
        call was transferred to its queue (listener_run), breaking it out of the queue:
        capture hotline_ivr_resume_breakout. It cannot be taken back once sent."""
        self.send("myevents")
        self.send("linger")

    def hand_back(self, timeout: float) -> None:
        """Leave the channel to the dialplan's next action, then close: used for a session
        that will not be served, which may be the real switch's.

        Closing is not enough by itself. FreeSWITCH: mod_event_socket.c socket_function
        (async) waits for LFLAG_CONNECTED (set by `connect`) or the listener's end, then calls
        switch_ivr_park, which sets CF_CONTROLLED and loops while it stays set (switch_ivr.c
        switch_ivr_park); listener_run clears it when the socket ends. A socket that ends
        before the park has set the flag leaves nothing to clear it: the caller would stay
        parked in silence. A `sendmsg` application runs inside the park's loop
        (switch_ivr_parse_event), so once a no-op one has completed, the park is there and
        closing ends it: the `socket` application returns and the static menu follows."""
        end = time.monotonic() + timeout
        with contextlib.suppress(SwitchError):
            self.send("myevents", timeout)
            self.execute("sleep", "0", max(0.01, end - time.monotonic()))
        self.close("refused")

    def execute(self, app: str, arg: str = "", timeout: float | None = None) -> Event:
        """Run a dialplan application and wait for it to complete (at most `timeout`, the
        command timeout if None); CallGone on hangup."""
        if self.hungup.is_set():
            raise CallGone(f"{app}: the caller has hung up")
        limit = self.command_timeout if timeout is None else timeout
        event_uuid = str(uuidlib.uuid4())
        done: gevent.event.AsyncResult[Event] = gevent.event.AsyncResult()
        self._executing[event_uuid] = done
        lines = ["sendmsg", "call-command: execute", f"execute-app-name: {app}"]
        if arg:
            lines.append(f"execute-app-arg: {arg}")
        lines += ["event-lock: true", f"event-uuid: {event_uuid}"]
        started = time.monotonic()
        try:
            self.send("\n".join(lines), limit)
            completion = done.get(timeout=max(0.0, limit - (time.monotonic() - started)))
        except gevent.Timeout:
            raise CommandTimeout(f"{app}: not complete within {limit:g} s") from None
        except ConnectionLost as exc:
            raise CallGone(f"{app}: {exc}") from exc
        finally:
            self._executing.pop(event_uuid, None)
        if completion is None:  # only an event or an exception is ever set
            raise CallGone(f"{app}: no completion")
        if completion.get("Answer-State") == "hangup":
            # The caller hung up during the application. Its EXECUTE_COMPLETE (Hangup-Cause
            # set) may come before CHANNEL_HANGUP (capture hotline_ivr_menu_hangup): what it
            # returns (no digits, say) is not the caller's answer.
            self._hangup(None)
            raise CallGone(f"{app}: the caller hung up ({completion.get('Hangup-Cause')})")
        return completion

    def set(self, name: str, value: str) -> None:
        self.execute("set", f"{name}={value}")

    def hangup(self, cause: str = "NORMAL_CLEARING") -> None:
        if not self.hungup.is_set():
            self.send(f"sendmsg\ncall-command: hangup\nhangup-cause: {cause}")

    def close(self, reason: str) -> None:
        """End the connection now, without a goodbye."""
        self._close(reason)

    def _completed(self, event: Event) -> None:
        waiter = self._executing.get(event.get("Application-UUID") or "")
        if waiter is not None:
            waiter.set(event)

    def _close(self, reason: str) -> None:
        super()._close(reason)
        self._hangup(None)  # no application will complete on a closed socket

    def _hangup(self, _event: Event | None) -> None:
        self.hungup.set()
        for waiter in self._executing.values():
            if not waiter.ready():
                waiter.set_exception(CallGone("the caller has hung up"))


Application = Callable[[OutboundCall], None]


class OutboundServer(OutboundESLServer):
    """Accept FreeSWITCH's connections, one greenlet per call: at most `max_connections` at
    once, `max_per_peer` from one address, only from addresses `peer_allowed` accepts, each
    for at most `session_seconds`. A connection beyond is closed at once, logged and counted
    in `refused` (by reason), as is a session the application refuses (SessionRefused)."""

    def __init__(self, host: str, port: int, application: Application,
                 max_connections: int = 1000, command_timeout: float = 10.0, *,
                 max_per_peer: int | None = None,
                 peer_allowed: Callable[[str], bool] = lambda _host: True,
                 session_seconds: float | None = None) -> None:
        super().__init__(host, port, application, max_connections)
        self.command_timeout = command_timeout
        self.max_per_peer = max_per_peer or max_connections
        self.peer_allowed = peer_allowed
        self.session_seconds = session_seconds
        self.per_peer: Counter[str] = Counter()  # sessions now, by peer address
        self.refused: Counter[str] = Counter()  # sessions refused, by reason
        # Unbounded: the bounds are counted here and a connection beyond them is closed at
        # once; a bounded pool would stop accepting, and FreeSWITCH would wait on a socket
        # nobody reads (its caller parked). stop() kills what is still running.
        self._pool = gevent.pool.Pool()
        self._server = gevent.server.StreamServer((host, port), self._accept, spawn=self._pool)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_host, self._server.server_port
        if host is None or port is None:
            raise RuntimeError("the IVR server is not listening")
        return host, port

    def listen(self) -> None:
        """Start listening (returns at once; raises OSError if the port is taken)."""
        self._server.start()
        self._running = True

    def stop(self) -> None:
        self._running = False
        self._server.stop(timeout=2)

    def _gate(self, host: str) -> SessionRefused | None:
        if not self.peer_allowed(host):
            return SessionRefused("peer", f"{host} is not an allowed switch address")
        if self.connection_count >= self.max_connections:
            return SessionRefused("limit", f"{self.max_connections} sessions already")
        if self.per_peer[host] >= self.max_per_peer:
            return SessionRefused("peer_limit", f"{self.max_per_peer} sessions from {host} "
                                                "already")
        return None

    def _refuse(self, refusal: SessionRefused, peer: str) -> None:
        self.refused[refusal.reason] += 1
        log.warning("IVR: session from %s refused (%s): %s", peer, refusal.reason, refusal)

    def _accept(self, sock: gevent.socket.socket, address: tuple[str, int]) -> None:
        host = peer_host(address)
        refusal = self._gate(host)
        if refusal is not None:
            self._refuse(refusal, f"{address[0]}:{address[1]}")
            with contextlib.suppress(OSError):
                sock.close()
            return
        self.connection_count += 1
        self.per_peer[host] += 1
        call = OutboundCall(sock, address, self.command_timeout)
        expired = SessionExpired(f"the session outlived its {self.session_seconds} s")
        try:
            with gevent.Timeout(self.session_seconds, expired):
                self.application(call)
        except SessionRefused as exc:
            call.close(f"refused: {exc.reason}")  # handed back already, or not talking
            self._refuse(exc, call.peer)
        except (SwitchError, OSError) as exc:
            if isinstance(exc, SessionExpired | CommandTimeout):
                call.close(str(exc))  # the peer is stuck: no goodbye it would not answer
            log.info("call %s ended: %s", call.uuid or call.peer, exc)
        except Exception:  # one call's bug must not touch another call
            log.exception("call %s failed", call.uuid or call.peer)
        finally:
            self.connection_count -= 1
            self.per_peer[host] -= 1
            if not self.per_peer[host]:
                del self.per_peer[host]
            call.stop()
