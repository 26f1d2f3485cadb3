"""The waiting callers: per topic, in queue order, the wait counting up, the number masked, a
returning caller with an open case and the IVR's priority; a caller can be moved to another
of the lead's topics (M, or Enter)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.windows.lead_actions import LeadRequests
from desktop.windows.lead_agents import board_table, fit_headers
from desktop.windows.lead_models import Row
from desktop.windows.lead_queues import sort_key
from desktop.windows.lead_tables import KEY_ROLE, BoardProxy, WaitingModel


class TopicProxy(BoardProxy):
    """The filter of the waiting callers: one topic, or all (None)."""

    topic: str | None = None

    def filterAcceptsRow(self, source_row: int, source_parent: object) -> bool:
        if self.topic is not None and self.source().row_at(source_row).get("topic") != \
                self.topic:
            return False
        return super().filterAcceptsRow(source_row, source_parent)  # type: ignore[arg-type]


class WaitingView(QWidget):
    """The callers in the lead's queues.

    Attributes:
        model, proxy, view: the callers, in topic and queue order, and their table.
        topic_box: which topic's callers (all, or one).
        move_action: "Move to topic…" (M) for the selected caller; move_menu: its topics.
    """

    def __init__(self, requests: LeadRequests, now: Callable[[], datetime],
                 topic_name: Callable[[str | None], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._requests, self._topic_name = requests, topic_name
        self._queues: Mapping[str, Row] = {}
        self.model = WaitingModel(now, topic_name, self)
        self.proxy = TopicProxy(self.model, self)
        self.view = board_table(self.proxy, (400, 90, 110, 150, 190, 100), stretch=0)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.topic_box = QComboBox()
        self.topic_box.setMinimumWidth(360)
        self.topic_box.currentIndexChanged.connect(self._on_topic)
        self.count_label = QLabel()
        self.move_menu = QMenu(self)
        self.move_menu.aboutToShow.connect(self._fill_move_menu)
        self.move_action = QAction(self, shortcut=QKeySequence("M"))
        self.move_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.move_action.triggered.connect(self.open_move_menu)
        self.view.addAction(self.move_action)
        self.move_button = QToolButton()
        self.move_button.setDefaultAction(self.move_action)
        self.move_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.move_button.setMinimumHeight(30)
        self._topic_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self._topic_label)
        top.addWidget(self.topic_box)
        top.addWidget(self.count_label, 1)
        top.addWidget(self.move_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.view.installEventFilter(self)
        self.view.customContextMenuRequested.connect(lambda _pos: self.open_move_menu())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved,
                       self.proxy.layoutChanged):
            signal.connect(self._recount)
        self.retranslate()

    def set_board(self, queues: Mapping[str, Row], waiting: Mapping[str, Row]) -> None:
        if list(queues) != list(self._queues):
            self._queues = queues
            self._fill_topics()
        self._queues = queues
        self.model.update(waiting)
        self._recount()
        self._enable()

    def tick(self) -> None:
        self.model.tick()

    def _fill_topics(self) -> None:
        chosen = self.topic_box.currentData()
        self.topic_box.blockSignals(True)
        self.topic_box.clear()
        self.topic_box.addItem(self.tr("All topics"), None)
        for key in sorted(self._queues, key=lambda k: sort_key(self._queues[k])):
            self.topic_box.addItem(self._topic_name(key), key)
        found = self.topic_box.findData(chosen)
        self.topic_box.setCurrentIndex(max(0, found))
        self.topic_box.blockSignals(False)
        self._on_topic()

    def _on_topic(self, *_: object) -> None:
        data = self.topic_box.currentData()
        self.proxy.topic = data if isinstance(data, str) else None
        self.proxy.invalidate()
        self._recount()

    def _recount(self, *_: object) -> None:
        self.count_label.setText(self.tr("%1 callers waiting").replace(
            "%1", str(self.proxy.rowCount())))

    def current_caller(self) -> Row | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.model.rows.get(str(self.proxy.data(index, KEY_ROLE)))

    def select_caller(self, member_uuid: str) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.proxy.data(index, KEY_ROLE) == member_uuid:
                self.view.setCurrentIndex(index)
                self.view.selectRow(row)
                return True
        return False

    def other_topics(self) -> list[str]:
        """Where the selected caller can be moved: the board's other topics."""
        caller = self.current_caller()
        if caller is None:
            return []
        return [key for key in sorted(self._queues, key=lambda k: sort_key(self._queues[k]))
                if key != caller.get("topic")]

    def _enable(self) -> None:
        self.move_action.setEnabled(bool(self.other_topics()))

    def _fill_move_menu(self) -> None:
        self.move_menu.clear()
        for key in self.other_topics():
            made = self.move_menu.addAction(self._topic_name(key))
            made.triggered.connect(lambda _=False, k=key: self.move_to(k))

    def open_move_menu(self) -> None:
        if not self.other_topics():
            return
        rect = self.view.visualRect(self.view.currentIndex())
        where = self.view.viewport().mapToGlobal(rect.bottomLeft()) if rect.isValid() else \
            self.move_button.mapToGlobal(QPoint(0, self.move_button.height()))
        self.move_menu.popup(where)

    def move_to(self, topic: str) -> str | None:
        caller = self.current_caller()
        if caller is None or not caller.get("call_uuid") or topic == caller.get("topic"):
            return None
        return self._requests.move_caller(str(caller["call_uuid"]), topic,
                                          self._topic_name(topic))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.KeyPress and \
                isinstance(event, QKeyEvent) and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_move_menu()
            return True
        return super().eventFilter(watched, event)

    def retranslate(self) -> None:
        self._topic_label.setText(self.tr("Topic:"))
        self.move_action.setText(self.tr("Move to topic… (M)"))
        if self._queues:
            self._fill_topics()
        else:
            self.topic_box.clear()
            self.topic_box.addItem(self.tr("All topics"), None)
        self.model.retranslate()
        fit_headers(self.view)
        self._recount()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
