"""After every (re)connect: the live state rebuilt from what the switch has now.

`rebuild()` is pure: the previous state and three readings of the switch (its channels,
mod_callcenter's members and agents, as their JSON forms give them) in; the new state, the
effects (calls that ended while we were away, closed; callbacks they owe), the repairs the switch
needs, and one line per difference out. callcenter.tracker reads the switch and applies them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from callcenter.state.apply import callback_owed
from callcenter.state.effects import CallChanged, Effect
from callcenter.state.model import (
    ABANDONED,
    ANSWERED,
    IVR_HANGUP,
    AgentState,
    CallState,
    LiveState,
    Member,
)

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Snapshot:
    channels: Rows
    members: Rows
    agents: Rows


@dataclass(frozen=True)
class SetAgentState:
    """A repair: mod_callcenter holds the agent in a state nothing will end."""

    agent: str
    state: str


@dataclass
class Resync:
    state: LiveState
    effects: list[Effect]
    repairs: list[SetAgentState]
    differences: list[str]


def _us(epoch: Any) -> int:
    try:
        return int(epoch) * 1_000_000
    except (TypeError, ValueError):
        return 0


def rebuild(previous: LiveState, snapshot: Snapshot, now_us: int) -> Resync:
    state = LiveState(events=previous.events, last_event_us=max(previous.last_event_us, now_us))
    effects: list[Effect] = []
    differences: list[str] = []
    up = {row["uuid"]: row for row in snapshot.channels}
    _calls(previous, state, up, now_us, effects, differences)
    _members(state, snapshot.members, up, differences)
    for name, old in previous.queues.items():  # the day's counters are ours, not the switch's
        queue = state.queue(name)
        queue.answered, queue.abandoned = old.answered, old.abandoned
        queue.wait_average_us = old.wait_average_us
    repairs = _agents(previous, state, snapshot.agents, up, differences)
    return Resync(state, effects, repairs, differences)


def _calls(previous: LiveState, state: LiveState, up: dict[str, dict[str, Any]], now_us: int,
           effects: list[Effect], differences: list[str]) -> None:
    for uuid, call in previous.calls.items():
        if uuid in up:
            state.calls[uuid] = call
            continue
        call = dataclasses.replace(call, ended_us=now_us, hangup_cause=call.hangup_cause)
        if call.result is None:
            call.result = ANSWERED if call.answered_us else (
                ABANDONED if call.queued_us else IVR_HANGUP)
        differences.append(f"call {uuid}: ended while the link was down ({call.result})")
        effects.append(CallChanged(dataclasses.replace(call)))
        effects.extend(callback_owed(call))
    for uuid, row in up.items():
        leg = row.get("direction") == "outbound"
        if leg or uuid in state.calls:
            continue
        state.calls[uuid] = call = CallState(
            uuid=uuid, caller_number=row.get("cid_num") or "", caller_name=row.get("cid_name")
            or "", destination=row.get("initial_dest") or row.get("dest") or "",
            started_us=_us(row.get("created_epoch")))
        differences.append(f"call {uuid}: up on the switch, unknown to us (added)")
        effects.append(CallChanged(dataclasses.replace(call)))
    for uuid, row in up.items():
        if row.get("direction") == "outbound" and row.get("call_uuid") in state.calls:
            state.legs[uuid] = ""  # an agent's leg; its agent comes from `agent list`


def _members(state: LiveState, rows: Rows, up: dict[str, dict[str, Any]],
             differences: list[str]) -> None:
    for row in rows:
        if row.get("state") not in ("Waiting", "Trying", "Answered"):
            continue
        session = row.get("session_uuid") or ""
        if session not in up:
            differences.append(f"member {row.get('uuid')}: its channel is gone (left out)")
            continue
        queue = state.queue(row.get("queue") or "")
        # `queue list members` has the member's base_score (mod_callcenter.c
        # list_result_callback over the members table); the open case is not in it.
        queue.members[row["uuid"]] = Member(row["uuid"], session, row.get("cid_number") or "",
                                            _us(row.get("joined_epoch")), row["state"],
                                            base_score=_score(row.get("base_score")))
        call = state.calls.get(session)
        if call is not None and call.queued_us is None:
            call.queue, call.member_uuid = queue.name, row["uuid"]
            call.queued_us = _us(row.get("joined_epoch"))
    for queue in state.queues.values():
        queue.count = sum(1 for m in queue.members.values() if m.state in ("Waiting", "Trying"))


def _agents(previous: LiveState, state: LiveState, rows: Rows, up: dict[str, dict[str, Any]],
            differences: list[str]) -> list[SetAgentState]:
    repairs = []
    for row in rows:
        name = row["name"]
        old = previous.agents.get(name)
        agent = state.agents[name] = AgentState(
            name, status=row.get("status") or "", state=row.get("state") or "",
            since_us=_us(row.get("last_status_change")),
            calls_answered=int(row.get("calls_answered") or 0),
            no_answers=int(row.get("no_answer_count") or 0))
        leg = row.get("uuid") or ""
        if agent.state in ("In a queue call", "Receiving") and leg and leg not in up:
            repairs.append(SetAgentState(name, "Waiting"))
            differences.append(f"agent {name}: {agent.state} on a channel that is gone "
                               "(set Waiting)")
            agent.state = "Waiting"
        elif leg in up:
            agent.call = up[leg].get("call_uuid")
            state.legs[leg] = name
            call = state.calls.get(agent.call or "")
            if call is not None and call.answered_us is None:  # bridged while we were away
                call.answered_us = _us(row.get("last_bridge_start")) or state.last_event_us
                call.agent, call.agent_leg = name, leg
        if old is not None and old.status != agent.status:
            differences.append(f"agent {name}: status {old.status} → {agent.status}")
    return repairs


def _score(text: object) -> int:
    try:
        return int(str(text or 0))
    except ValueError:
        return 0
