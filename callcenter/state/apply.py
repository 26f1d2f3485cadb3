"""`apply(state, event) -> effects`: the live state follows FreeSWITCH's events, and says what
the shell must do about them. No I/O, no clock: times come from Event-Date-Timestamp.

Events can come twice or late after a reconnect: every update is keyed (Unique-ID, member
UUID, agent name) and only moves forward, so applying an event again changes nothing.
The state object is updated in place (it is owned by the caller); at 25,000 events a second
with a thousand calls up, copying it for every event is not affordable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from callcenter.state.effects import (
    AgentBridged,
    AgentOffered,
    AgentReleased,
    AgentStateChanged,
    AgentStatusChanged,
    CallbackDialEnded,
    CallbackOwed,
    CallChanged,
    Effect,
)
from callcenter.state.model import (
    ABANDONED,
    ANSWERED,
    IVR_HANGUP,
    NO_AGENT,
    OVERFLOW,
    CallState,
    LiveState,
    Member,
)

Event = Mapping[str, str]
# The channel variable that holds the caller's menu key (the dialplan's play_and_get_digits).
MENU_VARIABLE = "variable_hotline_key"
CALLBACK_VARIABLE, DIAL_VARIABLE = "variable_hotline_callback_id", "variable_hotline_dial"
CANCEL_RESULTS = {"BREAK_OUT": ABANDONED, "NO_AGENT_TIMEOUT": NO_AGENT, "TIMEOUT": OVERFLOW,
                  "EXIT_WITH_KEY": OVERFLOW}


def _us(event: Event) -> int:
    return int(event.get("Event-Date-Timestamp") or 0)


def _changed(call: CallState) -> CallChanged:
    return CallChanged(dataclasses.replace(call))


def callback_owed(call: CallState) -> list[Effect]:
    """An abandoned caller is owed one callback (member-queue-end, or the hangup if that
    event was missed)."""
    if call.result not in (ABANDONED, NO_AGENT, OVERFLOW) or not call.queue or \
            call.callback_owed:
        return []
    call.callback_owed = True
    reason = "requested" if call.cancel_reason == "EXIT_WITH_KEY" else "abandoned"
    return [CallbackOwed(call.caller_number, call.queue, call.uuid, reason)]


# -- channels --------------------------------------------------------------------------

def _channel_create(state: LiveState, event: Event) -> list[Effect]:
    uuid = event.get("Unique-ID") or ""
    if event.get("variable_cc_side") == "agent" or event.get("Call-Direction") != "inbound":
        agent = event.get("variable_cc_agent")
        if agent:
            state.legs[uuid] = agent
        return []
    if uuid in state.calls:
        return []
    call = state.calls[uuid] = CallState(
        uuid=uuid, caller_number=event.get("Caller-Caller-ID-Number") or "",
        caller_name=event.get("Caller-Caller-ID-Name") or "",
        destination=event.get("Caller-Destination-Number") or "", started_us=_us(event))
    return [_changed(call)]


def _execute_complete(state: LiveState, event: Event) -> list[Effect]:
    call = state.calls.get(event.get("Unique-ID") or "")
    digit = event.get(MENU_VARIABLE)
    if call is None or not digit or call.menu_choice == digit:
        return []
    call.menu_choice = digit
    return [_changed(call)]


def _record_start(state: LiveState, event: Event) -> list[Effect]:
    call = state.calls.get(event.get("Unique-ID") or "")
    if call is None or call.recording:
        return []
    call.recording = event.get("Record-File-Path")
    return [_changed(call)]


def _callback_dial_ended(event: Event) -> list[Effect]:
    """The agent's leg of a callback dial (callcenter.hub.calls sets these variables)."""
    callback_id, token = event.get(CALLBACK_VARIABLE) or "", event.get(DIAL_VARIABLE) or ""
    if not callback_id.isdigit():
        return []
    return [CallbackDialEnded(int(callback_id), token,
                              event.get("variable_originate_disposition"), _us(event),
                              event.get("Unique-ID") or "")]


def _hangup_complete(state: LiveState, event: Event) -> list[Effect]:
    uuid = event.get("Unique-ID") or ""
    if event.get(CALLBACK_VARIABLE):
        return _callback_dial_ended(event)
    agent = state.legs.pop(uuid, None)
    if agent is not None:
        return []
    call = state.calls.pop(uuid, None)
    if call is None:
        return []
    call.ended_us = _us(event)
    call.hangup_cause = event.get("Hangup-Cause")
    if call.result is None:
        call.result = ANSWERED if call.answered_us else (
            ABANDONED if call.queued_us else IVR_HANGUP)
    return [_changed(call), *callback_owed(call)]


# -- mod_callcenter ----------------------------------------------------------------------

def _member_start(state: LiveState, event: Event) -> list[Effect]:
    queue_name = event.get("CC-Queue") or ""
    member_uuid = event.get("CC-Member-UUID") or ""
    session = event.get("CC-Member-Session-UUID") or ""
    queue = state.queue(queue_name)
    if member_uuid not in queue.members:  # the same event again changes nothing
        queue.members[member_uuid] = Member(member_uuid, session,
                                            event.get("CC-Member-CID-Number") or "", _us(event))
    call = state.calls.get(session)
    if call is None or call.queued_us is not None:
        return []
    call.queue, call.member_uuid, call.queued_us = queue_name, member_uuid, _us(event)
    return [_changed(call)]


