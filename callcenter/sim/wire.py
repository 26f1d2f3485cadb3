"""Bytes as FreeSWITCH writes them: URL-encoding of header values, event serialization
(plain, json, xml) and the frames of mod_event_socket (reference §1.1, §1.2, §1.8)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

# SWITCH_URL_UNSAFE (switch_utils.h) plus every byte below 0x20 or above 0x7E.
_UNSAFE = frozenset(b"\r\n #%&+:;<=>?@[\\]^`{|}\"")
_ENCODE = [chr(b) if (0x20 < b < 0x7F and b not in _UNSAFE) else f"%{b:02X}"
           for b in range(256)]
_ALREADY_ENCODED = re.compile(rb"%[0-9A-F]{2}")
# What keeps a value from going out as it is: a byte below 0x21 or one of _UNSAFE.
_NEEDS_ENCODING = re.compile("[\x00-\x20" + re.escape("".join(
    chr(b) for b in sorted(_UNSAFE) if b > 0x20)) + "]")

Headers = Sequence[tuple[str, str]]


def url_encode(value: str) -> str:
    """switch_url_encode_opt(double_encode=false): a '%' already followed by two upper-case
    hex digits is kept as it is, everything unsafe becomes %XX (upper-case)."""
    if value.isascii() and not _NEEDS_ENCODING.search(value):
        return value
    raw = value.encode("utf-8")
    out = []
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte == 0x25 and _ALREADY_ENCODED.match(raw, i):
            out.append(raw[i:i + 3].decode("ascii"))
            i += 3
            continue
        out.append(_ENCODE[byte])
        i += 1
    return "".join(out)


def array_items(value: str) -> list[str] | None:
    """The items of a multi-valued header, or None for a plain one: a value that starts with
    `ARRAY::` becomes an array header (`idx`), its text rebuilt from the items (`ARRAY::a|:b`,
    or the one item alone)."""
    # FreeSWITCH: switch_event.c switch_event_base_add_header (`ARRAY::` → add_array)
    # FreeSWITCH: switch_event.c switch_event_add_array (more than the prefix: strlen >= 8;
    # items split on `|:` by switch_separate_string_string, each pushed)
    if len(value) < 8 or not value.startswith("ARRAY::"):
        return None
    return value[7:].split("|:")


def _text(value: str) -> str:
    """The header's text as the plain serializer writes it (hp->value after the redraw)."""
    items = array_items(value)
    if items is None:
        return value
    return "ARRAY::" + "|:".join(items) if len(items) > 1 else items[0]


def serialize_plain(headers: Headers, body: str | None = None) -> bytes:
    """switch_event_serialize: encoded header lines; a body adds Content-Length last."""
    lines = [f"{name}: {url_encode(_text(value) if value[:7] == 'ARRAY::' else value)}\n"
             for name, value in headers]
    raw_body = body.encode("utf-8") if body else b""
    if raw_body:
        lines.append(f"Content-Length: {len(raw_body)}\n\n")
        return "".join(lines).encode("utf-8") + raw_body
    lines.append("\n")
    return "".join(lines).encode("utf-8")


def serialize_json(headers: Headers, body: str | None = None) -> bytes:
    """switch_event_serialize_json_obj: one flat object; a multi-valued header (`idx`) is a
    JSON array of its items (`"variable_DP_MATCH": ["1022","1022"]`, as the real switch
    sends it), every other value a string."""
    obj: dict[str, str | list[str]] = {}
    for name, value in headers:  # FreeSWITCH: switch_event.c switch_event_serialize_json_obj
        items = array_items(value)
        obj[name] = value if items is None else items
    if body:
        obj["Content-Length"] = str(len(body.encode("utf-8")))
        obj["_body"] = body
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def serialize_xml(headers: Headers, body: str | None = None) -> bytes:
    """switch_event_xmlize: <event><headers>…</headers>[<Content-Length/><body/>]</event>;
    a multi-valued header is written once per item (add_xml_header for each of hp->array)."""
    parts = ["<event>\n  <headers>\n"]
    for name, value in headers:  # FreeSWITCH: switch_event.c switch_event_xmlize (hp->idx)
        parts += [f"    <{name}>{url_encode(item)}</{name}>\n"
                  for item in array_items(value) or [value]]
    parts.append("  </headers>\n")
    if body:
        parts.append(f"  <Content-Length>{len(body.encode('utf-8'))}</Content-Length>\n")
        parts.append(f"  <body>{escape(body)}</body>\n")
    parts.append("</event>")
    return "".join(parts).encode("utf-8")


SERIALIZERS = {"plain": serialize_plain, "json": serialize_json, "xml": serialize_xml}


def event_frame(payload: bytes, fmt: str) -> bytes:
    return b"Content-Length: %d\nContent-Type: text/event-%s\n\n" % (
        len(payload), fmt.encode("ascii")) + payload


def command_reply(text: str, *extra: tuple[str, str]) -> bytes:
    lines = ["Content-Type: command/reply", f"Reply-Text: {text}"]
    lines += [f"{name}: {value}" for name, value in extra]
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def api_response(body: str) -> bytes:
    raw = body.encode("utf-8")
    return b"Content-Type: api/response\nContent-Length: %d\n\n" % len(raw) + raw


AUTH_REQUEST = b"Content-Type: auth/request\n\n"
GOODBYE = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"


def disconnect_notice(body: str = GOODBYE) -> bytes:
    raw = body.encode("utf-8")
    return b"Content-Type: text/disconnect-notice\nContent-Length: %d\n\n" % len(raw) + raw


RUDE_REJECTION = (b"Content-Type: text/rude-rejection\nContent-Length: 24\n\n"
                  b"Access Denied, go away.\n")
