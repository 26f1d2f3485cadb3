"""The simulator's inbound Event Socket: mod_event_socket's listener, command by command.

Replies are FreeSWITCH's own texts (reference §1.4, and the `api_replies` capture); events are
delivered by the subscription rules of §1.5 and the filters of §1.6. As in FreeSWITCH, a
connection's events wait while one of its commands runs, so a reply is never overtaken by an
event the command caused.
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections import deque
from collections.abc import Callable

import gevent
import gevent.event
import gevent.server
import gevent.socket

from callcenter.sim import sites, wire
from callcenter.sim.core import Listener, SimEvent, Switch
from callcenter.sim.event_names import EVENT_NAMES

log = logging.getLogger(__name__)

MAX_QUEUE_LEN = 100_000  # mod_event_socket.c
MAX_MISSED = 500
FIRST_COMMAND_TIMEOUT = 25.0
MAX_COMMAND = 16 << 20
FORMATS = ("plain", "json", "xml")
# What `myevents` turns on (parse_command in mod_event_socket.c).
MYEVENTS = frozenset((
    "CHANNEL_ANSWER", "CHANNEL_APPLICATION", "CHANNEL_BRIDGE", "CHANNEL_CREATE", "CHANNEL_DATA",
    "CHANNEL_DESTROY", "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_HANGUP",
    "CHANNEL_HANGUP_COMPLETE", "CHANNEL_ORIGINATE", "CHANNEL_UUID", "CHANNEL_OUTGOING",
    "CHANNEL_PARK", "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA", "CHANNEL_STATE",
    "CHANNEL_UNBRIDGE", "CHANNEL_UNPARK", "DETECTED_SPEECH", "DTMF", "NOTALK", "TALK",
))

# Commands of a listener controlling a session (outbound); `myevents` takes a uuid inbound.
SessionCommand = Callable[["EslListener", str, dict[str, str], str], bytes | None]


class Filter:
    """`filter <header> <value>`: '-' negates, '+' is explicit, '/…/' is a regex."""

    def __init__(self, header: str, value: str) -> None:
        self.header, self.value = header, value
        self.negative = value.startswith("-")
        pattern = value[1:] if value[:1] in "+-" else value
        self._regex = (re.compile(pattern[1:-1]) if len(pattern) > 1 and pattern[0] == "/"
                       and pattern[-1] == "/" else None)
        self._text = pattern.lower()

    def matches(self, event: SimEvent) -> bool:
        found = event.get(self.header)
        if found is None:
            return False
        if self._regex is not None:
            return self._regex.search(found) is not None
        return found.lower() == self._text


class Subscription:
    """Which events a listener gets (the event_list slots and the subclass hash)."""

    def __init__(self) -> None:
        self.enabled = False
        self.types: set[str] = set()
        self.subclasses: set[str] = set()
        self.fmt = "plain"
        self.filters: list[Filter] = []
        self.session_uuid: str | None = None  # myevents <uuid>

    def wants(self, event: SimEvent) -> bool:
        if not self.enabled:
            return False
        if self.session_uuid is not None and event.get("Unique-ID") != self.session_uuid:
            return False
        if "ALL" not in self.types:
            if event.name not in self.types:
                return False
            if event.name == "CUSTOM" and event.subclass and \
                    event.subclass not in self.subclasses:
                return False
        if not self.filters:
            return True
        positive = [f for f in self.filters if not f.negative]
        if any(f.matches(event) for f in self.filters if f.negative):
            return False
        return any(f.matches(event) for f in positive)


def parse_command(raw: bytes) -> tuple[str, dict[str, str], str]:
    """A client command: its first line, its header lines (literal values), its body."""
    text = raw.decode("utf-8", "replace").replace("\r", "")
    first, _, rest = text.lstrip("\n").partition("\n")
    headers: dict[str, str] = {}
    for line in rest.split("\n"):
        name, sep, value = line.partition(": ")
        if sep:
            headers[name] = value
    return first.strip(), headers, ""


class EslListener(Listener):
    """One connected ESL client."""

    def __init__(self, switch: Switch, sock: gevent.socket.socket, password: str,
                 session_commands: dict[str, SessionCommand] | None = None) -> None:
        self.switch = switch
        self.sock = sock
        self.password = password
        self.authed = False
        self.subscription = Subscription()
        self.session_commands = session_commands
        self._outbox: deque[bytes] = deque()
        self._wakeup = gevent.event.Event()
        self._held: list[SimEvent] | None = None  # events that arrive while a command runs
        self._missed = 0
        self._closing = False
        self._writer: gevent.Greenlet | None = None

    def greeting(self) -> bytes | None:
        """What the server says first: `auth/request` on the inbound port."""
        return wire.AUTH_REQUEST

    # -- delivery ----------------------------------------------------------------------

    def offer(self, event: SimEvent) -> None:
        if not self.subscription.wants(event):
            return
        if self._held is not None:
            self._held.append(event)
            return
        self._queue_event(event)

    def _queue_event(self, event: SimEvent) -> None:
        if len(self._outbox) >= MAX_QUEUE_LEN:
            self._missed += 1
            if self._missed > MAX_MISSED:
                log.warning("ESL client too slow: killing it, as FreeSWITCH does")
                self._outbox.clear()
                self.send(wire.disconnect_notice("killed listener because of lost events\n"))
                self._closing = True
            return
        self.send(event.frame(self.subscription.fmt))

    def send(self, data: bytes) -> None:
        self._outbox.append(data)
        self._wakeup.set()

    def _write_loop(self) -> None:
        while True:
            self._wakeup.wait()
            self._wakeup.clear()
            while self._outbox:
                chunk = b"".join(self._outbox.popleft() for _ in range(min(64, len(
                    self._outbox))))
                try:
                    self.sock.sendall(chunk)
                except OSError:
                    self._closing = True
                    self._outbox.clear()
                    return
            if self._closing:
                return

    # -- the connection ------------------------------------------------------------------

    def serve(self) -> None:
        self.switch.listeners.add(self)
        self._writer = gevent.spawn(self._write_loop)
        greeting = self.greeting()
        if greeting:
            self.send(greeting)
        buffer = b""
        try:
            first = True
            while not self._closing:
                end = buffer.find(b"\n\n")
                if end < 0:
                    if len(buffer) > MAX_COMMAND:
                        break
                    try:
                        with gevent.Timeout(FIRST_COMMAND_TIMEOUT if first else None):
                            data = self.sock.recv(65536)
                    except gevent.Timeout:
                        break  # no command within 25 s of connecting
                    if not data:
                        break
                    buffer += data
                    continue
                raw, buffer = buffer[:end], buffer[end + 2:]
                if not raw.strip(b"\r\n"):
                    continue
                first = False
                command, headers, _ = parse_command(raw)
                length = int(headers.get("Content-Length", "0") or 0)
                while len(buffer) < length:
                    data = self.sock.recv(65536)
                    if not data:
                        return
                    buffer += data
                body, buffer = buffer[:length].decode("utf-8", "replace"), buffer[length:]
                self._held = []
                try:
                    reply = self.handle(command, headers, body)
                finally:
                    held, self._held = self._held, None
                if reply is not None:
                    self.send(reply)
                for event in held:
                    self._queue_event(event)
        except OSError:
            pass
        finally:
            self._finish()

    def _finish(self) -> None:
        self.switch.listeners.discard(self)
        self._closing = True
        self._wakeup.set()
        if self._writer is not None:
            self._writer.join(timeout=5)
        with contextlib.suppress(OSError):
            self.sock.close()

    def drop(self) -> None:
        """Close the socket now, without a word (the peer sees a reset or EOF)."""
        self._closing = True
        self.switch.listeners.discard(self)
        with contextlib.suppress(OSError):
            self.sock.shutdown(gevent.socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.sock.close()

    def close_after(self, reply: bytes, notice: bytes | None = None) -> bytes:
        """Send `reply`, then (optionally) a disconnect notice, then close."""
        self.send(reply)
        if notice is not None:
            self.send(notice)
        self._closing = True
        return b""

    # -- commands ----------------------------------------------------------------------

    def handle(self, command: str, headers: dict[str, str], body: str) -> bytes | None:
        word, _, args = command.partition(" ")
        args = args.strip()
        if word in ("exit", "..."):
            return self.close_after(wire.command_reply("+OK bye"), wire.disconnect_notice())
        if not self.authed:
            if word == "auth":
                if args == self.password:
                    self.authed = True
                    return wire.command_reply("+OK accepted")
                return self.close_after(wire.command_reply("-ERR invalid"),
                                        wire.disconnect_notice())
            return wire.command_reply("-ERR command not found")
        handler = getattr(self, f"_cmd_{word}", None)
        if handler is not None:
            return handler(args, headers, body)
        if self.session_commands and word in self.session_commands:
            return self.session_commands[word](self, args, headers, body)
        if word in ("linger", "nolinger", "divert_events"):
            return wire.command_reply("-ERR not controlling a session")
        return wire.command_reply("-ERR command not found")

    def _cmd_api(self, args: str, _headers: dict[str, str], _body: str) -> bytes:
        name, _, rest = args.partition(" ")
        return wire.api_response(self.switch.api(name, rest.strip()))

    def _cmd_bgapi(self, args: str, headers: dict[str, str], _body: str) -> bytes:
        job_uuid = headers.get("Job-UUID") or str(uuid.uuid4())
        name, _, rest = args.partition(" ")
        gevent.spawn(self._background_job, job_uuid, name, rest.strip())
        return wire.command_reply(f"+OK Job-UUID: {job_uuid}", ("Job-UUID", job_uuid))

    def _background_job(self, job_uuid: str, name: str, args: str) -> None:
        output = self.switch.api(name, args)
        headers = [("Job-UUID", job_uuid), ("Job-Command", name)]
        if args:
            headers.append(("Job-Command-Arg", args))
        self.switch.fire(self.switch.new_event(
            "BACKGROUND_JOB", headers, body=output,
            calling=sites.BACKGROUND_JOB))

    def _cmd_event(self, args: str, _headers: dict[str, str], _body: str) -> bytes:
        tokens = [t for t in args.split(" ") if t]
        sub = self.subscription
        fmt = sub.fmt
        if tokens and tokens[0].lower() in FORMATS:
            fmt = tokens.pop(0).lower()
        names, subclasses = event_keywords(tokens)
        if not names:
            return wire.command_reply("-ERR no keywords supplied")
        sub.types |= set(names)
        sub.subclasses |= set(subclasses)
        sub.fmt = fmt
        sub.enabled = True
        return wire.command_reply(f"+OK event listener enabled {fmt}")

    def _cmd_nixevent(self, args: str, _headers: dict[str, str], _body: str) -> bytes:
        names, subclasses = event_keywords([t for t in args.split(" ") if t])
        if not names:
            return wire.command_reply("-ERR no keywords supplied")
        sub = self.subscription
        if "ALL" in sub.types:  # ALL becomes "every type but these"
            sub.types = set(EVENT_NAMES) - {"ALL"}
        sub.types -= set(names)
        sub.subclasses -= set(subclasses)
        return wire.command_reply("+OK events nixed")

    def _cmd_noevents(self, _args: str, _headers: dict[str, str], _body: str) -> bytes:
        sub = self.subscription
        if not sub.enabled:
            return wire.command_reply("-ERR not listening for events")
        self.subscription = Subscription()
        self.subscription.filters = sub.filters
        return wire.command_reply("+OK no longer listening for events")

    def _cmd_filter(self, args: str, _headers: dict[str, str], _body: str) -> bytes:
        tokens = args.split(" ", 2)
        action = "add"
        if tokens[0] in ("add", "delete"):
            action = tokens.pop(0)
        filters = self.subscription.filters
        if action == "delete":
            if tokens and tokens[0] == "all":
                filters.clear()
                return wire.command_reply("+OK filter deleted. [all]")
            header = tokens[0] if tokens else ""
            value = tokens[1] if len(tokens) > 1 else ""
            self.subscription.filters = [
                f for f in filters if not (f.header == header and (not value or f.value == value))]
            return wire.command_reply(f"+OK filter deleted. [{header}][{value}]")
        if len(tokens) < 2 or not tokens[1]:
            return wire.command_reply("-ERR invalid syntax")
        header, value = tokens[0], " ".join(tokens[1:])
        filters.append(Filter(header, value))
        return wire.command_reply(f"+OK filter added. [{header}]=[{value}]")

    def _cmd_myevents(self, args: str, _headers: dict[str, str], _body: str) -> bytes | None:
        if self.session_commands is not None:  # outbound: handled by the session
            return self.session_commands["myevents"](self, args, _headers, _body)
        tokens = args.split()
        if not tokens:
            return wire.command_reply("-ERR command not found")
        if self.subscription.session_uuid is not None:
            return wire.command_reply("-ERR aready enabled.")
        channels = getattr(self.switch, "channels", {})
        if tokens[0] not in channels:
            return wire.command_reply("-ERR invalid uuid")
        self.subscription.session_uuid = tokens[0]
        self.subscription.types |= MYEVENTS
        self.subscription.enabled = True
        if len(tokens) > 1 and tokens[1] in FORMATS:
            self.subscription.fmt = tokens[1]
        return wire.command_reply("+OK Events Enabled")

    def _cmd_log(self, args: str, _headers: dict[str, str], _body: str) -> bytes:
        levels = {"console": 0, "alert": 1, "crit": 2, "err": 3, "warning": 4, "notice": 5,
                  "info": 6, "debug": 7}
        level = (args or "debug").lower()
        if level.isdigit():
            level = next((k for k, v in levels.items() if v == int(level)), "")
        if level not in levels:
            return wire.command_reply("-ERR invalid log level")
        return wire.command_reply(f"+OK log level {level} [{levels[level]}]")

    def _cmd_nolog(self, _args: str, _headers: dict[str, str], _body: str) -> bytes:
        return wire.command_reply("-ERR not loging")

    def _cmd_sendevent(self, args: str, headers: dict[str, str], body: str) -> bytes:
        name = event_name(args.split(" ")[0] if args else "") or "CUSTOM"
        subclass = headers.get("Event-Subclass") if name == "CUSTOM" else None
        event = self.switch.new_event(
            name, [(k, v) for k, v in headers.items() if k not in ("Event-Subclass",
                                                                   "Content-Length")],
            subclass=subclass, body=body or None,
            calling=sites.SENDEVENT)
        self.switch.fire(event)
        return wire.command_reply(f"+OK {uuid.uuid4()}")

    def _cmd_sendmsg(self, args: str, headers: dict[str, str], body: str) -> bytes:
        sendmsg = getattr(self.switch, "sendmsg", None)
        target = args.strip()
        if sendmsg is None or not sendmsg(target, headers, body):
            return wire.command_reply(f"-ERR invalid session id [{target}]")
        return wire.command_reply("+OK")


def event_keywords(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Event names, and the subclasses that follow CUSTOM (every word after it is one)."""
    names: list[str] = []
    subclasses: list[str] = []
    for token in tokens:
        if "CUSTOM" in names:
            subclasses.append(token)
        elif (name := event_name(token)) is not None:
            names.append(name)
    return names, subclasses


