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
    SupervisionEnded,
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
    QueueLeg,
)

Event = Mapping[str, str]
# The channel variable that holds the caller's menu key (the dialplan's play_and_get_digits).
MENU_VARIABLE = "variable_hotline_key"
CALLBACK_VARIABLE, DIAL_VARIABLE = "variable_hotline_callback_id", "variable_hotline_dial"
SUPERVISE_VARIABLE = "variable_hotline_supervise"
# Set (uuid_setvar) on a waiting caller a lead moves to another queue: the member's uuid.
MOVED_VARIABLE, MOVED = "variable_hotline_moved", "MOVED"
CANCEL_RESULTS = {"BREAK_OUT": ABANDONED, "NO_AGENT_TIMEOUT": NO_AGENT, "TIMEOUT": OVERFLOW,
                  "EXIT_WITH_KEY": OVERFLOW}


def _us(event: Event) -> int:
    return int(event.get("Event-Date-Timestamp") or 0)


def _int(text: str | None) -> int:
    """A channel variable's whole number; 0 when it is unset or not a number."""
    try:
        return int(text or 0)
    except ValueError:
        return 0


def snapshot(call: CallState) -> CallState:
    """A copy the shell may keep: the state goes on changing the original."""
    return dataclasses.replace(call, legs=[dataclasses.replace(leg) for leg in call.legs])


def _changed(call: CallState) -> CallChanged:
    return CallChanged(snapshot(call))


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
    if event.get(SUPERVISE_VARIABLE):
        return [SupervisionEnded(event.get(SUPERVISE_VARIABLE) or "", uuid, _us(event))]
    agent = state.legs.pop(uuid, None)
    if agent is not None:
        return []
    call = state.calls.pop(uuid, None)
    if call is None:
        return []
    call.ended_us = _us(event)
    call.hangup_cause = event.get("Hangup-Cause")
    # The member's member-queue-end comes after its HANGUP_COMPLETE (captures
    # hotline_ivr_key1_answered, hotline_transfer_to_queue), when the call is gone from here:
    # its queue leg ends now. mod_callcenter.c: a member hanging up while bridged ends
    # `Terminated` (outbound_agent_thread_run), one still waiting is cancelled BREAK_OUT
    # (callcenter_function).
    for leg in call.legs:
        if leg.ended_us is None:
            leg.ended_us, leg.cause = call.ended_us, "Terminated" if leg.answered_us else \
                "BREAK_OUT"
    if call.result is None:
        answered = call.legs[-1].answered_us if call.legs else call.answered_us
        call.result = ANSWERED if answered else (ABANDONED if call.queued_us else IVR_HANGUP)
    return [_changed(call), *callback_owed(call)]


# -- mod_callcenter ----------------------------------------------------------------------

def _member_start(state: LiveState, event: Event) -> list[Effect]:
    """A caller joins a queue: from the IVR, or transferred from another queue's agent
    (capture hotline_transfer_to_queue: the new member starts before the old one ends)."""
    queue_name = event.get("CC-Queue") or ""
    member_uuid = event.get("CC-Member-UUID") or ""
    session = event.get("CC-Member-Session-UUID") or ""
    queue = state.queue(queue_name)
    if member_uuid not in queue.members:  # the same event again changes nothing
        # The event carries the member channel's variables (mod_callcenter.c
        # callcenter_function: switch_channel_event_set_data before member-queue-start): the
        # IVR's cc_base_score and hotline_case_id.
        queue.members[member_uuid] = Member(
            member_uuid, session, event.get("CC-Member-CID-Number") or "", _us(event),
            base_score=_int(event.get("variable_cc_base_score")),
            case_id=_int(event.get("variable_hotline_case_id")) or None)
    call = state.calls.get(session)
    if call is None or call.leg(member_uuid) is not None:
        return []
    call.legs.append(QueueLeg(member_uuid, queue_name, _us(event)))
    call.queue, call.member_uuid = queue_name, member_uuid
    call.agent = call.agent_leg = None  # until this queue's agent answers
    if call.ended_us is None:  # the previous queue's end may have come first
        call.result = call.cancel_reason = None
    if call.queued_us is None:
        call.queued_us = _us(event)
    return [_changed(call)]


def _leg_of(call: CallState | None, event: Event) -> QueueLeg | None:
    """The call's leg for the event's member; made now for a member whose start we did not
    see (a call learned from a resync after a restart, or an event lost with the link)."""
    if call is None:
        return None
    member_uuid = event.get("CC-Member-UUID") or ""
    leg = call.leg(member_uuid)
    if leg is None and member_uuid:
        joined = int(event.get("CC-Member-Joined-Time") or 0) * 1_000_000
        leg = QueueLeg(member_uuid, event.get("CC-Queue") or call.queue or "",
                       joined or call.queued_us or _us(event))
        call.legs.append(leg)
        if call.member_uuid in (None, member_uuid) or call.leg(call.member_uuid) is None:
            call.queue, call.member_uuid = leg.queue, member_uuid
    return leg


