"""Pure: the live state as the desktop sees it (AgentView, CallView), from the daemon's state.

mod_callcenter's words are kept where the desktop shows them, with one exception: a desktop
agent is `Available (On Demand)` on the switch (so mod_callcenter holds them Idle after each
call, for after-call work) and the desktop says `Available`."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from callcenter.state.model import AgentState, CallState, LiveState, QueueLeg
from protocol.messages import AgentView, CallView
from rules.phone import normalise_phone

ON_DEMAND = "Available (On Demand)"


def iso_us(us: int | None) -> str | None:
    if not us:
        return None
    return datetime.fromtimestamp(us / 1_000_000, UTC).isoformat()


def shown_status(status: str) -> str:
    return "Available" if status == ON_DEMAND else status


def switch_status(status: str) -> str:
    """What the desktop's status means to mod_callcenter."""
    return ON_DEMAND if status == "Available" else status


def agent_view(identity: dict[str, Any], agent: AgentState | None,
               reason: str | None = None, now: float | None = None) -> AgentView:
    """The agent as their desktop shows them; `now` (epoch seconds, default the clock's)
    dates how long they have been in their status or state."""
    status = shown_status(agent.status) if agent else "Logged Out"
    moment = time.time() if now is None else now
    held = max(0.0, moment - agent.since_us / 1e6) if agent and agent.since_us else None
    return AgentView(username=identity["username"], full_name=identity["full_name"],
                     role=identity["role"], status=status,
                     reason=reason if status == "On Break" else None,
                     state=agent.state if agent else "Waiting",
                     since=iso_us(agent.since_us) if agent else None, for_seconds=held,
                     calls_today=agent.calls_answered if agent else 0,
                     topics=sorted(identity["topics"]))


def queue_topic(queue: str | None, topics_by_queue: dict[str, str]) -> str | None:
    return topics_by_queue.get(queue or "")


def caller_phone(raw: str) -> str:
    """The caller's number as the database holds it (+84…); what has no digit stays as is."""
    try:
        return normalise_phone(raw)
    except ValueError:
        return raw


def agent_leg(call: CallState, agent: str | None) -> QueueLeg | None:
    """The queue leg `agent` took (a call transferred to another queue has one per agent),
    else the latest leg."""
    taken = [leg for leg in call.legs if agent is not None and leg.agent == agent]
    legs = taken or call.legs
    return legs[-1] if legs else None


def call_view(call: CallState, topic: str | None, call_id: int | None = None,
              agent: str | None = None) -> CallView:
    """The call as `agent` took it: their own leg's queue times (after a transfer the
    receiving agent sees their own wait, not the first queue's)."""
    leg = agent_leg(call, agent)
    queued_us = leg.queued_us if leg else call.queued_us
    answered_us = leg.answered_us if leg else call.answered_us
    waited = None
    if queued_us and answered_us:
        waited = round((answered_us - queued_us) / 1_000_000, 1)
    return CallView(uuid=call.uuid, call_id=call_id,
                    caller_number=caller_phone(call.caller_number),
                    caller_name=call.caller_name, topic=topic,
                    queued_at=iso_us(queued_us), answered_at=iso_us(answered_us),
                    ended_at=iso_us(call.ended_us), waited_seconds=waited)


def current_call(state: LiveState, agent_name: str) -> CallState | None:
    agent = state.agents.get(agent_name)
    if agent is None or agent.call is None:
        return None
    return state.calls.get(agent.call)
