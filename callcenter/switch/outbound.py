"""The daemon's end of FreeSWITCH's outbound socket (`socket <host:port> async full`): a
server that gets one connection per call, and `OutboundCall`, which drives it.

Built on greenswitch: OutboundServer keeps OutboundESLServer's contract (an application called
with each call, a connection limit) but listens with gevent's StreamServer (greenswitch polls
accept every 100 ms and calls sys.exit when the port is taken). Applications are run with an
`event-uuid` of our own, so their CHANNEL_EXECUTE_COMPLETE is matched exactly, not by name."""

from __future__ import annotations

import logging
import uuid as uuidlib
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


class OutboundCall(EslConnection):
    """One call handed to us by the dialplan."""

    def __init__(self, sock: gevent.socket.socket, address: tuple[str, int],
                 command_timeout: float = 10.0) -> None:
        ESLProtocol.__init__(self)
        self._setup(command_timeout)
        self.sock = sock
        self.peer = f"{address[0]}:{address[1]}"
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

    def connect(self) -> Event:
        """`connect`: the channel's data (caller, destination, variables)."""
        reply = self.send("connect")
        if not isinstance(reply, Event):
            raise ConnectionLost(f"{self.peer}: `connect` got no channel data")
        self.channel = reply
        self.send("myevents")
        self.send("linger")
        # No `resume`: the dialplan runs `socket … async`, whose park ends when this socket
        # closes (mod_event_socket.c socket_function → switch_ivr_park; listener_run clears
        # CF_CONTROLLED), so a daemon that dies mid-menu leaves the caller with the static
        # menu anyway. `resume` would also set CS_RESET when the socket closes after the
        # call was transferred to its queue (listener_run), breaking it out of the queue:
        # capture hotline_ivr_resume_breakout. It cannot be taken back once sent.
        return reply

    def execute(self, app: str, arg: str = "", timeout: float | None = None) -> Event:
        """Run a dialplan application and wait for it to complete; CallGone on hangup."""
        if self.hungup.is_set():
            raise CallGone(f"{app}: the caller has hung up")
        event_uuid = str(uuidlib.uuid4())
        done: gevent.event.AsyncResult[Event] = gevent.event.AsyncResult()
        self._executing[event_uuid] = done
        lines = ["sendmsg", "call-command: execute", f"execute-app-name: {app}"]
        if arg:
            lines.append(f"execute-app-arg: {arg}")
        lines += ["event-lock: true", f"event-uuid: {event_uuid}"]
        try:
            self.send("\n".join(lines))
            completion = done.get(timeout=timeout)
        except gevent.Timeout:
            raise CommandTimeout(f"{app}: not complete within {timeout} s") from None
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
    """Accept FreeSWITCH's connections, one greenlet per call, at most `max_connections`."""

    def __init__(self, host: str, port: int, application: Application,
                 max_connections: int = 1000, command_timeout: float = 10.0) -> None:
        super().__init__(host, port, application, max_connections)
        self.command_timeout = command_timeout
        self._pool = gevent.pool.Pool(max_connections)
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

    def _accept(self, sock: gevent.socket.socket, address: tuple[str, int]) -> None:
        call = OutboundCall(sock, address, self.command_timeout)
        self.connection_count += 1
        try:
            self.application(call)
        except (SwitchError, OSError) as exc:
            log.info("call %s ended: %s", call.uuid or address, exc)
        except Exception:  # one call's bug must not touch another call
            log.exception("call %s failed", call.uuid or address)
        finally:
            self.connection_count -= 1
            call.stop()