def _members_count(state: LiveState, event: Event) -> list[Effect]:
    state.queue(event.get("CC-Queue") or "").count = int(event.get("CC-Count") or 0)
    return []


def _offering(state: LiveState, event: Event) -> list[Effect]:
    member_uuid = event.get("CC-Member-UUID") or ""
    member = state.queue(event.get("CC-Queue") or "").members.get(member_uuid)
    if member is not None:
        member.state = "Trying"
    call = state.calls.get(event.get("CC-Member-Session-UUID") or "")
    leg = _leg_of(call, event)
    if call is None or leg is None:
        return []
    offered = AgentOffered(event.get("CC-Agent") or "", snapshot(call))
    if leg.offered_us is not None:  # offered again (to the next agent, or ring-all)
        return [offered]
    leg.offered_us = _us(event)
    if call.offered_us is None:
        call.offered_us = leg.offered_us
    return [_changed(call), offered]


def _bridge_start(state: LiveState, event: Event) -> list[Effect]:
    agent = state.agent(event.get("CC-Agent") or "")
    session = event.get("CC-Member-Session-UUID") or ""
    member_uuid = event.get("CC-Member-UUID") or ""
    queue = state.queue(event.get("CC-Queue") or "")
    member = queue.members.get(member_uuid)
    if member is not None and member.state != "Answered":
        member.state = "Answered"
        queue.answered += 1
        queue.answered_after(max(0, _us(event) - member.joined_us))
    call = state.calls.get(session)
    leg = _leg_of(call, event)
    if call is None or leg is None or leg.answered_us is not None:
        return []
    leg.answered_us = _us(event)  # CC-Agent-Answered-Time is only whole seconds
    leg.agent, leg.agent_leg = agent.name, event.get("CC-Agent-UUID")
    if call.answered_us is None:
        call.answered_us = leg.answered_us
    if call.member_uuid == member_uuid:
        call.agent, call.agent_leg = leg.agent, leg.agent_leg
    agent.call = session
    agent.calls_answered += 1
    if leg.agent_leg:
        state.legs[leg.agent_leg] = agent.name
    return [_changed(call), AgentBridged(agent.name, snapshot(call))]


def _bridge_end(state: LiveState, event: Event) -> list[Effect]:
    agent = state.agent(event.get("CC-Agent") or "")
    session = event.get("CC-Member-Session-UUID") or ""
    if agent.call != session:
        return []
    agent.call = None
    return [AgentReleased(agent.name, session)]


def _bridge_fail(state: LiveState, event: Event) -> list[Effect]:
    agent = state.agent(event.get("CC-Agent") or "")
    attempt = f"{event.get('CC-Member-UUID')}/{event.get('CC-Agent-Called-Time')}"
    if event.get("CC-Hangup-Cause") not in ("ORIGINATOR_CANCEL", "LOSE_RACE") and \
            agent.last_no_answer != attempt:  # the same event again counts once
        agent.no_answers += 1
        agent.last_no_answer = attempt
    member = state.queue(event.get("CC-Queue") or "").members.get(
        event.get("CC-Member-UUID") or "")
    if member is not None and member.state == "Trying":
        member.state = "Waiting"
    return []


def _member_end(state: LiveState, event: Event) -> list[Effect]:
    member_uuid = event.get("CC-Member-UUID") or ""
    queue = state.queue(event.get("CC-Queue") or "")
    member = queue.members.pop(member_uuid, None)
    call = state.calls.get(event.get("CC-Member-Session-UUID") or "")
    cancelled = event.get("CC-Cause") == "Cancel"
    moved = cancelled and event.get(MOVED_VARIABLE) == member_uuid
    if member is not None and cancelled and not moved:
        queue.abandoned += 1
    leg = _leg_of(call, event)
    if call is None or leg is None or leg.ended_us is not None:
        return []
    if moved:
        # A lead moved the caller to another queue (callcenter.hub.lead): the transfer breaks
        # the wait (BREAK_OUT), and the member-queue-end carries the channel's variables
        # (mod_callcenter.c callcenter_function: switch_channel_event_set_data): not an
        # abandon, no callback owed; the next queue's leg follows.
        leg.ended_us, leg.cause = _us(event), MOVED
        return [_changed(call)]
    reason = (event.get("CC-Cancel-Reason") or "BREAK_OUT") if cancelled else None
    leg.ended_us, leg.cause = _us(event), reason or event.get("CC-Cause")
    if call.member_uuid != member_uuid or call.result is not None:
        return [_changed(call)]  # a queue the call has left (transferred on)
    if reason is not None:
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
