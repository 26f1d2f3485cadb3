"""The team lead's window: the queues board, the agents grid with supervision, the waiting
callers, the urgent declarations still to call, the intraday chart, the patients monitored at
home, the supervision log (admins), the forwarded reports, the shift hand-over, the reports of
the line and the wallboard. What it knows of the board comes from HubConnection.lead_board
(applied with protocol.board.apply_board); every act goes through HubConnection's requests.
Times count up every second on the hub's clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QColor, QHideEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSizePolicy,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
from desktop.i18n import Translations
from desktop.models import Clock, format_time, utc_now
from desktop.windows.handover import LeadHandoverView
from desktop.windows.labels import (
    CONNECTION_COLOURS,
    connection_label,
    error_text,
    plain_text,
    role_label,
)
from desktop.windows.lead_actions import LeadRequests
from desktop.windows.lead_agents import AgentsView, SupervisionBar
from desktop.windows.lead_alerts import RedAlert
from desktop.windows.lead_audit import AuditView
from desktop.windows.lead_chart import IntradayView
from desktop.windows.lead_models import (
    HubClock,
    latest_time,
    mapping,
    queue_rules,
    topic_name,
)
from desktop.windows.lead_monitoring import MonitoringView
from desktop.windows.lead_queues import QueuesBoard
from desktop.windows.lead_reports import ReportsView
from desktop.windows.lead_urgent import UrgentView
from desktop.windows.lead_waiting import WaitingView
from desktop.windows.lead_wallboard import Wallboard
from desktop.windows.login import LANGUAGE_KEY, language_menu
from desktop.windows.referral_models import agency_of
from desktop.windows.referrals import ReferralsView
from desktop.windows.search import SearchView
from protocol.board import SECTIONS, Board, apply_board
from protocol.messages import Error, LeadBoard

LEAD_ROLES = ("lead", "admin")


class LeadWindow(QMainWindow):
    """Where a team lead watches the queues and the agents of their agency (an admin: all).

    Attributes:
        username, full_name, role: the lead, from the login reply.
        board: the board as the hub last described it (protocol.board sections).
        supervision: the lead's own listen / whisper / barge, or None.
        hub_clock: the hub's time as seen from here.
        alert: the red alert (red topics, the sound, muted or not); it rings too for each
            urgent declaration new since the first board.
        queues_board, agents_view, waiting_view, urgent_view, intraday_view, monitoring_view
            (the patients treated at home), search_view (the callers' history, recordings),
            audit_view (admins, else None), referrals_view, handover_view (read at the first
            board after a login), reports_view, supervision_bar, wallboard (while open).

    Signals:
        logout_requested(): the lead chose to end the session (the app shows the login).
    """

    logout_requested = Signal()

    def __init__(self, connection: HubConnection, session: dict[str, Any], settings: QSettings,
                 translations: Translations | None = None, clock: Clock = utc_now,
                 bell: Callable[[], None] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection, self._settings = connection, settings
        self._translations = translations
        self.quitting = False  # set when the application quits
        agent = mapping(session.get("agent"))
        self.username = str(agent.get("username") or connection.username)
        self.full_name = str(agent.get("full_name") or self.username)
        self.role = str(agent.get("role") or "lead")
        self._agency_id = agency_of(session)
        self._handover_due = True  # the hand-over is read at the first board after a login
        self.board: Board = {name: {} for name in SECTIONS}
        self._whole_seen = False  # a first whole board came: its urgent rows are not news
        self.supervision: dict[str, Any] | None = None
        self.hub_clock = HubClock(clock)
        self.alert = RedAlert(settings, bell, self)
        self.wallboard: Wallboard | None = None
        self._updated = ""
        self.requests = LeadRequests(connection, self)
        self._build()
        self._wire()
        self.show_connection_state(connection.state)
        self.retranslate()
        self.resize(1366, 768)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    @property
    def language(self) -> str:
        return self._translations.language if self._translations else "en"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    # -- building ---------------------------------------------------------------------

    def _build(self) -> None:
        now = self.hub_clock.now
        self.supervision_bar = SupervisionBar(self.requests, now)
        self.queues_board = QueuesBoard()
        self.agents_view = AgentsView(self.requests, now, self.topic_name)
        self.waiting_view = WaitingView(self.requests, now, self.topic_name)
        self.urgent_view = UrgentView(now, self.topic_name)
        self.intraday_view = IntradayView(now, self.topic_name)
        self.monitoring_view = MonitoringView(self._connection, now)  # reads while in sight
        # the callers' history (a call's recording plays from it, as on the agent's desk)
        self.search_view = SearchView(self._connection, self.topic_name)
        self.audit_view = AuditView(self.requests) if self.is_admin else None
        self.referrals_view = ReferralsView(self._connection, now, self._agency_id, self.role)
        self.handover_view = LeadHandoverView(self._connection, now, self.topic_name)
        self.reports_view = ReportsView(self._connection, now, lambda: self.language)
        self.tabs = QTabWidget()
        for view in (self.queues_board, self.agents_view, self.waiting_view, self.urgent_view,
                     self.intraday_view, self.search_view, self.audit_view, self.monitoring_view,
                     self.referrals_view, self.handover_view, self.reports_view):
            if view is not None:
                self.tabs.addTab(view, "")
        self.referrals_view.follow_tab(self.tabs)
        self.tabs.currentChanged.connect(self._on_tab)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 0)
        layout.addWidget(self.supervision_bar)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._build_actions()
        self._build_toolbar()
        self._build_menus()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.connection_label, self.who_label = QLabel(), plain_text(QLabel())
        self.updated_label = QLabel()
        for label in (self.who_label, self.updated_label):
            label.setStyleSheet("QLabel { padding: 0 10px; border-left: 1px solid #c8c8c8; }")
            bar.addPermanentWidget(label)
        bar.addPermanentWidget(self.connection_label)

    def _build_actions(self) -> None:
        self.wallboard_action = QAction(self, checkable=True, shortcut=QKeySequence("F11"))
        self.wallboard_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.wallboard_action.toggled.connect(self.show_wallboard)
        self.mute_action = QAction(self, checkable=True)
        self.mute_action.setChecked(self.alert.muted)
        self.mute_action.toggled.connect(self.alert.set_muted)
        self.logout_action = QAction(self)
        self.logout_action.triggered.connect(self.leave)

    def _build_toolbar(self) -> None:
        bar = QToolBar(movable=False, floatable=False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addAction(self.wallboard_action)
        bar.addAction(self.mute_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.alert_label = plain_text(QLabel())
        self.alert_label.setStyleSheet("QLabel { color: white; background: #c62828; "
                                       "border-radius: 3px; padding: 2px 10px; "
                                       "font-weight: 700; }")
        # a widget on a toolbar shows and hides through its action
        self._alert_action = bar.addWidget(self.alert_label)
        self._alert_action.setVisible(False)
        self.addToolBar(bar)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self._view_menu = bar.addMenu("")
        self._view_menu.addAction(self.wallboard_action)
        self._view_menu.addAction(self.mute_action)
        self._language_menu = self._view_menu.addMenu("")
        self.language_actions = language_menu(self, self._language_menu, self.language,
                                              self.set_language)
        self._session_menu = bar.addMenu("")
        self._session_menu.addAction(self.logout_action)

    def _wire(self) -> None:
        conn = self._connection
        conn.lead_board.connect(self.apply_board)
        conn.logged_in.connect(self._on_logged_in)
        conn.state_changed.connect(self.show_connection_state)
        conn.error.connect(self._on_hub_error)
        self.requests.said.connect(self.say)
        self.alert.changed.connect(lambda _red: self._show_alert())

    def retranslate(self) -> None:
        self._view_menu.setTitle(self.tr("&View"))
        self._language_menu.setTitle(self.tr("Language"))
        self._session_menu.setTitle(self.tr("S&ession"))
        self.logout_action.setText(self.tr("Log out of the application"))
        self.wallboard_action.setText(self.tr("Wallboard (F11)"))
        self.mute_action.setText(self.tr("Mute the red alert sound"))
        titles = {self.agents_view: self.tr("Agents"),
                  self.waiting_view: self.tr("Waiting callers"),
                  self.intraday_view: self.tr("Intraday"), self.search_view: self.tr("History"),
                  self.monitoring_view: self.tr("Home monitoring"),
                  self.audit_view: self.tr("Supervision log"),
                  self.handover_view: self.tr("Shift hand-over"),
                  self.reports_view: self.tr("Reports")}  # Queues, Urgent: as alerted
        for view, text in titles.items():
            if view is not None:
                self.tabs.setTabText(self.tabs.indexOf(view), text)
        role = role_label(self.role)
        self.who_label.setText(f"{self.full_name} · {role}" if role else self.full_name)
        self.show_connection_state(self._connection.state)
        self._show_updated()
        self.urgent_view.retranslate()
        self._show_board()
        self._show_alert()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def topic_name(self, key: str | None) -> str:
        """A topic as the lead reads it: its menu key and its name in the language shown."""
        row = self.board["queues"].get(key or "")
        name = topic_name(row, self.language, key)
        menu_key = (row or {}).get("menu_key")
        return f"{menu_key} · {name}" if menu_key else name

    # -- what the hub says ------------------------------------------------------------

    @Slot(LeadBoard)
    def apply_board(self, message: LeadBoard) -> None:
        """A board push: whole, or what changed (and the lead's own supervision). An urgent
        declaration new since the first whole board rings the alert's sound (unless muted)."""
        known = set(self.board["urgent"]) if self._whole_seen else None
        self.board = apply_board(self.board, message)
        self._whole_seen = self._whole_seen or message.full
        self.hub_clock.observe(message.server_time, whole=message.full,
                               latest=latest_time(message.changed, message.supervision))
        if message.supervision_changed:
            self.supervision = dict(message.supervision) if message.supervision else None
            self.supervision_bar.set_supervision(self.supervision)
            self.agents_view.set_supervision(self.supervision)
        self._updated = message.server_time
        self._show_updated()
        self._show_board()
        if message.full:  # a (re)connect: what was forwarded meanwhile
            self.referrals_view.refresh()
        if message.full and self._handover_due:
            self._handover_due = False
            self.handover_view.refresh()
        if known is not None and set(self.board["urgent"]) - known and not self.alert.muted:
            self.alert.ring()

    def _show_board(self) -> None:
        board, now, language = self.board, self.hub_clock.now(), self.language
        self.queues_board.set_queues(board["queues"], language, now)
        self.agents_view.set_agents(board["agents"])
        self.waiting_view.set_board(board["queues"], board["waiting"])
        self.urgent_view.set_rows(board["urgent"])
        self._show_urgent()
        self.intraday_view.set_board(board["queues"], board["today"], board["last_week"])
        if self.wallboard is not None:
            self.wallboard.set_queues(board["queues"], language, now)
        self._check_levels()

    def tick(self) -> None:
        """Every second: the waits, times in state and talk times count up, and the levels
        are looked at again (a wait crosses its threshold between pushes)."""
        now = self.hub_clock.now()
        self.agents_view.tick()
        self.waiting_view.tick()
        self.urgent_view.tick()
        self.supervision_bar.tick()
        if self.wallboard is not None:
            self.wallboard.refresh(now)
        self._check_levels()

    def _check_levels(self) -> None:
        found = self.queues_board.refresh(self.hub_clock.now())
        sound = {key: queue_rules(row).sound_on_red
                 for key, row in self.board["queues"].items()}
        self.alert.update(found, sound)

    def _show_alert(self) -> None:
        red, queues = self.alert.red, self.board["queues"]
        names = "\n".join(self.topic_name(key) for key in red)
        keys = ", ".join(str(queues.get(key, {}).get("menu_key") or key) for key in red)
        base = self.tr("Hotline 1022 — lead console — %1").replace("%1", self.full_name)
        text = self.tr("RED: topic %1").replace("%1", keys) if red else ""
        self.setWindowTitle(f"⚠ {text} — {base}" if red else base)
        self.alert_label.setText("⚠ " + text if red else "")
        self.alert_label.setToolTip(names)
        self._alert_action.setVisible(bool(red))
        title = self.tr("Queues")
        self.tabs.setTabText(0, f"⚠ {title} ({len(red)})" if red else title)
        self.tabs.tabBar().setTabTextColor(0, QColor("#c62828") if red else QColor())

    def _show_urgent(self) -> None:
        """The urgent tab's title: how many declarations wait for a call, in red while any
        do (as the Queues tab while a topic is red)."""
        count, index = len(self.board["urgent"]), self.tabs.indexOf(self.urgent_view)
        title = self.tr("Urgent declarations")
        self.tabs.setTabText(index, f"⚠ {title} ({count})" if count else title)
        self.tabs.tabBar().setTabTextColor(index, QColor("#c62828") if count else QColor())

    def _on_logged_in(self, _data: dict[str, Any]) -> None:
        self._handover_due = True  # a new shift: the next whole board brings the hand-over

    @Slot(str)
    def show_connection_state(self, state: str) -> None:
        colour = CONNECTION_COLOURS.get(state, "#c62828")
        self.connection_label.setText("● " + connection_label(state))
        self.connection_label.setStyleSheet(
            f"QLabel {{ color: white; background: {colour}; border-radius: 3px; "
            "padding: 1px 8px; font-weight: 600; }")

    def _show_updated(self) -> None:
        when = format_time(self._updated, date=False)
        self.updated_label.setText(self.tr("Updated %1").replace("%1", when) if when else
                                   self.tr("Waiting for the board…"))

    def _on_hub_error(self, error: Error) -> None:
        self.say(error_text(error.code, error.message), True)

    def say(self, text: str, error: bool = False) -> None:
        """A sentence in the status bar (a failure stays longer, in red)."""
        self.statusBar().setStyleSheet("QStatusBar { color: #c62828; }" if error else "")
        self.statusBar().showMessage(text, 15_000 if error else 8_000)

    def _on_tab(self, index: int) -> None:
        if self.audit_view is not None and self.tabs.widget(index) is self.audit_view:
            self.audit_view.refresh()

    # -- the wallboard, the language, the session ---------------------------------------

    def show_wallboard(self, shown: bool) -> None:
        if shown and self.wallboard is None:
            self.wallboard = Wallboard()
            self.wallboard.closed.connect(self._on_wallboard_closed)
            self.wallboard.set_queues(self.board["queues"], self.language,
                                      self.hub_clock.now())
            self.wallboard.open_full_screen(self)
        elif not shown and self.wallboard is not None:
            self.wallboard.close()
        self.wallboard_action.setChecked(self.wallboard is not None)

    def _on_wallboard_closed(self) -> None:
        wall, self.wallboard = self.wallboard, None
        if wall is not None:
            wall.deleteLater()
        self.wallboard_action.setChecked(False)

    def set_language(self, language: str) -> None:
        if self._translations is not None:
            self._translations.apply(language)
        self._settings.setValue(LANGUAGE_KEY, language)
        for code, made in self.language_actions.items():
            made.setChecked(code == self.language)
        self.retranslate()  # the topics' names follow the language, not only tr()

    def leave(self) -> bool:
        """Log out (the menu, or closing the window); a supervision running is ended first."""
        if self.supervision is not None:
            self.requests.end_supervision()
        self.show_wallboard(False)
        self.logout_requested.emit()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        self.leave()
        super().closeEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        if not event.spontaneous():  # logged out, not minimised: the wall goes too
            self.show_wallboard(False)
        super().hideEvent(event)