def event_name(token: str) -> str | None:
    """switch_name_event: case-insensitive, `SWITCH_EVENT_` prefix allowed."""
    name = token.upper().removeprefix("SWITCH_EVENT_")
    return name if name in EVENT_NAMES else None


class EslServer:
    """The listening socket (event_socket.conf.xml: listen-ip, listen-port, password)."""

    def __init__(self, switch: Switch, host: str = "127.0.0.1", port: int = 8021,
                 password: str = "ClueCon") -> None:  # noqa: S107 — FreeSWITCH's stock password (the simulator's default)
        self.switch = switch
        self.password = password
        self._server = gevent.server.StreamServer((host, port), self._accept)
        self._listeners: set[EslListener] = set()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_host, self._server.server_port
        if host is None or port is None:
            raise RuntimeError("the simulator's event socket is not listening")
        return host, port

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        """Stop listening and drop every connection at once, as a crashed switch would."""
        self._server.close()
        for listener in list(self._listeners):
            listener.drop()
        self._server.stop(timeout=1)

    def _accept(self, sock: gevent.socket.socket, _address: object) -> None:
        sock.setsockopt(gevent.socket.IPPROTO_TCP, gevent.socket.TCP_NODELAY, 1)
        listener = EslListener(self.switch, sock, self.password)
        self._listeners.add(listener)
        try:
            listener.serve()
        finally:
            self._listeners.discard(listener)
