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


@dataclass(frozen=True)
class CallbackDialEnded:
    """The agent's leg of a callback dial hung up. `disposition`: how dialling the caller
    ended (the leg's originate_disposition: SUCCESS when they answered), None when the caller
    was never dialled (the agent's phone did not answer, or hung up first)."""

    callback_id: int
    token: str  # names the dial attempt ("": none): a late event cannot end a newer one
    disposition: str | None
    at_us: int
    leg_uuid: str = ""  # the agent's leg (the call row of the dial)


@dataclass(frozen=True)
class SupervisionEnded:
    """A lead's listening leg (originate … &eavesdrop, callcenter.hub.supervision) hung up."""

    token: str
    leg_uuid: str
    at_us: int


Effect = (CallChanged | CallbackOwed | AgentStatusChanged | AgentStateChanged | AgentOffered |
          AgentBridged | AgentReleased | CallbackDialEnded | SupervisionEnded)
