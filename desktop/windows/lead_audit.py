"""The supervision log (admins only): the latest listens, whispers, barges, forced statuses,
moved callers and recordings played — who, on whom, when — read with `lead_audit`."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.windows.lead_actions import Answer, LeadRequests
from desktop.windows.lead_agents import board_table, fit_headers
from desktop.windows.lead_tables import AuditModel, BoardProxy
from protocol.messages import Reply

LIMIT = 100


class AuditView(QWidget):
    """The log, newest first, read again on opening the tab and on Refresh.

    Attributes:
        model, proxy, view: the log's rows and their table.
        refresh_button, summary: Refresh, and how many rows and when they were read.
    """

    def __init__(self, requests: LeadRequests, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._requests = requests
        self.loading = False
        self.model = AuditModel(self)
        self.proxy = BoardProxy(self.model, self)
        self.view = board_table(self.proxy, (140, 120, 200, 160, 300), stretch=4)
        self.view.setSortingEnabled(False)  # the hub's order: newest first
        self.summary = QLabel()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.retranslate()

    def refresh(self) -> str | None:
        """Ask the hub for the latest LIMIT acts (once at a time)."""
        if self.loading:
            return None
        self.loading = True
        self.refresh_button.setEnabled(False)
        self.summary.setText(self.tr("Reading the log…"))
        return self._requests.audit(self._on_answer, LIMIT)

    def _on_answer(self, answer: Answer) -> None:
        self.loading = False
        self.refresh_button.setEnabled(True)
        if isinstance(answer, Reply):
            items = answer.data.get("items")
            self.model.set_items(items if isinstance(items, list) else [])
        self._count()

    def _count(self) -> None:
        self.summary.setText(self.tr("The latest %1 supervision acts").replace(
            "%1", str(self.model.rowCount())))

    def retranslate(self) -> None:
        self.refresh_button.setText(self.tr("Refresh"))
        self.model.retranslate()
        fit_headers(self.view)
        if not self.loading:
            self._count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
