"""The history search tab: a phone number or a case code (F0-2026-000123) → history_search.
A call in the results plays its recording (double-click, or Enter on it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.connection import HubConnection
from desktop.models import HistoryModel
from desktop.windows.labels import error_text, plain_text
from desktop.windows.recording_player import RecordingPlayer
from desktop.windows.tables import history_table
from protocol.messages import Error, Reply

# A topic's prefix (with at least one letter: F0, PA, HC), the year, the number.
CASE_CODE = re.compile(r"^(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,8}-\d{4}-\d{1,9}$")


def search_terms(text: str) -> dict[str, str]:
    """What the agent typed as history_search's fields: a case code, or a phone number."""
    text = text.strip()
    if CASE_CODE.match(text):
        return {"case_code": text.upper()}
    return {"phone": re.sub(r"[\s.\-()]", "", text)}


class SearchView(QWidget):
    """One field, one button, the results newest first.

    Attributes:
        results: the model of what the hub found.

    Signals:
        case_requested(int): a case's row was opened (double click, Enter).
    """

    case_requested = Signal(int)

    def __init__(self, connection: HubConnection, topic_name: Callable[[str | None], str],
                 parent: QWidget | None = None,
                 summary: Callable[[dict[str, Any]], str] | None = None) -> None:
        super().__init__(parent)
        self._connection = connection
        self.results = HistoryModel(topic_name, self, summary)
        self.field = QLineEdit(clearButtonEnabled=True)
        self.field.returnPressed.connect(self.search)
        self._button = QPushButton()
        self._button.clicked.connect(self.search)
        self.message = plain_text(QLabel())
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        row.addWidget(self._button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.table = history_table(self.results, narrow=(2,))
        self.table.activated.connect(self.open_row)
        self.table.doubleClicked.connect(self.open_row)
        layout.addWidget(self.table, 1)
        self.player: RecordingPlayer | None = None
        self.retranslate()

    def open_row(self, index: QModelIndex) -> RecordingPlayer | None:
        """A call's row plays its recording (the hub says if there is none, or may not); a
        case's row asks the window to open the case."""
        row = self.results.row(index.row()) if index.isValid() else {}
        if row.get("kind") == "case" and isinstance(row.get("id"), int):
            self.case_requested.emit(row["id"])
            return None
        if row.get("kind") != "call" or not isinstance(row.get("id"), int):
            return None
        if self.player is not None:
            self.player.close()
        self.player = RecordingPlayer(self._connection, row["id"], str(row.get("at") or ""),
                                      self)
        self.player.show()
        return self.player

    def search(self) -> str | None:
        text = self.field.text().strip()
        if not text:
            self.message.setText(self.tr("Type a phone number or a case code."))
            return None
        self.message.setText(self.tr("Searching…"))
        return self._connection.history_search(self._on_results, **search_terms(text))

    def _on_results(self, answer: Reply | Error) -> None:
        if isinstance(answer, Error):
            self.message.setText(error_text(answer.code, answer.message))
            return
        rows = answer.data.get("items") or []
        self.results.set_rows(rows)
        self.message.setText(self.tr("%1 results").replace("%1", str(len(rows))))

    def retranslate(self) -> None:
        self.field.setPlaceholderText(self.tr("Phone number or case code (e.g. F0-2026-000123)"))
        self._button.setText(self.tr("Search"))
        self.results.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
