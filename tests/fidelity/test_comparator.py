"""The fidelity comparator itself (tests/support/fidelity.py): a capture against itself, against
the same stream with its ids and times changed (no difference: those are normalised), and
against deliberately wrong streams, each expecting the difference it must report."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import pytest

from callcenter.switch.event import Event
from tests.support.fidelity import (
    READ_VARIABLES,
    captured_events,
    differences,
    label,
    relied_on,
)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CALLER = "channel sofia/external/0912345678@127.0.0.1:5090"
AGENT = "agent agent1001@hotline1022"


@pytest.fixture(scope="module")
def capture() -> list[Event]:
    return captured_events("call_answered")


def _rebuilt(event: Event, changes: dict[str, str] | None = None,
             drop: tuple[str, ...] = (), add: tuple[tuple[str, str], ...] = ()) -> Event:
    """The same event with some headers changed, left out or added (wire order kept)."""
    changes = changes or {}
    pairs = [(n, changes.get(n, v)) for n, v in event.pairs() if n not in drop] + list(add)
    head = "\n".join(f"{n}: {quote(v, safe='')}" for n, v in pairs)
    return Event(head.encode("utf-8"), event.body)


def _at(events: list[Event], event_label: str, channel: str = CALLER.removeprefix("channel "),
        nth: int = 0) -> int:
    """Where the nth event of this label about this channel is in the stream."""
    found = [i for i, e in enumerate(events)
             if label(e) == event_label and e.get("Channel-Name") == channel]
    return found[nth]


def _edited(events: list[Event], at: int, changes: dict[str, str] | None = None,
            drop: tuple[str, ...] = ()) -> list[Event]:
    got = list(events)
    got[at] = _rebuilt(events[at], changes, drop)
    return got


def _labels(events: list[Event], key: str) -> list[str]:
    return [label(e) for e in events
            if (f"channel {e.get('Channel-Name')}" if e.get("Channel-Name") else
                f"agent {e.get('CC-Agent')}") == key]


# -- what must not be a difference -----------------------------------------------------------

def test_a_capture_matches_itself(capture: list[Event]) -> None:
    assert len(capture) > 100
    assert differences(capture, capture) == []
    assert differences(capture, [_rebuilt(e) for e in capture]) == []


def test_ids_times_and_addresses_are_normalised(capture: list[Event]) -> None:
    """Another run of the same call: new uuids (in headers and in the variables the project
    reads), other dates, times, sequence numbers, host and addresses."""
    fresh: dict[str, str] = {}

    def other_run(event: Event) -> Event:
        changes = {}
        for name, value in event.pairs():
            new = _UUID.sub(lambda m: fresh.setdefault(m[0], str(uuid.uuid4())), value)
            if new != value:
                changes[name] = new
        changes.update({"Event-Date-Timestamp": "1800000000000000", "Event-Sequence": "1",
                        "Event-Date-Local": "2027-01-01 00:00:00",
                        "FreeSWITCH-Hostname": "elsewhere", "FreeSWITCH-IPv4": "10.0.0.9"})
        if "Caller-Channel-Answered-Time" in event:
            changes["Caller-Channel-Answered-Time"] = "1800000000000001"
        if "variable_RFC2822_DATE" in event:
            changes["variable_RFC2822_DATE"] = "Fri, 1 Jan 2027 00:00:00 +0700"
        return _rebuilt(event, {k: v for k, v in changes.items() if k in event})

    got = [other_run(e) for e in capture]
    member = _at(capture, "CHANNEL_HANGUP_COMPLETE")
    assert got[member]["variable_cc_member_uuid"] != capture[member]["variable_cc_member_uuid"]
    bridge = _at(capture, "CHANNEL_EXECUTE uuid_bridge")  # a uuid inside a compared header
    assert got[bridge]["Application-Data"] != capture[bridge]["Application-Data"]
    assert differences(capture, got) == []


def test_groups_interleave_freely(capture: list[Event]) -> None:
    """FreeSWITCH's threads interleave the channels' events: only the order within a group
    counts. The agent's events all moved to the end: no difference."""
    agent = [e for e in capture if e.get("CC-Agent") and not e.get("Channel-Name")]
    rest = [e for e in capture if not (e.get("CC-Agent") and not e.get("Channel-Name"))]
    assert len(agent) == 7 and rest + agent != capture
    assert differences(capture, rest + agent) == []