def _members_count(state: LiveState, event: Event) -> list[Effect]:
    state.queue(event.get("CC-Queue") or "").count = int(event.get("CC-Count") or 0)
    return []


def _offering(state: LiveState, event: Event) -> list[Effect]:
    member = state.queue(event.get("CC-Queue") or "").members.get(
        event.get("CC-Member-UUID") or "")
    if member is not None:
        member.state = "Trying"
    call = state.calls.get(event.get("CC-Member-Session-UUID") or "")
    if call is None:
        return []
    offered = AgentOffered(event.get("CC-Agent") or "", dataclasses.replace(call))
    if call.offered_us is not None:  # offered again (to the next agent, or ring-all)
        return [offered]
    call.offered_us = _us(event)
    return [_changed(call), offered]


def _bridge_start(state: LiveState, event: Event) -> list[Effect]:
    agent = state.agent(event.get("CC-Agent") or "")
    session = event.get("CC-Member-Session-UUID") or ""
    queue = state.queue(event.get("CC-Queue") or "")
    member = queue.members.get(event.get("CC-Member-UUID") or "")
    if member is not None and member.state != "Answered":
        member.state = "Answered"
        queue.answered += 1
        queue.answered_after(max(0, _us(event) - member.joined_us))
    call = state.calls.get(session)
    if call is None or call.answered_us is not None:
        return []
    call.answered_us = _us(event)  # CC-Agent-Answered-Time is only whole seconds
    call.agent, call.agent_leg = agent.name, event.get("CC-Agent-UUID")
    agent.call = session
    agent.calls_answered += 1
    if call.agent_leg:
        state.legs[call.agent_leg] = agent.name
    return [_changed(call), AgentBridged(agent.name, dataclasses.replace(call))]


def _bridge_end(state: LiveState, event: Event) -> list[Effect]:
    agent = state.agent(event.get("CC-Agent") or "")
    session = event.get("CC-Member-Session-UUID") or ""
    if agent.call != session:
        return []
    agent.call = None
    return [AgentReleased(agent.name, session)]


def _bridge_fail(state: LiveState, event: Event) -> list[Effect]:
    if event.get("CC-Hangup-Cause") not in ("ORIGINATOR_CANCEL", "LOSE_RACE"):
        state.agent(event.get("CC-Agent") or "").no_answers += 1
    member = state.queue(event.get("CC-Queue") or "").members.get(
        event.get("CC-Member-UUID") or "")
    if member is not None and member.state == "Trying":
        member.state = "Waiting"
    return []


def _member_end(state: LiveState, event: Event) -> list[Effect]:
    queue = state.queue(event.get("CC-Queue") or "")
    member = queue.members.pop(event.get("CC-Member-UUID") or "", None)
    call = state.calls.get(event.get("CC-Member-Session-UUID") or "")
    cancelled = event.get("CC-Cause") == "Cancel"
    if member is not None and cancelled:
        queue.abandoned += 1
    if call is None or call.result is not None:
        return []
    if cancelled:
        reason = event.get("CC-Cancel-Reason") or "BREAK_OUT"
        call.result = CANCEL_RESULTS.get(reason, ABANDONED)
        if reason != "BREAK_OUT":
            call.cancel_reason = reason
        return [_changed(call), *callback_owed(call)]
    call.result = ANSWERED
    return [_changed(call)]


def _agent_status(state: LiveState, event: Event) -> list[Effect]:
    agent = state.agent(event.get("CC-Agent") or "")
    status = event.get("CC-Agent-Status") or ""
    if agent.status == status:
        return []
    agent.status, agent.since_us = status, _us(event)
    return [AgentStatusChanged(agent.name, status, _us(event))]


def _agent_state(state: LiveState, event: Event) -> list[Effect]:
    agent = state.agent(event.get("CC-Agent") or "")
    new = event.get("CC-Agent-State") or ""
    if agent.state == new:
        return []
    agent.state, agent.since_us = new, _us(event)
    return [AgentStateChanged(agent.name, new, _us(event))]


def _agent_add(state: LiveState, event: Event) -> list[Effect]:
    state.agent(event.get("CC-Agent") or "")
    return []


Handler = Callable[[LiveState, Event], list[Effect]]

CALLCENTER: dict[str, Handler] = {
    "member-queue-start": _member_start, "member-queue-resume": _member_start,
    "members-count": _members_count, "agent-offering": _offering,
    "bridge-agent-start": _bridge_start, "bridge-agent-end": _bridge_end,
    "bridge-agent-fail": _bridge_fail, "member-queue-end": _member_end,
    "agent-status-change": _agent_status, "agent-state-change": _agent_state,
    "agent-add": _agent_add,
}
CHANNEL: dict[str, Handler] = {
    "CHANNEL_CREATE": _channel_create, "CHANNEL_EXECUTE_COMPLETE": _execute_complete,
    "RECORD_START": _record_start, "CHANNEL_HANGUP_COMPLETE": _hangup_complete,
}


def apply(state: LiveState, event: Event) -> list[Effect]:
    """Apply one event; returns what the shell must do. Unknown events change nothing."""
    name = event.get("Event-Name")
    if name == "CUSTOM":
        if event.get("Event-Subclass") != "callcenter::info":
            return []
        handler = CALLCENTER.get(event.get("CC-Action") or "")
    else:
        handler = CHANNEL.get(name or "")
    if handler is None:
        return []
    state.events += 1
    state.last_event_us = max(state.last_event_us, _us(event))
    return handler(state, event)
