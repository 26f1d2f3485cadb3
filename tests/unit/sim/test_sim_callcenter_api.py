"""callcenter_config replayed against the real FreeSWITCH captures, byte for byte.

Every `api callcenter_config ...` and `api json {...callcenter_config...}` command of each
`*.control.sent.esl` goes through CallcenterConfigApi in order (with tests/fixtures/
callcenter.conf.xml loaded) and must give exactly the `api/response` body FreeSWITCH sent back.
Other commands are skipped, keeping the command/reply pairing.

Time: `now` for a command is its send time on the control timeline plus the offset between the
observer timeline and FreeSWITCH's clock (the largest Event-Date-Timestamp - arrival time over the
observer's events; both timelines start together). That reproduces every time column of the
captures exactly (last_status_change, member score), so nothing is compared loosely.

The scenarios ran one after another on one FreeSWITCH, so they are replayed in that order on
one model: state carries over (ivr_hangup lists the member call_abandoned left Abandoned).

Calls: what the dispatcher and the `callcenter` application did during a call (member rows,
agent uuid, bridge times, talk time) comes from the observer's callcenter::info events, applied
with the UPDATEs mod_callcenter.c runs for them (`apply_dispatcher_event`), just before the first
command sent after the event arrived; abandoned members are discarded as the dispatcher does.
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pytest

from callcenter.sim.callcenter_api import CallcenterConfigApi
from callcenter.sim.callcenter_model import (
    CallcenterModel,
    Member,
    member_base_score,
    members_to_discard,
)
from callcenter.sim.callcenter_text import USAGE
from callcenter.sim.queue_conf import read_callcenter_conf
from callcenter.sim.runner import DEFAULT_CONF
from tests.support.paths import FIXTURES_DIR

FIXTURES = FIXTURES_DIR
CAPTURES = FIXTURES / "freeswitch"
CONF = DEFAULT_CONF / "autoload_configs" / "callcenter.conf.xml"
SCENARIOS = sorted(p.name.split(".")[0] for p in CAPTURES.glob("*.control.sent.esl"))
API_EVENT_FUNCTIONS = ("cc_agent_add", "cc_agent_get")
API_UPDATE_ACTIONS = ("agent-status-change", "agent-contact-change")


@dataclass
class Frame:
    start: int
    end: int
    headers: dict[str, str]
    body: bytes


def split_frames(data: bytes) -> list[Frame]:
    """ESL frames: header lines, a blank line, then Content-Length bytes of body if any."""
    frames, pos = [], 0
    while pos < len(data):
        head_end = data.index(b"\n\n", pos)
        lines = data[pos:head_end].decode().split("\n")
        headers = dict(line.split(": ", 1) for line in lines)
        body_end = head_end + 2 + int(headers.get("Content-Length", 0))
        frames.append(Frame(pos, body_end, headers, data[head_end + 2:body_end]))
        pos = body_end
    return frames


def event_headers(body: bytes) -> list[tuple[str, str]]:
    """A text/event-plain body as (name, decoded value) pairs, in order."""
    pairs = []
    for line in body.decode().split("\n"):
        if ": " in line:
            name, value = line.split(": ", 1)
            pairs.append((name, unquote(value)))
    return pairs


def timeline(path: Path, direction: str) -> list[tuple[float, int, int]]:
    with open(path, encoding="ascii") as f:
        return [(float(r["t_monotonic"]), int(r["offset"]), int(r["length"]))
                for r in csv.DictReader(f, delimiter="\t") if r["direction"] == direction]


def time_at(rows: list[tuple[float, int, int]], offset: int) -> float:
    return next(t for t, start, length in rows if start <= offset < start + length)


@dataclass
class Event:
    arrived: float
    headers: list[tuple[str, str]]

    def __post_init__(self) -> None:
        self.h = dict(self.headers)
        self.cc = [(n, v) for n, v in self.headers if n.startswith("CC-")]
        self.ts = int(self.h["Event-Date-Timestamp"]) // 1_000_000

    @property
    def from_api(self) -> bool:
        """Fired by callcenter_config itself (not by the dispatcher or the application)."""
        fn = self.h["Event-Calling-Function"]
        return fn in API_EVENT_FUNCTIONS or (
            fn == "cc_agent_update" and self.h["CC-Action"] in API_UPDATE_ACTIONS)


@dataclass
class Scenario:
    name: str
    commands: list[tuple[float, str]] = field(default_factory=list)  # (send time, command)
    replies: list[Frame] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # callcenter::info on the observer
    clock_offset: float = 0.0

    @classmethod
    def load(cls, name: str) -> Scenario:
        sc = cls(name)
        base = CAPTURES / name
        sent = Path(f"{base}.control.sent.esl").read_bytes()
        sent_rows = timeline(Path(f"{base}.control.timeline.tsv"), "sent")
        pos = 0
        for command in sent.decode().split("\n\n")[:-1]:
            sc.commands.append((time_at(sent_rows, pos), command))
            pos += len(command.encode()) + 2
        recv = Path(f"{base}.control.recv.esl").read_bytes()
        sc.replies = [f for f in split_frames(recv)
                      if f.headers.get("Content-Type") in ("api/response", "command/reply")]
        obs_rows = timeline(Path(f"{base}.observer.timeline.tsv"), "recv")
        offsets = []
        for frame in split_frames(Path(f"{base}.observer.recv.esl").read_bytes()):
            if frame.headers.get("Content-Type") != "text/event-plain":
                continue
            ev = Event(time_at(obs_rows, frame.end - 1), event_headers(frame.body))
            offsets.append(int(ev.h["Event-Date-Timestamp"]) / 1e6 - ev.arrived)
            if ev.h.get("Event-Subclass") == "callcenter::info":
                sc.events.append(ev)
        sc.clock_offset = max(offsets)
        return sc


def find_member(model: CallcenterModel, uuid: str) -> Member:
    return next(m for m in model.members if m.uuid == uuid)


def apply_dispatcher_event(model: CallcenterModel, ev: Event) -> None:
    """The table updates mod_callcenter.c makes where it fires this event (not the API's)."""
    h, action, ts = ev.h, ev.h["CC-Action"], ev.ts
    agent = model.agent(h.get("CC-Agent", ""))
    if action == "member-queue-start":  # callcenter_function's INSERT
        queue = model.get_queue(h["CC-Queue"])
        assert queue is not None
        answered = int(h["Caller-Channel-Answered-Time"]) // 1_000_000
        model.members.append(Member(
            queue=queue.name, instance_id=model.settings.cc_instance_id,
            uuid=h["CC-Member-UUID"], session_uuid=h["CC-Member-Session-UUID"],
            cid_number=h["CC-Member-CID-Number"], cid_name=h["CC-Member-CID-Name"],
            system_epoch=answered, joined_epoch=ts,
            base_score=member_base_score(queue, ts, answered, h.get("variable_cc_base_score"))))
    elif action == "agent-offering":  # agents_callback: member Trying, tiers Offering/Standby
        member = find_member(model, h["CC-Member-UUID"])
        member.serving_agent, member.serving_system, member.state = (
            h["CC-Agent"], "single_box", "Trying")
        for tier in model.tiers:
            if tier.agent == h["CC-Agent"]:
                if tier.queue == h["CC-Queue"]:
                    tier.state = "Offering"
                elif tier.state == "Ready":
                    tier.state = "Standby"
    elif action == "agent-state-change":  # cc_agent_update("state", ...)
        assert agent is not None
        agent.state = h["CC-Agent-State"]
        if agent.state == "Receiving":
            agent.last_offered_call = ts
    elif action == "bridge-agent-start":  # outbound_agent_thread_run after the bridge
        assert agent is not None
        agent.uuid, agent.last_bridge_start = h["CC-Agent-UUID"], ts
        agent.calls_answered, agent.no_answer_count = agent.calls_answered + 1, 0
        member = find_member(model, h["CC-Member-UUID"])
        member.state, member.bridge_epoch = "Answered", ts
    elif action == "bridge-agent-end" and h["CC-Agent-Bridged"] == "true":
        assert agent is not None
        agent.uuid, agent.last_bridge_end = "", ts  # callback agents lose their uuid
        agent.talk_time += ts - agent.last_bridge_start
        model.members[:] = [m for m in model.members if m.uuid != h["CC-Member-UUID"]]
        for tier in model.tiers:
            if tier.agent == agent.name and tier.state in ("Active Inbound", "Standby",
                                                           "Offering"):
                tier.state = "Ready"
    elif action == "member-queue-end" and h.get("CC-Cause") == "Cancel":
        member = find_member(model, h["CC-Member-UUID"])
        member.state, member.session_uuid = "Abandoned", ""
        member.abandoned_epoch = int(h["CC-Member-Leaving-Time"])


@dataclass
class Replay:
    compared: list[tuple[str, bytes, bytes]] = field(default_factory=list)  # (command, ours, FS)
    emitted: list[list[tuple[str, str]]] = field(default_factory=list)
    expected_events: list[list[tuple[str, str]]] = field(default_factory=list)


@functools.cache
def replay_all() -> dict[str, Replay]:
    """All scenarios on one model, in the order they ran on the one FreeSWITCH: state carries
    over (ivr_hangup still lists the member call_abandoned left as Abandoned)."""
    scenarios = sorted((Scenario.load(name) for name in SCENARIOS),
                       key=lambda sc: sc.commands[0][0] + sc.clock_offset)
    model = CallcenterModel(config=read_callcenter_conf(CONF))
    emitted: list[list[tuple[str, str]]] = []
    api = CallcenterConfigApi(model, emitted.append)
    api.startup(scenarios[0].commands[0][0] + scenarios[0].clock_offset)
    results = {}
    for sc in scenarios:
        assert len(sc.commands) == len(sc.replies), "every command has exactly one reply"
        result = results[sc.name] = Replay()
        emitted.clear()
        pending = [ev for ev in sc.events if not ev.from_api]
        for (sent_at, command), reply in zip(sc.commands, sc.replies, strict=True):
            now = sent_at + sc.clock_offset
            while pending and pending[0].arrived < sent_at:
                apply_dispatcher_event(model, pending.pop(0))
            gone = members_to_discard(model, now)  # the dispatcher's cleanup, every 100 ms
            model.members[:] = [m for m in model.members if all(m is not g for g in gone)]
            if command.startswith("api callcenter_config"):
                _name, _sep, args = command[len("api "):].partition(" ")
                ours = api.execute(args, now)
            elif command.startswith("api json ") and '"callcenter_config"' in command:
                ours = api.execute_json(json.loads(command[len("api json "):]), now)
            else:
                continue
            assert reply.headers["Content-Type"] == "api/response"
            result.compared.append((command, ours.encode(), reply.body))
        for ev in pending:
            apply_dispatcher_event(model, ev)
        result.emitted = list(emitted)
        result.expected_events = [ev.cc for ev in sc.events if ev.from_api]
    return results


def replay(name: str) -> Replay:
    return replay_all()[name]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_replies_match_capture_byte_for_byte(scenario: str) -> None:
    result = replay(scenario)
    assert result.compared, "the scenario has callcenter_config commands"
    for command, ours, theirs in result.compared:
        assert ours == theirs, command


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_events_match_observer_capture(scenario: str) -> None:
    """CC-* headers (names, order, decoded values) of the events the commands fired."""
    result = replay(scenario)
    assert result.emitted == result.expected_events


def test_api_replies_covers_what_it_should() -> None:
    """The main capture really exercises the tricky replies (guards the replay itself)."""
    replies = {c: ours for c, ours, _theirs in replay("api_replies").compared}
    assert replies["api callcenter_config"] == USAGE.encode()
    assert len(USAGE.encode()) == 1870
    get = "api callcenter_config agent get status agent1001@hotline1022"
    assert replies[get] == b"Available (On Demand)"
    queue_list = replies["api callcenter_config queue list"].decode().splitlines()
    assert [row.split("|")[0] for row in queue_list[1:-1]] == [
        "f0_home_care@hotline1022", "public_services@hotline1022", "epidemic_report@hotline1022"]
    assert replies["api callcenter_config foo"] == b"-ERR Invalid!\n"


def test_lead_transfer_agent_get_uuid() -> None:
    replies = {c: ours for c, ours, _t in replay("lead_transfer_callback").compared}
    uuid = replies["api callcenter_config agent get uuid agent1001@hotline1022"]
    assert uuid == b"fc274857-442e-4d73-9ff8-d4043071c9f4"


# -- unit tests of behaviours the captures do not show ---------------------------------------

A = "agent1@x"
Q = "f0_home_care@hotline1022"


def fresh_api() -> tuple[CallcenterConfigApi, list[list[tuple[str, str]]], list[tuple]]:
    events: list[list[tuple[str, str]]] = []
    hangups: list[tuple] = []
    model = CallcenterModel(config=read_callcenter_conf(CONF))
    api = CallcenterConfigApi(model, events.append, lambda *a: hangups.append(a))
    api.startup(1000)
    assert api.execute(f"agent add {A} callback", 1000) == "+OK\n"
    return api, events, hangups


def test_unquoted_multiword_status_pitfalls() -> None:
    api, events, _h = fresh_api()
    assert api.execute(f"agent set status {A} On Break", 1001) == "-ERR Invalid Agent Status!\n"
    assert api.execute(f'agent set status {A} "On Break"', 1001) == (
        "-ERR Invalid Agent Status!\n")  # double quotes do not group
    assert api.execute(f"agent set status {A} Available (On Demand)", 1002) == "+OK\n"
    assert api.execute(f"agent get status {A}", 1002) == "Available"  # silently wrong
    assert api.execute(f"agent set status {A} 'Available (On Demand)'", 1003) == "+OK\n"
    assert api.execute(f"agent get status {A}", 1003) == "Available (On Demand)"
    assert events[-2][-1] == ("CC-Agent-Status", "Available (On Demand)")


def test_status_is_stored_as_typed_and_available_resets_counters() -> None:
    api, events, hangups = fresh_api()
    agent = api.model.agent(A)
    assert agent is not None
    agent.talk_time, agent.calls_answered, agent.no_answer_count = 30, 2, 1
    assert api.execute(f"agent set status {A} available", 1005) == "+OK\n"
    assert (agent.status, agent.talk_time, agent.calls_answered, agent.last_status_change) == (
        "available", 0, 0, 1005)
    agent.talk_time = 7  # same text again: `AND NOT status = value` leaves the row alone
    api.execute(f"agent set status {A} available", 1006)
    assert (agent.talk_time, agent.last_status_change) == (7, 1005)
    assert events[-1] == [("CC-Agent", A), ("CC-Action", "agent-status-change"),
                          ("CC-Agent-Status", "available")]
    api.model.members.append(Member(queue=Q, uuid="m-1", serving_agent=A,
                                    serving_system="single_box", state="Trying"))
    api.execute(f"agent set status {A} 'Logged Out'", 1007)
    assert hangups == [("cc_member_pre_answer_uuid", "m-1", "ORIGINATOR_CANCEL")]


def test_agent_set_keys_and_get() -> None:
    api, events, _h = fresh_api()
    assert api.execute(f"agent set state {A} Receiving", 1010) == "+OK\n"
    assert api.model.agent(A).last_offered_call == 1010  # type: ignore[union-attr]
    assert api.execute(f"agent set state {A} Bogus", 1010) == "-ERR Invalid Agent State!\n"
    assert api.execute(f"agent set type {A} nope", 1010) == "-ERR Invalid Agent Type!\n"
    assert api.execute(f"agent set state_if_waiting {A} Idle", 1010) == (
        "-ERR Agent not found!\n")  # state is Receiving, not Waiting
    assert api.execute(f"agent set ready_time {A} 12x", 1010) == "+OK\n"
    assert api.model.agent(A).ready_time == 12  # type: ignore[union-attr]
    assert api.execute(f"agent get uuid {A}", 1010) == ""  # NULL: empty, event header dropped
    assert events[-1] == [("CC-Agent", A), ("CC-Action", "agent-uuid-get")]
    assert api.execute(f"agent get contact {A}", 1010) == "-ERR Invalid Agent Update KEY!\n"
    assert api.execute("agent set status nobody x", 1010) == "-ERR Agent not found!\n"
    assert api.execute("agent set status", 1010) == "-ERR Invalid!\n"


def test_tier_errors_and_unknown_sections() -> None:
    api, _e, _h = fresh_api()
    assert api.execute(f"tier add {Q} nobody", 1020) == "-ERR Agent not found!\n"
    assert api.execute(f"tier set level {Q} {A} 2", 1020) == "-ERR Unknown Error!\n"  # no tier
    assert api.execute(f"tier add {Q} {A} 2", 1020) == "+OK\n"
    assert api.execute(f"tier set state {Q} {A} 'No Answer'", 1020) == "+OK\n"
    assert api.execute(f"tier set state {Q} {A} Nope", 1020) == "-ERR Invalid Tier State!\n"
    assert api.execute(f"tier set bogus {Q} {A} 1", 1020) == "-ERR Invalid Tier Update KEY!\n"
    api.model.queues.delete(Q)
    api.model.config.queues.clear()
    assert api.execute(f"tier set level {Q} {A} 3", 1020) == "-ERR Agent not found!\n"  # sic
    assert api.execute("tier reload all", 1020) == "-ERR Unknown Error!\n"  # no <tiers> in XML
    assert api.execute("bogus section", 1020) == ""
    assert api.execute("agent bogus", 1020) == ""
    assert api.execute("queue list bogus", 1020) == "-ERR Invalid!\n"


def test_queue_unload_load_and_counts() -> None:
    api, _e, _h = fresh_api()
    assert api.execute(f"queue unload {Q}", 1030) == "+OK\n"
    assert api.execute("queue count", 1030) == "2\n"
    assert api.execute(f"queue load {Q}", 1030) == "+OK\n"
    assert api.execute("queue count", 1030) == "3\n"
    assert api.execute("queue count agents", 1030) == "0\n"  # %q of NULL: no queue "(NULL)"


def test_json_variant_errors() -> None:
    api, _e, _h = fresh_api()
    reply = api.execute_json({"command": "callcenter_config",
                              "data": {"arguments": "queue list agents"}}, 1040)
    assert reply == ('{"command":"callcenter_config","data":{"arguments":"queue list agents"},'
                     '"status":"error","message":"The command returned an error",'
                     '"response":{"error":"Missing data attribute: queue_name"}}\n')
    reply = api.execute_json({"command": "callcenter_config", "data": {"arguments": "x"}}, 1040)
    assert reply.endswith('"status":"error","message":"The command returned an error",'
                          '"response":null}\n')
    reply = api.execute_json({"command": "callcenter_config"}, 1040)
    assert '"message":"Invalid request or non-existant command","response":null}' in reply
    listed = json.loads(api.execute_json(
        {"command": "callcenter_config", "data": {"arguments": "Queue List"}}, 1040))
    assert listed["response"][0]["tier_rule_wait_second"] == 300
    assert "record_template" not in listed["response"][0]
