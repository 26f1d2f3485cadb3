"""The simulated switch core: event creation and delivery, and the api command table.

Everything that talks (ESL listeners, channels, mod_callcenter) goes through one `Switch`:
it numbers events (Event-Sequence, from creation), stamps them with the headers every
FreeSWITCH event carries (reference §1.9), and hands them to every listener.
"""

from __future__ import annotations

import itertools
import logging
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from callcenter.sim import sites
from callcenter.sim.wire import SERIALIZERS, Headers, event_frame

log = logging.getLogger(__name__)

VERSION = "1.11.3-dev~64bit"
VERSION_LINE = "FreeSWITCH Version 1.11.3-dev~64bit ( 64bit)\n"

ApiFunction = Callable[[str], str]


@dataclass
class SimEvent:
    """An event as fired: headers in order (decoded values), optional body."""

    name: str
    headers: list[tuple[str, str]]
    subclass: str | None = None
    body: str | None = None
    _frames: dict[str, bytes] = field(default_factory=dict, repr=False)
    _index: dict[str, str] | None = field(default=None, repr=False)

    def get(self, name: str) -> str | None:
        """The first header of that name (every listener asks, for every event: indexed)."""
        if self._index is None:
            self._index = {}
            for key, value in self.headers:
                self._index.setdefault(key, value)
        return self._index.get(name)

    def frame(self, fmt: str) -> bytes:
        """The whole `text/event-<fmt>` frame, serialized once per format."""
        cached = self._frames.get(fmt)
        if cached is None:
            cached = self._frames[fmt] = event_frame(
                SERIALIZERS[fmt](self.headers, self.body), fmt)
        return cached


class Listener:
    """What the core needs of an ESL connection: a way to be offered events."""

    def offer(self, event: SimEvent) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def format_uptime(microseconds: int) -> str:
    """`0 years, 0 days, 0 hours, 1 minute, 10 seconds, 467 milliseconds, 960 microseconds`."""
    seconds, micro = divmod(microseconds, 1_000_000)
    parts = [
        (seconds // 31_536_000, "year"), (seconds % 31_536_000 // 86_400, "day"),
        (seconds % 86_400 // 3600, "hour"), (seconds % 3600 // 60, "minute"),
        (seconds % 60, "second"), (micro // 1000, "millisecond"), (micro % 1000, "microsecond"),
    ]
    return ", ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts)


class Switch:
    """One simulated FreeSWITCH process."""

    def __init__(self, clock: Callable[[], float] = time.time,
                 hostname: str | None = None) -> None:
        self.clock = clock
        self.core_uuid = str(uuid.uuid4())
        self.hostname = hostname or socket.gethostname()
        self.started_us = self.now_us()
        self._sequence = itertools.count(1)
        self.listeners: set[Listener] = set()
        self.api_commands: dict[str, ApiFunction] = {}
        self.sessions_since_startup = 0
        self.session_count = 0
        self.peak_sessions = 0
        self.max_sessions = 1000
        self.register_api("status", self._status)
        self.register_api("version", lambda _args: VERSION_LINE)
        self.register_api("uptime", lambda _args: str((self.now_us() - self.started_us)
                                                      // 1_000_000))

    def now_us(self) -> int:
        return int(self.clock() * 1_000_000)

    # -- events ------------------------------------------------------------------------

    def new_event(self, name: str, headers: Headers = (), *, subclass: str | None = None,
                  body: str | None = None, calling: sites.Site = ("", "", 0)) -> SimEvent:
        """An event with the common headers, numbered at creation (as FreeSWITCH does)."""
        now_us = self.now_us()
        moment = datetime.fromtimestamp(now_us / 1_000_000, UTC)
        local = datetime.fromtimestamp(now_us / 1_000_000)
        common = [
            ("Event-Name", name),
            ("Core-UUID", self.core_uuid),
            ("FreeSWITCH-Hostname", self.hostname),
            ("FreeSWITCH-Switchname", self.hostname),
            ("FreeSWITCH-IPv4", "127.0.0.1"),
            ("FreeSWITCH-IPv6", "::1"),
            ("Event-Date-Local", local.strftime("%Y-%m-%d %H:%M:%S")),
            ("Event-Date-GMT", moment.strftime("%a, %d %b %Y %H:%M:%S GMT")),
            ("Event-Date-Timestamp", str(now_us)),
            ("Event-Calling-File", calling[0]),
            ("Event-Calling-Function", calling[1]),
            ("Event-Calling-Line-Number", str(calling[2])),
            ("Event-Sequence", str(next(self._sequence))),
        ]
        if subclass is not None:
            common.insert(0, ("Event-Subclass", subclass))
        # switch_event_add_header_string drops a header whose value is empty.
        return SimEvent(name, [*common, *((k, v) for k, v in headers if v != "")], subclass,
                        body)

    def fire(self, event: SimEvent) -> None:
        for listener in list(self.listeners):
            listener.offer(event)

    def heartbeat(self) -> SimEvent:
        uptime_us = self.now_us() - self.started_us
        return self.new_event("HEARTBEAT", [
            ("Event-Info", "System Ready"),
            ("Up-Time", format_uptime(uptime_us)),
            ("FreeSWITCH-Version", VERSION),
            ("Uptime-msec", str(uptime_us // 1000)),
            ("Session-Count", str(self.session_count)),
            ("Max-Sessions", str(self.max_sessions)),
            ("Session-Per-Sec", "30"),
            ("Session-Per-Sec-Last", "0"),
            ("Session-Per-Sec-Max", "0"),
            ("Session-Per-Sec-FiveMin", "0"),
            ("Session-Since-Startup", str(self.sessions_since_startup)),
            ("Session-Peak-Max", str(self.peak_sessions)),
            ("Session-Peak-FiveMin", str(self.peak_sessions)),
            ("Idle-CPU", "99.000000"),
        ], calling=sites.HEARTBEAT)

    # -- api ---------------------------------------------------------------------------

    def register_api(self, name: str, function: ApiFunction) -> None:
        self.api_commands[name] = function

    def api(self, command: str, args: str = "") -> str:
        """Run an api command as switch_api_execute does, firing the API event."""
        function = self.api_commands.get(command)
        if function is None:
            return f"-ERR {command} Command not found!\n"
        headers = [("API-Command", command)]
        if args:
            headers.append(("API-Command-Argument", args))
        self.fire(self.new_event("API", headers, calling=sites.API))
        try:
            output = function(args)
        except Exception:  # a bug in the simulator must not kill the listener
            log.exception("api %s %s failed", command, args)
            return f"-ERR {command} failed\n"
        return output if output else "-ERR no reply\n"

    def _status(self, _args: str) -> str:
        uptime = format_uptime(self.now_us() - self.started_us)
        return (f"UP {uptime}\n"
                "FreeSWITCH (Version 1.11.3-dev  64bit) is ready\n"
                f"{self.sessions_since_startup} session(s) since startup\n"
                f"{self.session_count} session(s) - peak {self.peak_sessions}, last 5min "
                f"{self.peak_sessions} \n"
                "0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n"
                f"{self.max_sessions} session(s) max\n"
                "min idle cpu 0.00/99.00\n"
                "Current Stack Size/Max 240K/8192K\n")
