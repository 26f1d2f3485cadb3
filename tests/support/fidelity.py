"""Compare what the simulator sends with what FreeSWITCH sent, over the frames the project
relies on (issue 3, "Fidelity is the acceptance").

Events are grouped by who they are about: a channel (by Channel-Name, which the scenarios
reproduce), an agent (CC-Agent, for agent events without channel data) or a queue
(members-count). Within a group the order must be the same; across groups FreeSWITCH's own
threads interleave freely. For each pair, the header names must be the same (`variable_*` apart:
of those, the ones the project reads must be there, with the same value), and every value must
be the same except ids, times, hostnames, addresses and codecs. A uuid, a date or an address
inside a value is normalised, in a header or a variable alike; a header or a variable that is a
time (by its name) is not compared.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from callcenter.switch.event import Event
from callcenter.switch.protocol import FrameParser

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "freeswitch"

RELIED_ON = frozenset((
    "CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_HANGUP",
    "CHANNEL_HANGUP_COMPLETE", "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE", "DTMF",
    "BACKGROUND_JOB", "HEARTBEAT",
))

# Values that identify or time things, or describe the host and its media: may differ.
# (`*-Last-Hold` is a time too: the first captures never held a call, the hotline ones do.
# DTMF-Duration is compared: the simulator takes it from the caller's tone, 2240 for SIPp's.)
_VOLATILE = re.compile(
    r"^(Core-UUID|FreeSWITCH-(Hostname|Switchname|IPv4|IPv6)|Event-Date-.*|Event-Sequence"
    r"|Unique-ID|Channel-Call-UUID|.*-Unique-ID|.*-Time|.*-Hold-Accum|.*-Last-Hold"
    r"|Application-UUID"
    r"|CC-Member-UUID|CC-Member-Session-UUID|CC-Agent-UUID|Job-UUID|Bridge-[AB]-Unique-ID"
    r"|.*Transfer-Source|Up-Time|Uptime-msec|Session-.*|Max-Sessions|Idle-CPU"
    r"|Channel-(Read|Write)-Codec-.*|.*Network-Addr|FreeSWITCH-Version)$")
# Inside other values: ids and dates.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ADDRESS = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b")
_DATE = re.compile(r"\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}")

# Channel variables that are times (switch_channel_set_timestamps' `*_epoch`, `*_uepoch` and
# `*_stamp`, mod_callcenter's cc_queue_*_epoch, RFC2822_DATE): may differ, as time headers do.
_VOLATILE_VARIABLE = re.compile(r"^variable_(.*_(u?epoch|stamp|time)|RFC2822_DATE)$")

# Channel variables the project reads; where FreeSWITCH's event has one, the simulator's must
# have it too, with the same value.
READ_VARIABLES = ("variable_hotline_key", "variable_cc_queue", "variable_cc_member_uuid",
                  "variable_cc_agent", "variable_cc_export_vars", "variable_cc_side")


def captured_events(scenario: str, connection: str = "observer") -> list[Event]:
    data = (FIXTURES / f"{scenario}.{connection}.recv.esl").read_bytes()
    return [Event.from_frame(f) for f in FrameParser().feed(data)
            if f.content_type == "text/event-plain"]


def relied_on(event: Event) -> bool:
    return event.name in RELIED_ON or event.subclass == "callcenter::info"


def group_key(event: Event) -> str:
    channel = event.get("Channel-Name")
    if channel:
        return f"channel {channel}"
    if event.get("CC-Agent"):
        return f"agent {event['CC-Agent']}"
    if event.get("CC-Queue"):
        return f"queue {event['CC-Queue']}"
    return event.name


def label(event: Event) -> str:
    what = event.get("CC-Action") or event.get("Application") or event.get("DTMF-Digit") or ""
    return f"{event.name} {what}".strip()


def grouped(events: list[Event], extra: frozenset[str] = frozenset()) -> dict[str, list[Event]]:
    groups: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        if relied_on(event) or event.name in extra:
            groups[group_key(event)].append(event)
    return dict(groups)


def differences(expected: list[Event], got: list[Event], *, variables: tuple[str, ...] = (),
                extra: frozenset[str] = frozenset()) -> list[str]:
    """Every way `got` (simulator) differs from `expected` (FreeSWITCH); [] when faithful.

    `variables`: channel variables compared by value besides READ_VARIABLES, where
    FreeSWITCH's event has them; `extra`: more event names compared (hold, for instance). Both
    for captures that show what the first ones did not (the hotline captures)."""
    problems: list[str] = []
    want, have = grouped(expected, extra), grouped(got, extra)
    variables = READ_VARIABLES + tuple(v for v in variables if v not in READ_VARIABLES)
    for key in sorted(set(want) | set(have)):
        a, b = want.get(key, []), have.get(key, [])
        if [label(e) for e in a] != [label(e) for e in b]:
            problems.append(f"{key}: order differs\n  freeswitch: {[label(e) for e in a]}\n"
                            f"  simulator:  {[label(e) for e in b]}")
            continue
        for x, y in zip(a, b, strict=True):
            problems += [f"{key} {label(x)}: {p}" for p in _compare(x, y)]
            problems += [f"{key} {label(x)}: {p}" for p in _compare_variables(x, y, variables)]
    return problems


def _compare_variables(expected: Event, got: Event, names: tuple[str, ...]) -> list[str]:
    problems = []
    for name in names:
        want, have = expected.get(name), got.get(name)
        if want is None:
            continue
        if have is None:
            problems.append(f"{name} missing")
        elif not _VOLATILE_VARIABLE.match(name) and _normal(want) != _normal(have):
            problems.append(f"{name}: {want!r} != {have!r}")
    return problems


def _compare(expected: Event, got: Event) -> list[str]:
    problems = []
    names_a = [n for n, _ in expected.pairs() if not n.startswith("variable_")]
    names_b = [n for n, _ in got.pairs() if not n.startswith("variable_")]
    if set(names_a) != set(names_b):
        problems.append(f"headers missing {sorted(set(names_a) - set(names_b))}, "
                        f"extra {sorted(set(names_b) - set(names_a))}")
    values_b = dict(got.pairs())
    for name, value in expected.pairs():
        if name.startswith("variable_") or name not in values_b or _VOLATILE.match(name):
            continue
        if _normal(value) != _normal(values_b[name]):
            problems.append(f"{name}: {value!r} != {values_b[name]!r}")
    return problems


def _normal(value: str) -> str:
    return _ADDRESS.sub("<address>", _DATE.sub("<date>", _UUID.sub("<uuid>", value)))
