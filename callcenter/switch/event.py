"""Events from FreeSWITCH: cheap to create, decoded only when read.

An event arrives as the body of a `text/event-plain` frame: `Name: url-encoded value` lines,
then, when the event has a body (BACKGROUND_JOB, api results), an inner `Content-Length` as the
last header, an empty line and the raw body (reference §1.8). Nothing is split or decoded until
a header is read; the body is kept apart, never glued to a header.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from callcenter.switch.protocol import Frame, ProtocolError, decode_value, parse_header_block


class Event(Mapping[str, str]):
    """A FreeSWITCH event: a read-only mapping of decoded headers, plus `body`."""

    __slots__ = ("_decoded", "_head", "_raw", "body")

    def __init__(self, head: bytes, body: bytes = b"") -> None:
        self._head = head
        self.body = body
        self._raw: dict[str, bytes] | None = None
        self._decoded: dict[str, str] = {}

    @classmethod
    def from_plain(cls, payload: bytes) -> Event:
        end = payload.find(b"\n\n")
        if end < 0:
            head, rest = payload.rstrip(b"\n"), b""
        else:
            head, rest = payload[:end], payload[end + 2:]
        if not rest:
            return cls(head)
        # With a body, the serializer appends "Content-Length: N" as the last header.
        at = head.rfind(b"\nContent-Length: ")
        if at < 0:
            raise ProtocolError("event has data after its headers but no Content-Length")
        digits = head[at + 17:]
        if not digits.isdigit() or int(digits) != len(rest):
            raise ProtocolError(f"event body is {len(rest)} bytes, its header says {digits!r}")
        return cls(head[:at], rest)

    @classmethod
    def from_json(cls, payload: bytes) -> Event:
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ProtocolError(f"text/event-json body is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ProtocolError("text/event-json body is not an object")
        body = str(data.pop("_body", "")).encode("utf-8")
        data.pop("Content-Length", None)
        event = cls(b"")
        event._raw = {}
        event._decoded = {k: "|".join(v) if isinstance(v, list) else str(v)
                          for k, v in data.items()}
        event.body = body
        return event

    @classmethod
    def from_frame(cls, frame: Frame) -> Event:
        """An event from a frame: the event formats, or a frame whose headers are channel
        data (the outbound `connect` reply)."""
        kind = frame.content_type
        if kind == "text/event-plain":
            return cls.from_plain(frame.body)
        if kind == "text/event-json":
            return cls.from_json(frame.body)
        return cls(frame.head, frame.body)

    # -- reading headers ----------------------------------------------------------------

    def _index(self) -> dict[str, bytes]:
        if self._raw is None:
            self._raw = parse_header_block(self._head)
        return self._raw

    def __getitem__(self, name: str) -> str:
        try:
            return self._decoded[name]
        except KeyError:
            pass
        value = decode_value(self._index()[name])
        self._decoded[name] = value
        return value

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """One header; before the event is split, a byte search finds it (the daemon reads a
        handful of an event's ~200 headers, so splitting them all would be wasted work)."""
        try:
            return self._decoded[name]
        except KeyError:
            pass
        if self._raw is None and self._head:
            value = self._peek(name)
            if value is None:
                return default
            self._decoded[name] = value
            return value
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name: object) -> bool:
        return name in self._decoded or name in self._index()

    def __iter__(self) -> Iterator[str]:
        return iter(self._index() or self._decoded)

    def __len__(self) -> int:
        return len(self._index() or self._decoded)

    def pairs(self) -> list[tuple[str, str]]:
        """Every header in wire order, duplicates included (Hangup-Cause comes twice)."""
        if not self._head:
            return list(self._decoded.items())
        out = []
        for line in self._head.split(b"\n"):
            name, _, value = line.partition(b": ")
            out.append((name.decode("ascii", "replace"), decode_value(value)))
        return out

    # -- what the daemon reads most ----------------------------------------------------

    def _peek(self, name: str) -> str | None:
        """One header found by a byte search, without splitting the whole event."""
        if self._raw is not None or not self._head:
            return self.get(name)
        key = name.encode("ascii") + b": "
        if self._head.startswith(key):
            start = len(key)
        else:
            at = self._head.find(b"\n" + key)
            if at < 0:
                return None
            start = at + 1 + len(key)
        end = self._head.find(b"\n", start)
        return decode_value(self._head[start:end if end >= 0 else len(self._head)])

    @property
    def name(self) -> str:
        """Event-Name (CUSTOM events carry Event-Subclass first, then Event-Name)."""
        return self._peek("Event-Name") or ""

    @property
    def subclass(self) -> str | None:
        return self._peek("Event-Subclass")

    @property
    def handler_key(self) -> str:
        """What handlers are registered under: the subclass for CUSTOM events, else the name."""
        name = self.name
        if name == "CUSTOM":
            return self.subclass or "CUSTOM"
        return name

    @property
    def timestamp_us(self) -> int:
        """Event-Date-Timestamp: microseconds since the epoch, at the event's creation."""
        return int(self.get("Event-Date-Timestamp") or 0)

    @property
    def sequence(self) -> int:
        return int(self.get("Event-Sequence") or 0)

    @property
    def unique_id(self) -> str | None:
        return self.get("Unique-ID")

    @property
    def caller_number(self) -> str | None:
        return self.get("Caller-Caller-ID-Number")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def cc(self, name: str) -> str | None:
        """A mod_callcenter header: `cc("Action")` reads CC-Action."""
        return self.get("CC-" + name)

    @property
    def cc_action(self) -> str | None:
        return self.get("CC-Action")

    def variable(self, name: str) -> str | None:
        """A channel variable carried by the event (`variable_<name>`)."""
        return self.get("variable_" + name)

    def __repr__(self) -> str:
        return f"<Event {self.handler_key} seq={self.get('Event-Sequence')}>"
