"""The agent's status: the actions that change it (F2 / F3 / F4) and the status bar that shows
it, with the time in status ticking, calls today, and the link to the hub, always in colour."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QSizePolicy,
    QStatusBar,
    QToolBar,
    QToolButton,
    QWidget,
)

from desktop.models import Clock, format_duration, parse_time, utc_now
from desktop.windows.labels import (
    BREAK_REASONS,
    CONNECTION_COLOURS,
    STATUS_COLOURS,
    agent_state_label,
    break_reason_label,
    connection_label,
    plain_text,
    status_label,
)
from protocol.messages import AgentView


def _badge(label: QLabel, text: str, colour: str) -> None:
    label.setText(text)
    label.setStyleSheet(f"QLabel {{ color: white; background: {colour}; border-radius: 3px;"
                        " padding: 1px 8px; font-weight: 600; }")


class StatusActions(QObject):
    """Available (F2), On Break with a reason (F3 opens the reasons), Logged Out (F4).

    Signals:
        status_requested(str, object): a status and its reason code (None but for a break).
    """

    status_requested = Signal(str, object)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._group = QActionGroup(self)
        self._group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        self._current = ""
        self.available = self._action("F2", lambda: self._request("Available", None))
        self.on_break = self._action("F3", self._show_reasons)
        self.logged_out = self._action("F4", lambda: self._request("Logged Out", None))
        self.reasons_menu = QMenu(parent)
        self.reason_actions: dict[str, QAction] = {}
        for code in BREAK_REASONS:
            action = self.reasons_menu.addAction("")
            action.triggered.connect(lambda _=False, c=code: self._request("On Break", c))
            self.reason_actions[code] = action
        self.on_break_button = QToolButton(parent)
        self.on_break_button.setDefaultAction(self.on_break)
        self.on_break_button.setMenu(self.reasons_menu)
        self.on_break_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.on_break_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.retranslate()

    def _action(self, key: str, slot: object) -> QAction:
        action = QAction(self.parent(), checkable=True, shortcut=QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self._group.addAction(action)
        return action

    def retranslate(self) -> None:
        for action, status, key in ((self.available, "Available", "F2"),
                                    (self.on_break, "On Break", "F3"),
                                    (self.logged_out, "Logged Out", "F4")):
            action.setText(f"{status_label(status)} ({key})")
        self.reasons_menu.setTitle(self.tr("Break reason"))
        for code, action in self.reason_actions.items():
            action.setText(break_reason_label(code))

    def show_status(self, status: str) -> None:
        """Check the action of the status the hub says we are in (and only that one)."""
        self._current = status
        for action, name in ((self.available, "Available"), (self.on_break, "On Break"),
                             (self.logged_out, "Logged Out")):
            action.setChecked(name == status)

    def _request(self, status: str, reason: str | None) -> None:
        self.show_status(self._current)  # a click checks; the hub's push decides
        self.status_requested.emit(status, reason)

    def _show_reasons(self) -> None:
        self.show_status(self._current)
        button = self.on_break_button
        where = button.mapToGlobal(QPoint(0, button.height())) if button.isVisible() else None
        self.reasons_menu.popup(where or QPoint(0, 0))  # non-blocking, unlike exec()
        if self.reason_actions:
            self.reasons_menu.setActiveAction(next(iter(self.reason_actions.values())))


def status_toolbar(actions: StatusActions, wrap_up: QAction) -> tuple[QToolBar, QLabel]:
    """The agent window's toolbar: the statuses, "ready for the next call", and on the right
    who is logged in (the label, plain text: a name is shown as it is)."""
    bar = QToolBar(movable=False, floatable=False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    bar.addAction(actions.available)
    bar.addWidget(actions.on_break_button)
    bar.addAction(actions.logged_out)
    bar.addSeparator()
    bar.addAction(wrap_up)
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    bar.addWidget(spacer)
    who = plain_text(QLabel())
    who.setStyleSheet("padding: 0 8px; font-weight: 600;")
    bar.addWidget(who)
    return bar, who


class AgentStatusBar(QStatusBar):
    """Status with reason, time in status, calls today, requests waiting, and the link.

    Attributes:
        status_label, time_label, calls_label, pending_label, connection_label: the parts,
            so tests and screenshots can read them.
    """

    def __init__(self, clock: Clock = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._agent: AgentView | None = None
        self._since: datetime | None = None  # on this PC's clock
        self._connection = "offline"
        self._pending = 0
        self.status_label, self.state_label = QLabel(), QLabel()
        self.time_label, self.calls_label = QLabel(), QLabel()
        self.pending_label, self.connection_label = QLabel(), QLabel()
        for label in (self.status_label, self.state_label, self.time_label, self.calls_label):
            self.addWidget(label)
        for label in (self.state_label, self.time_label, self.calls_label, self.pending_label):
            label.setStyleSheet("QLabel { padding: 0 10px; border-right: 1px solid #c8c8c8; }")
        self.addPermanentWidget(self.pending_label)
        self.addPermanentWidget(self.connection_label)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.retranslate()

    def set_agent(self, agent: AgentView) -> None:
        before = self._agent
        moved = before is None or (before.status, before.state, before.since) != \
            (agent.status, agent.state, agent.since)
        self._agent = agent
        if moved:  # counted on this PC's clock from what the hub said, never from its times
            since = parse_time(agent.since)
            if agent.for_seconds is not None:
                since = self._clock() - timedelta(seconds=agent.for_seconds)
            elif since is not None:
                since = min(since, self._clock())
            self._since = since
        self.retranslate()

    def set_connection(self, state: str) -> None:
        self._connection = state
        self.retranslate()

    def set_pending(self, count: int) -> None:
        self._pending = count
        self.retranslate()

    @property
    def connection_state(self) -> str:
        return self._connection

    def seconds_in_status(self) -> float | None:
        since = self._since if self._agent else None
        return None if since is None else max(0.0, (self._clock() - since).total_seconds())

    def retranslate(self) -> None:
        agent = self._agent
        if agent is None:
            _badge(self.status_label, self.tr("Not logged in"), STATUS_COLOURS["Logged Out"])
            self.state_label.clear()
            self.calls_label.clear()
        else:
            text = status_label(agent.status)
            if agent.status == "On Break" and agent.reason:
                text = f"{text} — {break_reason_label(agent.reason)}"
            _badge(self.status_label, text, STATUS_COLOURS.get(agent.status, "#6b6b6b"))
            self.state_label.setText(agent_state_label(agent.state))
            self.calls_label.setText(self.tr("Calls today: %1").replace(
                "%1", str(agent.calls_today)))
        _badge(self.connection_label, "● " + connection_label(self._connection),
               CONNECTION_COLOURS.get(self._connection, "#c62828"))
        self.pending_label.setText(self.tr("Waiting to send: %1").replace(
            "%1", str(self._pending)))
        self.pending_label.setVisible(self._pending > 0)
        self._tick()

    def _tick(self) -> None:
        seconds = self.seconds_in_status()
        self.time_label.setText("" if seconds is None else self.tr("In status: %1").replace(
            "%1", format_duration(seconds)))
