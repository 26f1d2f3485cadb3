"""What a lead asks the hub (listen / whisper / barge, its end, a forced status, moving a
waiting caller, the supervision log), through HubConnection's requests, and what the lead
reads about each answer. The board's next push shows the effect itself."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from desktop.connection import HubConnection
from desktop.windows.labels import (
    break_reason_label,
    error_text,
    status_label,
    supervision_mode_label,
)
from protocol.errors import LocalCode
from protocol.messages import (
    Error,
    LeadAudit,
    LeadMoveCaller,
    LeadSetStatus,
    LeadSupervise,
    LeadSuperviseEnd,
    Reply,
)

Answer = Reply | Error


class LeadRequests(QObject):
    """The lead's requests, and one sentence about each answer.

    Signals:
        said(str, bool): a sentence for the status bar, and whether it tells of a failure.
    """

    said = Signal(str, bool)

    def __init__(self, connection: HubConnection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._connection = connection

    def supervise(self, agent: str, mode: str, full_name: str, changing: bool) -> str:
        """Listen to, whisper to or barge in on `agent`'s call; `changing`: the lead already
        supervises this agent and changes the mode."""
        if changing:
            done = self.tr("Mode changed: %1.").replace("%1", supervision_mode_label(mode))
        else:
            done = self.tr("Your phone will ring: answer it to supervise %1's call.").replace(
                "%1", full_name)
        return self._connection.request(LeadSupervise, self._reply(done), agent=agent,
                                        mode=mode)

    def end_supervision(self) -> str:
        return self._connection.request(LeadSuperviseEnd,
                                        self._reply(self.tr("Supervision ended.")))

    def set_status(self, agent: str, status: str, reason: str | None, full_name: str) -> str:
        shown = status_label(status)
        if reason:
            shown = f"{shown} — {break_reason_label(reason)}"
        done = self.tr("%1: set to %2.").replace("%1", full_name).replace("%2", shown)
        return self._connection.request(LeadSetStatus, self._reply(done), agent=agent,
                                        status=status,
                                        reason=reason if status == "On Break" else None)

    def move_caller(self, call_uuid: str, topic: str, topic_name: str) -> str:
        done = self.tr("The caller was moved to %1.").replace("%1", topic_name)
        return self._connection.request(LeadMoveCaller, self._reply(done), call_uuid=call_uuid,
                                        topic=topic)

    def audit(self, callback: Callable[[Answer], None], limit: int = 100) -> str:
        def answered(answer: Answer) -> None:
            if isinstance(answer, Error):
                self._say_error(answer)
            callback(answer)

        return self._connection.request(LeadAudit, answered, limit=limit)

    def _reply(self, done: str) -> Callable[[Answer], None]:
        def answered(answer: Answer) -> None:
            if isinstance(answer, Error):
                self._say_error(answer)
            else:
                self.said.emit(done, False)

        return answered

    def _say_error(self, error: Error) -> None:
        if error.code != LocalCode.SUPERSEDED:
            self.said.emit(error_text(error.code, error.message), True)