def test_variables_the_project_does_not_read_may_differ(capture: list[Event]) -> None:
    at = _at(capture, "CHANNEL_HANGUP_COMPLETE")
    got = _edited(capture, at, {"variable_sip_call_id": "another@call"},
                  drop=("variable_sip_user_agent", "variable_max_forwards"))
    assert differences(capture, got) == []


# -- what must be a difference -----------------------------------------------------------------

def test_a_missing_event(capture: list[Event]) -> None:
    at = _at(capture, "DTMF 1")
    got = capture[:at] + capture[at + 1:]
    expected = _labels([e for e in capture if relied_on(e)], CALLER)
    assert differences(capture, got) == [
        f"{CALLER}: order differs\n  freeswitch: {expected}\n"
        f"  simulator:  {[x for x in expected if x != 'DTMF 1']}"]


def test_an_extra_event(capture: list[Event]) -> None:
    at = _at(capture, "DTMF 1")
    got = [*capture[:at + 1], capture[at], *capture[at + 1:]]
    (problem,) = differences(capture, got)
    assert problem.startswith(f"{CALLER}: order differs\n")
    freeswitch, simulator = problem.split("\n")[1:]
    assert freeswitch.count("'DTMF 1'") == 1 and simulator.count("'DTMF 1', 'DTMF 1'") == 1


def test_events_out_of_order(capture: list[Event]) -> None:
    """CHANNEL_ANSWER before the `answer` application's EXECUTE: within one channel."""
    answer, execute = _at(capture, "CHANNEL_ANSWER"), _at(capture, "CHANNEL_EXECUTE answer")
    got = list(capture)
    got[answer], got[execute] = got[execute], got[answer]
    (problem,) = differences(capture, got)
    assert problem.startswith(f"{CALLER}: order differs\n")
    assert "'CHANNEL_ANSWER', 'CHANNEL_EXECUTE answer', 'CHANNEL_EXECUTE_COMPLETE answer'" \
        in problem.split("simulator:")[1]


def test_an_event_of_a_group_freeswitch_never_had(capture: list[Event]) -> None:
    stray = _rebuilt(capture[_at(capture, "DTMF 1")],
                     {"Channel-Name": "sofia/external/0999@127.0.0.1:5090"})
    assert differences(capture, [*capture, stray]) == [
        "channel sofia/external/0999@127.0.0.1:5090: order differs\n  freeswitch: []\n"
        "  simulator:  ['DTMF 1']"]


def test_a_wrong_header_value(capture: list[Event]) -> None:
    at = _at(capture, "CHANNEL_ANSWER")
    got = _edited(capture, at, {"Answer-State": "early"})
    assert differences(capture, got) == [
        f"{CALLER} CHANNEL_ANSWER: Answer-State: 'answered' != 'early'"]


def test_a_wrong_value_of_an_agent_event(capture: list[Event]) -> None:
    at = next(i for i, e in enumerate(capture) if e.get("CC-Action") == "agent-state-change")
    got = _edited(capture, at, {"CC-Agent-State": "Idle"})
    assert differences(capture, got) == [
        f"{AGENT} CUSTOM agent-state-change: CC-Agent-State: 'Receiving' != 'Idle'"]


def test_only_the_id_inside_a_value_is_normalised(capture: list[Event]) -> None:
    at = _at(capture, "CHANNEL_EXECUTE uuid_bridge")
    wanted = capture[at]["Application-Data"]
    got = _edited(capture, at, {"Application-Data": f"{uuid.uuid4()} -bleg"})
    assert differences(capture, got) == [
        f"{CALLER} CHANNEL_EXECUTE uuid_bridge: Application-Data: {wanted!r} != "
        f"{got[at]['Application-Data']!r}"]


def test_a_missing_and_an_extra_header(capture: list[Event]) -> None:
    at = _at(capture, "CHANNEL_ANSWER")
    got = list(capture)
    got[at] = _rebuilt(capture[at], drop=("Caller-Caller-ID-Number",),
                       add=(("X-Simulator-Only", "1"),))
    assert differences(capture, got) == [
        f"{CALLER} CHANNEL_ANSWER: headers missing ['Caller-Caller-ID-Number'], "
        "extra ['X-Simulator-Only']"]


