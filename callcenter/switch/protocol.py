"""Event Socket framing: bytes from FreeSWITCH in, frames out.

A frame is a block of `Name: value` lines closed by an empty line, followed by exactly
`Content-Length` bytes of body when that header is present (reference §1.1). The parser is
incremental (feed it whatever `recv` returned), never blocks, copes with any split of the
stream, and refuses garbage with `ProtocolError` instead of hanging or buffering forever.
Header values are percent-decoded only when read.
"""

from __future__ import annotations

from urllib.parse import unquote

# A frame's header block: FreeSWITCH's largest, the outbound `connect` reply, is a few KB.
MAX_HEADER_BLOCK = 1 << 20
# FreeSWITCH's own limit on bodies (MAX_CONTENT_LENGTH in mod_event_socket.c) is 16 MiB;
# an event carrying an XML CDR stays far below it.
MAX_BODY = 16 << 20


class ProtocolError(Exception):
    """The peer sent something that is not the Event Socket protocol."""


def decode_value(raw: bytes) -> str:
    """A header value as FreeSWITCH meant it: UTF-8, %XX-decoded (a space is %20, never +)."""
    text = raw.decode("utf-8", "replace")
    return unquote(text) if "%" in text else text


def parse_header_block(block: bytes) -> dict[str, bytes]:
    """`Name: value` lines into a dict of raw (still encoded) values; the last duplicate wins."""
    headers: dict[str, bytes] = {}
    for line in block.split(b"\n"):
        name, sep, value = line.partition(b": ")
        if not sep:
            if not line.strip():
                continue
            raise ProtocolError(f"malformed header line {line[:80]!r}")
        headers[name.decode("ascii", "replace")] = value.rstrip(b"\r")
    return headers


class Frame:
    """One frame: its header block (raw) and its body (bytes, empty when there is none)."""

    __slots__ = ("_headers", "body", "head")

    def __init__(self, head: bytes, body: bytes = b"",
                 headers: dict[str, bytes] | None = None) -> None:
        self.head = head
        self.body = body
        self._headers = headers

    def _raw(self) -> dict[str, bytes]:
        if self._headers is None:
            self._headers = parse_header_block(self.head)
        return self._headers

    def get(self, name: str, default: str | None = None) -> str | None:
        raw = self._raw().get(name)
        return default if raw is None else decode_value(raw)

    @property
    def content_type(self) -> str:
        return self.get("Content-Type") or ""

    @property
    def headers(self) -> dict[str, str]:
        return {name: decode_value(value) for name, value in self._raw().items()}

    def __repr__(self) -> str:
        return f"<Frame {self.content_type} head={len(self.head)}B body={len(self.body)}B>"


def _checked_length(digits: bytes) -> int:
    if not digits.isdigit() or len(digits) > 12:
        raise ProtocolError(f"bad Content-Length {digits[:40]!r}")
    length = int(digits)
    if length > MAX_BODY:
        raise ProtocolError(f"Content-Length {length} exceeds the {MAX_BODY}-byte limit")
    return length


class FrameParser:
    """Incremental parser: `feed(bytes)` returns every frame completed by those bytes."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._head: bytes | None = None  # header block of a frame waiting for its body
        self._head_headers: dict[str, bytes] = {}
        self._need = 0

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Frame]:
        buffer = self._buffer
        buffer += data
        frames: list[Frame] = []
        pos = 0
        size = len(buffer)
        while True:
            if self._head is None:
                # FreeSWITCH never sends a blank line between frames, but tolerate it.
                while pos < size and buffer[pos] == 0x0A:
                    pos += 1
                end = buffer.find(b"\n\n", pos)
                if end < 0:
                    if size - pos > MAX_HEADER_BLOCK:
                        raise ProtocolError(
                            f"no end of headers within {MAX_HEADER_BLOCK} bytes")
                    break
                if end - pos > MAX_HEADER_BLOCK:
                    raise ProtocolError(f"header block larger than {MAX_HEADER_BLOCK} bytes")
                head = bytes(buffer[pos:end])
                pos = end + 2
                headers = parse_header_block(head)
                if "Content-Type" not in headers:
                    raise ProtocolError(f"frame without Content-Type: {head[:80]!r}")
                length = headers.get("Content-Length")
                self._need = 0 if length is None else _checked_length(length)
                self._head, self._head_headers = head, headers
            if size - pos < self._need:
                break
            body = bytes(buffer[pos:pos + self._need]) if self._need else b""
            pos += self._need
            frames.append(Frame(self._head, body, self._head_headers))
            self._head = None
        if pos:
            del buffer[:pos]
        return frames
