"""The agents grid (sortable, filtered as the lead types, driven from the keyboard) with its
actions on the selected agent — listen L, whisper W, barge B, a forced status S — and the
supervision bar shown while the lead listens to a call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models import format_duration
from desktop.windows.labels import (
    BREAK_REASONS,
    break_reason_label,
    plain_text,
    status_label,
    supervision_mode_label,
    supervision_state_label,
)
from desktop.windows.lead_actions import LeadRequests
from desktop.windows.lead_models import Row, seconds_since
from desktop.windows.lead_tables import KEY_ROLE, AgentsModel, BoardProxy
from protocol.messages import SUPERVISION_MODES

MODE_KEYS = {"listen": "L", "whisper": "W", "barge": "B"}


def board_table(proxy: BoardProxy, widths: tuple[int, ...], stretch: int,
                parent: QWidget | None = None) -> QTableView:
    """A read-only, sortable table of whole rows, sized for 1366 pixels: columns of these
    widths, and the `stretch` column takes what is left."""
    view = QTableView(parent)
    view.setModel(proxy)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setSortingEnabled(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(28)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)
    header.setSortIndicatorShown(True)
    view.setProperty("widths", widths)
    fit_headers(view)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def fit_headers(view: QTableView) -> None:
    """Each column as wide as its width, or as its header's text in the language shown (with
    room for the sort arrow), whichever is wider: no header is clipped."""
    header, model = view.horizontalHeader(), view.model()
    widths = view.property("widths") or ()
    metrics = header.fontMetrics()
    for column, width in enumerate(widths):
        text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        widest = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
        header.resizeSection(column, max(width, widest + 28))


def mode_help(mode: str) -> str:
    """What each supervision mode does, in a sentence (the buttons' tooltips)."""
    texts = {"listen": QCoreApplication.translate("AgentsView",
                                                  "You hear the call; nobody hears you."),
             "whisper": QCoreApplication.translate("AgentsView",
                                                   "Only the agent hears you."),
             "barge": QCoreApplication.translate("AgentsView",
                                                 "The agent and the caller both hear you.")}
    return texts.get(mode, "")


class AgentsView(QWidget):
    """The agents of the board, and what the lead does to one of them.

    Attributes:
        model, proxy, view: the agents, sorted and filtered, and their table.
        filter_box: the words the rows must hold.
        mode_actions: listen / whisper / barge on the selected agent, by mode.
        status_actions: Available, each break reason ("On Break/<reason>"), Logged Out.
        actions_menu, status_menu: Enter's menu, and the forced statuses (S).
    """

    def __init__(self, requests: LeadRequests, now: Callable[[], datetime],
                 topic_name: Callable[[str | None], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._requests = requests
        self.supervision: dict[str, Any] | None = None
        self.model = AgentsModel(now, topic_name, self)
        self.proxy = BoardProxy(self.model, self)
        self.view = board_table(self.proxy, (180, 80, 170, 140, 75, 190, 110, 75, 80, 80, 90),
                                stretch=5)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.filter_box = QLineEdit(clearButtonEnabled=True)
        self.filter_box.textChanged.connect(self._on_filter)
        self.count_label = QLabel()
        self._build_actions()
        top = QHBoxLayout()
        top.addWidget(self.filter_box, 2)
        top.addWidget(self.count_label, 1)
        for mode in SUPERVISION_MODES:
            top.addWidget(self._button(self.mode_actions[mode]))
        self.status_button = QToolButton()
        self.status_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.status_button.setMenu(self.status_menu)
        self.status_button.setMinimumHeight(30)
        top.addWidget(self.status_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.view.installEventFilter(self)
        self.view.customContextMenuRequested.connect(lambda _pos: self.open_actions_menu())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._recount)
        self.retranslate()

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setMinimumHeight(30)
        return button

    def _build_actions(self) -> None:
        self.mode_actions: dict[str, QAction] = {}
        for mode, key in MODE_KEYS.items():
            self.mode_actions[mode] = self._action(key, lambda _=False, m=mode: self.supervise(m))
        self.status_menu = QMenu(self)
        self.status_actions: dict[str, QAction] = {}
        self.status_actions["Available"] = self.status_menu.addAction("")
        self._reasons_menu = self.status_menu.addMenu("")
        for reason in BREAK_REASONS:
            self.status_actions[f"On Break/{reason}"] = self._reasons_menu.addAction("")
        self.status_actions["Logged Out"] = self.status_menu.addAction("")
        for code, made in self.status_actions.items():
            status, _, reason = code.partition("/")
            made.triggered.connect(lambda _=False, s=status, r=reason or None:
                                   self.force_status(s, r))
        self.status_shortcut = self._action("S", self.open_status_menu)
        self.actions_menu = QMenu(self)
        for mode in SUPERVISION_MODES:
            self.actions_menu.addAction(self.mode_actions[mode])
        self.actions_menu.addSeparator()
        self._status_submenu = self.actions_menu.addMenu(self.status_menu)

    def _action(self, key: str, slot: Callable[..., object]) -> QAction:
        made = QAction(self, shortcut=QKeySequence(key))
        made.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        made.triggered.connect(slot)
        # on the table alone: typing in the filter box types, and L there never listens
        self.view.addAction(made)
        return made

    def retranslate(self) -> None:
        self.filter_box.setPlaceholderText(self.tr("Filter by name, status or topic…"))
        for mode, key in MODE_KEYS.items():
            made = self.mode_actions[mode]
            made.setText(supervision_mode_label(mode))  # a menu shows the key beside it
            made.setIconText(f"{supervision_mode_label(mode)} ({key})")  # a button, within
            made.setToolTip(mode_help(mode))
        self.status_button.setText(self.tr("Set status (S)"))
        self.status_menu.setTitle(self.tr("Set status (S)"))
        self.status_actions["Available"].setText(status_label("Available"))
        self._reasons_menu.setTitle(status_label("On Break"))
        for reason in BREAK_REASONS:
            self.status_actions[f"On Break/{reason}"].setText(break_reason_label(reason))
        self.status_actions["Logged Out"].setText(status_label("Logged Out"))
        self.model.retranslate()
        fit_headers(self.view)
        self._recount()
        self._enable()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- what the board says ----------------------------------------------------------

    def set_agents(self, agents: Mapping[str, Row]) -> None:
        self.model.update(agents)
        self._enable()

    def set_supervision(self, supervision: dict[str, Any] | None) -> None:
        self.supervision = supervision
        self._enable()

    def tick(self) -> None:
        self.model.tick()

    def _on_filter(self, text: str) -> None:
        self.proxy.set_words(text)
        self._recount()

    def _recount(self, *_: object) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        text = self.tr("%1 agents").replace("%1", str(total))
        if shown != total:
            text += " — " + self.tr("%1 shown").replace("%1", str(shown))
        self.count_label.setText(text)

    # -- the selected agent -----------------------------------------------------------

    def current_agent(self) -> Row | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        key = self.proxy.data(index, KEY_ROLE)
        return self.model.rows.get(str(key))

    def select_agent(self, username: str) -> bool:
        """Make `username` the current row (False when the filter hides them)."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.proxy.data(index, KEY_ROLE) == username:
                self.view.setCurrentIndex(index)
                self.view.selectRow(row)
                return True
        return False

    def _enable(self) -> None:
        agent = self.current_agent()
        mine = self.supervision and agent and self.supervision.get("agent") == \
            agent.get("username")
        on_call = bool(agent and agent.get("call"))
        for made in self.mode_actions.values():
            made.setEnabled(bool(on_call or mine))
        self.status_menu.setEnabled(agent is not None)
        self.status_button.setEnabled(agent is not None)

    def supervise(self, mode: str) -> str | None:
        agent = self.current_agent()
        if agent is None or not self.mode_actions[mode].isEnabled():
            return None
        username = str(agent.get("username") or "")
        changing = bool(self.supervision and self.supervision.get("agent") == username)
        return self._requests.supervise(username, mode, str(agent.get("full_name") or
                                                            username), changing)

    def force_status(self, status: str, reason: str | None) -> str | None:
        agent = self.current_agent()
        if agent is None:
            return None
        username = str(agent.get("username") or "")
        return self._requests.set_status(username, status, reason,
                                         str(agent.get("full_name") or username))

    def _row_point(self) -> QPoint:
        rect = self.view.visualRect(self.view.currentIndex())
        return self.view.viewport().mapToGlobal(rect.bottomLeft() if rect.isValid()
                                                else QPoint(0, 0))

    def open_actions_menu(self) -> None:
        if self.current_agent() is not None:
            self.actions_menu.popup(self._row_point())  # not exec(): nothing blocks

    def open_status_menu(self) -> None:
        if self.current_agent() is not None:
            self.status_menu.popup(self._row_point())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.KeyPress and \
                isinstance(event, QKeyEvent) and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_actions_menu()
            return True
        return super().eventFilter(watched, event)


class SupervisionBar(QFrame):
    """Whom the lead listens to, how (listen, whisper, barge: each a button), since when, and
    End. Shown only while the hub says a supervision runs.

    Attributes:
        supervision: the hub's description ({agent, full_name, call_uuid, mode, state,
            started_at}), or None.
        text_label: who and in what state; mode_buttons: by mode; end_button.
    """

    def __init__(self, requests: LeadRequests, now: Callable[[], datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._requests, self._now = requests, now
        self.supervision: dict[str, Any] | None = None
        self.setObjectName("supervisionBar")
        self.setStyleSheet("#supervisionBar { background: #e8eefc; border: 1px solid #8aa4e0;"
                           " border-radius: 4px; }")
        self.text_label = plain_text(QLabel())
        self.text_label.setStyleSheet("font-weight: 600;")
        self.mode_buttons: dict[str, QPushButton] = {}
        self._group = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(self.text_label, 1)
        for mode in SUPERVISION_MODES:
            button = QPushButton()
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, m=mode: self.change_mode(m))
            self._group.addButton(button)
            self.mode_buttons[mode] = button
            layout.addWidget(button)
        self.end_button = QPushButton()
        self.end_button.setStyleSheet("QPushButton { color: #c62828; font-weight: 600; }")
        self.end_button.clicked.connect(self._requests.end_supervision)
        layout.addSpacing(12)
        layout.addWidget(self.end_button)
        self.setVisible(False)
        self.retranslate()

    def set_supervision(self, supervision: dict[str, Any] | None) -> None:
        self.supervision = supervision
        self.setVisible(supervision is not None)
        self.retranslate()

    def change_mode(self, mode: str) -> str | None:
        current = self.supervision
        self._check((current or {}).get("mode"))  # the hub's push decides what is checked
        if current is None or current.get("mode") == mode:
            return None
        agent = str(current.get("agent") or "")
        return self._requests.supervise(agent, mode, str(current.get("full_name") or agent),
                                        changing=True)

    def _check(self, mode: object) -> None:
        for name, button in self.mode_buttons.items():
            button.setChecked(name == mode)

    def retranslate(self) -> None:
        for mode, button in self.mode_buttons.items():
            button.setText(supervision_mode_label(mode))
            button.setToolTip(mode_help(mode))
        self.end_button.setText(self.tr("End"))
        current = self.supervision or {}
        self._check(current.get("mode"))
        connected = current.get("state") == "connected"
        for button in self.mode_buttons.values():
            button.setEnabled(connected)  # the hub changes the mode once the phone answered
        self.tick()

    def tick(self) -> None:
        current = self.supervision
        if current is None:
            self.text_label.clear()
            return
        text = self.tr("Supervising %2's call (%1) — %3").replace(
            "%1", supervision_mode_label(str(current.get("mode") or ""))).replace(
            "%2", str(current.get("full_name") or current.get("agent") or "")).replace(
            "%3", supervision_state_label(str(current.get("state") or "")))
        if current.get("state") == "connected":
            text += " · " + format_duration(seconds_since(current.get("started_at"),
                                                          self._now()))
        self.text_label.setText(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
