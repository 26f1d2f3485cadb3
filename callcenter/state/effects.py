"""What applying an event asks the I/O shell to do: write rows, log, notify desktops."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.state.model import CallState


@dataclass(frozen=True)
class CallChanged:
    """Write the call's row (idempotent: keyed by the channel's Unique-ID)."""

    call: CallState


@dataclass(frozen=True)
class CallbackOwed:
    """A caller left a queue unanswered (hung up, timed out, no agent, or asked for it): call
    them back (one open callback per phone and topic)."""

    phone: str
    queue: str
    call_uuid: str
    reason: str = "abandoned"  # abandoned | requested (the caller pressed the callback key)


@dataclass(frozen=True)
class AgentStatusChanged:
    agent: str
    status: str
    at_us: int


@dataclass(frozen=True)
class AgentStateChanged:
    """Waiting, Receiving, In a queue call, Idle (after-call work): the desktop shows it."""

    agent: str
    state: str
    at_us: int


@dataclass(frozen=True)
class AgentOffered:
    """mod_callcenter rings an agent for a call: the screen-pop's history can be read now,
    while the phone rings, so the pop leaves the moment the agent answers."""

    agent: str
    call: CallState


@dataclass(frozen=True)
class AgentBridged:
    """An agent took a call: the desktop's screen-pop."""

    agent: str
    call: CallState


@dataclass(frozen=True)
class AgentReleased:
    agent: str
    call_uuid: str


Effect = (CallChanged | CallbackOwed | AgentStatusChanged | AgentStateChanged | AgentOffered |
          AgentBridged | AgentReleased)
