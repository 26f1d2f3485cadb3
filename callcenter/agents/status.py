"""An agent's status, asked of mod_callcenter on someone's behalf (the desktop, a lead), and
who asked it kept for the status log."""

from __future__ import annotations

from collections.abc import Callable

from callcenter.state import LiveState
from callcenter.store.recorder import Recorder
from callcenter.switch.api import SwitchApi
from callcenter.switch.errors import SwitchError


class AgentStatuses:
    def __init__(self, switch: SwitchApi, recorder: Recorder, state: Callable[[], LiveState],
                 domain: str) -> None:
        self.switch, self.recorder, self.state, self.domain = switch, recorder, state, domain

    def set(self, username: str, status: str, source: str = "desktop",
            reason: str | None = None) -> str:
        """Ask mod_callcenter for a status; the change is logged (with who asked) when its
        event comes. A request that fails, or asks for the status the agent has, is not kept:
        a later change by the switch itself must not be credited to this asker."""
        name = f"{username}@{self.domain}"
        current = self.state().agents.get(name)
        if current is not None and current.status == status:
            return "+OK\n"
        self.recorder.requested(name, status, source, reason)
        try:
            reply = self.switch.agent_set_status(name, status)
        except SwitchError:
            self.recorder.withdraw(name, status, source, reason)
            raise
        if not reply.startswith("+OK"):
            self.recorder.withdraw(name, status, source, reason)
        return reply