@pytest.mark.parametrize("variable", READ_VARIABLES)
def test_a_missing_read_variable(capture: list[Event], variable: str) -> None:
    at = next(i for i, e in enumerate(capture) if variable in e)
    got = _edited(capture, at, drop=(variable,))
    key = f"channel {capture[at]['Channel-Name']}"
    assert differences(capture, got) == [f"{key} {label(capture[at])}: {variable} missing"]


@pytest.mark.parametrize("variable, wrong", [
    ("variable_hotline_key", "2"),
    ("variable_cc_queue", "public_services@hotline1022"),
    ("variable_cc_agent", "agent1002@hotline1022"),
    ("variable_cc_export_vars", "hotline_key,cc_side"),
    ("variable_cc_side", "agent"),
    ("variable_cc_member_uuid", "not a uuid"),
])
def test_a_read_variable_with_another_value(capture: list[Event], variable: str,
                                           wrong: str) -> None:
    at = next(i for i, e in enumerate(capture) if variable in e and e[variable] != wrong)
    got = _edited(capture, at, {variable: wrong})
    key = f"channel {capture[at]['Channel-Name']}"
    assert differences(capture, got) == [
        f"{key} {label(capture[at])}: {variable}: {capture[at][variable]!r} != {wrong!r}"]


def test_every_event_with_a_wrong_variable_is_reported(capture: list[Event]) -> None:
    got = [_rebuilt(e, {"variable_cc_queue": "other@hotline1022"})
           if e.get("variable_cc_queue") else e for e in capture]
    problems = differences(capture, got)
    carrying = [e for e in capture if relied_on(e) and e.get("variable_cc_queue")]
    assert len(problems) == len(carrying) > 10
    assert all(p.endswith("variable_cc_queue: 'f0_home_care@hotline1022' != "
                          "'other@hotline1022'") for p in problems)


def test_more_variables_by_value_where_freeswitch_has_them(capture: list[Event]) -> None:
    """`variables=`: compared by value too (the hotline captures' tier position, q850)."""
    at = _at(capture, "CHANNEL_HANGUP_COMPLETE")
    got = _edited(capture, at, {"variable_hangup_cause_q850": "17"})
    assert differences(capture, got) == []
    assert differences(capture, got, variables=("variable_hangup_cause_q850",)) == [
        f"{CALLER} CHANNEL_HANGUP_COMPLETE: variable_hangup_cause_q850: '16' != '17'"]
    missing = _edited(capture, at, drop=("variable_hangup_cause_q850",))
    assert differences(capture, missing, variables=("variable_hangup_cause_q850",)) == [
        f"{CALLER} CHANNEL_HANGUP_COMPLETE: variable_hangup_cause_q850 missing"]


def test_variables_that_are_times_may_differ(capture: list[Event]) -> None:
    at = _at(capture, "CHANNEL_HANGUP_COMPLETE")
    times = ("variable_cc_queue_joined_epoch", "variable_end_uepoch", "variable_end_stamp",
             "variable_RFC2822_DATE")
    got = _edited(capture, at, {"variable_cc_queue_joined_epoch": "1800000000",
                                "variable_end_uepoch": "1800000000000000",
                                "variable_end_stamp": "2027-01-01 00:00:00",
                                "variable_RFC2822_DATE": "Fri, 1 Jan 2027 00:00:00 +0000"})
    assert differences(capture, got, variables=times) == []


def test_extra_event_names(capture: list[Event]) -> None:
    """`extra`: events beyond the relied-on ones, compared as well (hold, for instance)."""
    hold = _rebuilt(capture[_at(capture, "CHANNEL_ANSWER")], {"Event-Name": "CHANNEL_HOLD"})
    assert differences(capture, [*capture, hold]) == []
    (problem,) = differences(capture, [*capture, hold], extra=frozenset({"CHANNEL_HOLD"}))
    assert problem.startswith(f"{CALLER}: order differs\n")
    assert problem.endswith("'CUSTOM member-queue-end', 'CHANNEL_HOLD']")
