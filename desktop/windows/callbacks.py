"""The Callbacks tab: what the hotline owes callers on the agent's topics, overdue ones
highlighted, each dialled with one click ("Gọi lại" → callback_dial)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
from desktop.models import CallbacksModel, Clock, utc_now
from desktop.windows.labels import error_text, plain_text
from desktop.windows.screen_pop import history_table
from protocol.messages import Error, Reply


class CallbacksView(QWidget):
    """A table of callbacks with a dial button on every row.

    Attributes:
        model: the callbacks, earliest due first.
        buttons: the dial button of each row, by callback id.

    Signals:
        count_changed(int, int): how many callbacks, how many of them overdue.
    """

    count_changed = Signal(int, int)

    def __init__(self, connection: HubConnection, topic_name: Callable[[str | None], str],
                 clock: Clock = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection = connection
        self.model = CallbacksModel(topic_name, clock, self)
        self.buttons: dict[int, QPushButton] = {}
        self._summary, self.message = QLabel(), plain_text(QLabel(wordWrap=True))
        self._refresh = QPushButton()
        self._refresh.clicked.connect(self.refresh)
        self.view: QTableView = history_table(self.model, narrow=(2,))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)  # the note
        header.setSectionResizeMode(self.model.dial_column, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(self.model.dial_column, 110)
        self.view.verticalHeader().setDefaultSectionSize(34)
        top = QHBoxLayout()
        top.addWidget(self._summary, 1)
        top.addWidget(self._refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        # Overdue is a matter of time: look again every half minute.
        self._timer = QTimer(self, interval=30_000)
        self._timer.timeout.connect(self._recount)
        self._timer.start()
        self.retranslate()

    def set_callbacks(self, callbacks: list[dict[str, Any]]) -> None:
        self.model.set_rows(callbacks)
        self.buttons.clear()
        for row_number, row in enumerate(self.model.rows):
            callback_id = row.get("id")
            if not isinstance(callback_id, int):
                continue
            button = QPushButton(self.tr("Call back"))
            button.setToolTip(self.tr("Dial %1 now").replace("%1", str(row.get("phone", ""))))
            button.clicked.connect(lambda _=False, c=callback_id: self.dial(c))
            self.view.setIndexWidget(self.model.index(row_number, self.model.dial_column),
                                     button)
            self.buttons[callback_id] = button
        self._recount()

    def merge(self, changed: list[dict[str, Any]]) -> None:
        """Callbacks changed lately: an open one is added or replaced, one in any other
        state (being dialled, done, given up) leaves the list."""
        rows = {row.get("id"): row for row in self.model.rows}
        for row in changed:
            if row.get("state", "open") == "open":
                rows[row.get("id")] = row
            else:
                rows.pop(row.get("id"), None)
        self.set_callbacks(list(rows.values()))

    def refresh(self) -> None:
        """Ask the hub for the list again."""
        self._connection.callback_list(self._on_list)

    def dial(self, callback_id: int) -> str:
        """One click: the hub rings the agent's phone, then the caller."""
        row = next((r for r in self.model.rows if r.get("id") == callback_id), {})
        self._say(self.tr("Calling %1…").replace("%1", str(row.get("phone", ""))))
        button = self.buttons.get(callback_id)
        if button is not None:
            button.setEnabled(False)
        return self._connection.callback_dial(
            callback_id, lambda answer: self._on_dial(callback_id, answer))

    def _on_dial(self, callback_id: int, answer: Reply | Error) -> None:
        button = self.buttons.get(callback_id)
        if button is not None:
            button.setEnabled(True)
        if isinstance(answer, Error):
            self._say(error_text(answer.code, answer.message), error=True)
        else:
            self._say(self.tr("Your phone is ringing; the caller is dialled when you answer."))

    def _on_list(self, answer: Reply | Error) -> None:
        if isinstance(answer, Error):
            self._say(error_text(answer.code, answer.message), error=True)
        else:
            self.set_callbacks(list(answer.data.get("callbacks") or []))

    def _recount(self) -> None:
        self.model.refresh()
        total, overdue = len(self.model.rows), self.model.overdue_count()
        self._summary.setText(self.tr("%1 callbacks, %2 overdue").replace(
            "%1", str(total)).replace("%2", str(overdue)))
        self.count_changed.emit(total, overdue)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c62828;" if error else "")
        self.message.setText(text)

    def retranslate(self) -> None:
        self._refresh.setText(self.tr("Refresh"))
        for button in self.buttons.values():
            button.setText(self.tr("Call back"))
        self.model.retranslate()
        self._recount()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
