"""An Event Socket connection, either way round: frames in, replies matched to commands in
order, events dispatched to handlers, every command with a timeout. Built on greenswitch's
ESLProtocol (its handler registry and greenlet pair); InboundConnection (we dial FreeSWITCH)
and OutboundCall (FreeSWITCH dials us) add how the connection starts.

What greenswitch got wrong, measured on this machine, is replaced here:

* `send()` waited forever if the socket dropped mid-command → every pending command fails
  with ConnectionLost when the connection ends, and each has a timeout (CommandTimeout).
* events with a body had it glued into their Content-Length header → `Event.body`.
* `sock.send` could write part of a command → `sendall`.
* every header of every event was URL-decoded on arrival → decoded lazily, when read.
* a peer closing mid-body made the reader spin without yielding → a closed socket ends the
  read loop at once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

import gevent
import gevent.event
from greenswitch.esl import ESLProtocol

from callcenter.switch.errors import CommandError, CommandTimeout, ConnectionLost
from callcenter.switch.event import Event
from callcenter.switch.protocol import Frame, FrameParser, ProtocolError

log = logging.getLogger(__name__)

READ_SIZE = 256 * 1024
Handler = Callable[[Event], None]


class _Pending:
    """A command waiting for its reply. Replies come in command order, so a command that
    timed out keeps its place: its late reply is dropped instead of answering the next one."""

    __slots__ = ("abandoned", "command", "result")

    def __init__(self, command: str) -> None:
        self.command = command
        self.result: gevent.event.AsyncResult[str | Event] = gevent.event.AsyncResult()
        self.abandoned = False


class EslConnection(ESLProtocol):
    """The part both directions share. Handlers are registered as in greenswitch
    (`register_handle(name, fn)`), by Event-Name, or by Event-Subclass for CUSTOM events;
    'DISCONNECT' for the disconnect notice, 'log' for log lines and '*' for the rest."""

    peer = "FreeSWITCH"

    def _setup(self, command_timeout: float) -> None:
        self.command_timeout = command_timeout
        self._pending: list[_Pending] = []
        self._parser = FrameParser()
        self.closed = gevent.event.Event()  # set once the connection has ended, for any reason
        self.close_reason = ""

    # -- reading -----------------------------------------------------------------------

    def receive_events(self) -> None:
        reason = "closed by FreeSWITCH"
        try:
            while self._run:
                data = self.sock.recv(READ_SIZE)
                if not data:
                    break
                for frame in self._parser.feed(data):
                    self._route(frame)
        except ProtocolError as exc:
            reason = f"protocol error: {exc}"
            log.error("event socket %s: %s", self.peer, reason)
        except OSError as exc:
            reason = f"socket error: {exc}"
        self._close(reason)

    def _route(self, frame: Frame) -> None:
        kind = frame.content_type
        queue = self._esl_event_queue
        if kind == "text/event-plain" or kind == "text/event-json":
            event = Event.from_frame(frame)
            queue.put((event.handler_key, event))
        elif kind == "command/reply" or kind == "api/response":
            self._answer(frame)
        elif kind == "auth/request":
            self._auth_request_event.set()
        elif kind == "text/disconnect-notice":
            if frame.get("Content-Disposition") == "linger":
                self._lingering = True
            queue.put(("DISCONNECT", Event(frame.head, frame.body)))
        elif kind == "text/rude-rejection":
            self.close_reason = frame.body.decode("utf-8", "replace").strip()
            self.connected = False
            self._auth_request_event.set()
        elif kind == "log/data":
            queue.put(("log", Event(frame.head, frame.body)))
        else:
            log.warning("ignoring a frame of type %r (subscribe with `event plain`)", kind)

    def _answer(self, frame: Frame) -> None:
        if not self._pending:
            log.warning("a reply came for no command: %r", frame)
            return
        pending = self._pending.pop(0)
        if pending.abandoned:
            return
        if frame.content_type == "api/response":
            text = frame.body.decode("utf-8", "replace")
        else:
            text = frame.get("Reply-Text") or ""
        if text.startswith(("-ERR", "-USAGE")):
            pending.result.set_exception(CommandError(pending.command, text))
        elif frame.content_type == "command/reply" and "Event-Name" in frame.headers:
            pending.result.set(Event(frame.head))  # outbound `connect`: channel data
        else:
            pending.result.set(text)

    # -- dispatching -------------------------------------------------------------------

    def process_events(self) -> None:
        queue = self._esl_event_queue
        while True:
            item = queue.get()
            if item is None:
                return
            self.dispatch(*item)

    def dispatch(self, key: str, event: Event) -> None:
        """Call the handlers of `key` (Event-Name, Event-Subclass, DISCONNECT or log)."""
        handlers = self.event_handlers.get(key) or self.event_handlers.get("*") or ()
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                log.exception("handler %s failed on %r", getattr(handler, "__name__", handler),
                              event)

    # -- commands ----------------------------------------------------------------------

    def send(self, data: str, timeout: float | None = None) -> str | Event:
        """Send one command; return Reply-Text, the api body, or the `connect` event.

        Raises CommandError for `-ERR …`, CommandTimeout, or ConnectionLost.
        """
        if not self.connected:
            raise ConnectionLost(f"not connected to {self.peer}")
        pending = _Pending(data)
        self._pending.append(pending)
        try:
            self.sock.sendall((data + "\n\n").encode("utf-8"))
        except OSError as exc:
            self._close(f"socket error: {exc}")
        limit = self.command_timeout if timeout is None else timeout
        try:
            reply = pending.result.get(timeout=limit)
        except gevent.Timeout:
            pending.abandoned = True
            raise CommandTimeout(
                f"{data.splitlines()[0][:200]}: no reply within {limit} s") from None
        if reply is None:  # only a reply or an exception is ever set
            raise ConnectionLost(f"{data.splitlines()[0][:200]}: no reply")
        return reply

    def api(self, command: str, timeout: float | None = None) -> str:
        return str(self.send(f"api {one_line(command)}", timeout))

    def subscribe(self, *names: str, fmt: str = "plain") -> str:
        """`event <fmt> …`; CUSTOM subclasses go last (every word after CUSTOM is one)."""
        plain = [n for n in names if "::" not in n and n != "CUSTOM"]
        subclasses = [n for n in names if "::" in n]
        words = [*plain, *(["CUSTOM", *subclasses] if subclasses or "CUSTOM" in names else [])]
        return str(self.send(f"event {fmt} {' '.join(words)}"))

    def nixevent(self, *names: str) -> str:
        return str(self.send(f"nixevent {' '.join(names)}"))

    def filter(self, header: str, value: str) -> str:
        return str(self.send(f"filter {header} {value}"))

    def filter_delete(self, header: str, value: str = "") -> str:
        return str(self.send(f"filter delete {header} {value}".rstrip()))

    # -- closing -----------------------------------------------------------------------

    def _close(self, reason: str) -> None:
        if self.closed.is_set():
            return
        self.close_reason = self.close_reason or reason
        self.connected = False
        self._run = False
        sock = getattr(self, "sock", None)  # none if connecting failed
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
        for pending in self._pending:
            if not pending.result.ready():
                pending.result.set_exception(ConnectionLost(
                    f"{pending.command.splitlines()[0][:200]}: connection lost ({reason})"))
        self._pending.clear()
        self._esl_event_queue.put(None)
        self.closed.set()

    def stop(self) -> None:
        """Say `exit` if still connected, then close and wait for both greenlets."""
        if self.connected:
            with contextlib.suppress(ConnectionLost, CommandTimeout, CommandError):
                self.send("exit", timeout=2)
        self._close("closed by us")
        for greenlet in (self._receive_events_greenlet, self._process_events_greenlet):
            if greenlet is not None and greenlet is not gevent.getcurrent():
                greenlet.join(timeout=5)


def one_line(command: str) -> str:
    """An api command is one line: a newline in it would end the command there and send the
    rest as another (a value from a person must never get that far, this is the last guard)."""
    if "\n" in command or "\r" in command:
        raise ValueError(f"an api command cannot hold a line break: {command[:80]!r}")
    return command
