"""The live state of the hotline: queues, agents and calls, changed only by applying events."""

from callcenter.state.apply import apply
from callcenter.state.model import AgentState, CallState, LiveState, QueueState

__all__ = ["AgentState", "CallState", "LiveState", "QueueState", "apply"]
