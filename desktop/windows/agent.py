"""The agent window: status actions and bar, the current call, the screen-pop with the case
form, the callbacks, the history search and the forwarded reports; the logout that hands the
shift's work over. Everything it learns comes from HubConnection's signals; everything it asks
goes through HubConnection's requests."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QEvent, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
from desktop.drafts import DraftStore
from desktop.i18n import Translations
from desktop.models import Clock, utc_now
from desktop.windows.agent_words import TopicWords
from desktop.windows.call_actions import CallActions
from desktop.windows.call_panel import CallPanel
from desktop.windows.callbacks import CallbacksView
from desktop.windows.case_viewer import CaseViewer
from desktop.windows.drafting import DraftKeeper, left_over_pop
from desktop.windows.handover import ShiftEnd
from desktop.windows.labels import error_text, role_label
from desktop.windows.login import LANGUAGE_KEY, language_menu
from desktop.windows.referral_models import agencies_of, agency_of
from desktop.windows.referrals import ReferralsView
from desktop.windows.screen_pop import ScreenPopView, known_name
from desktop.windows.search import SearchView
from desktop.windows.status import AgentStatusBar, StatusActions, status_toolbar
from protocol.errors import LocalCode
from protocol.messages import (
    AgentStatus,
    AgentView,
    Callbacks,
    CallEnded,
    Error,
    Reply,
    ScreenPop,
    Snapshot,
)

log = logging.getLogger(__name__)


class AgentWindow(QMainWindow, TopicWords):
    """Where a nurse or a clerk spends the shift.

    Attributes:
        agent: the agent as the hub last described them.
        call_panel, screen_pop_view, callbacks_view, search_view, referrals_view, status_bar:
            the parts; shift_end: the logout with the hand-over.

    Signals:
        logout_requested(): the agent chose to end the session (the app shows the login).
    """

    logout_requested = Signal()

    def __init__(self, connection: HubConnection, session: dict[str, Any], settings: QSettings,
                 translations: Translations | None = None, clock: Clock = utc_now,
                 drafts: DraftStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection, self._settings = connection, settings
        self._translations, self._clock = translations, clock
        self._drafts = None if drafts is None else DraftKeeper(
            drafts, connection, self.outcome_codes, self, agent=lambda: self.agent.username)
        self._left_over_sent = False
        self.quitting = False  # set when the application quits: closing asks nothing then
        self._topics = {t["key"]: t for t in session.get("topics") or [] if "key" in t}
        self._units = {str(u.get("code")): u for u in session.get("units") or []}
        self._agency_id, self._agencies = agency_of(session), agencies_of(session)
        self.agent = AgentView.model_validate(session["agent"]) if session.get("agent") else \
            AgentView(username=connection.username, full_name=connection.username, role="",
                      status="Logged Out", state="Waiting")  # until the snapshot says
        self._build()
        self._wire()
        self.apply_agent(self.agent)
        self.show_connection_state(connection.state)
        self.retranslate()
        self.resize(1366, 768)

    @property
    def language(self) -> str:
        return self._translations.language if self._translations else "en"

    # -- building ---------------------------------------------------------------------

    def _build(self) -> None:
        conn = self._connection
        self.status_actions = StatusActions(self)
        self.call_panel = CallPanel(self._clock)
        self.screen_pop_view = ScreenPopView(conn, self.topic_short, self.unit_name,
                                             self._drafts, summary=self.case_summary)
        self.callbacks_view = CallbacksView(conn, self.topic_short, self._clock)
        self.search_view = SearchView(conn, self.topic_short, summary=self.case_summary)
        self.referrals_view = ReferralsView(conn, self._clock, self._agency_id, self.agent.role)
        self.tabs = QTabWidget()
        for view in (self.screen_pop_view, self.callbacks_view, self.search_view,
                     self.referrals_view):
            self.tabs.addTab(view, "")
        self.referrals_view.follow_tab(self.tabs)
        self.shift_end = ShiftEnd(self, conn)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 0)
        layout.addWidget(self.call_panel)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status_bar = AgentStatusBar(self._clock)
        self.setStatusBar(self.status_bar)
        self._build_call_actions()
        bar, self._who = status_toolbar(self.status_actions, self.wrap_up_action)
        self.addToolBar(bar)
        self._build_menus()

    def _build_call_actions(self) -> None:
        self.call_actions = actions = CallActions(
            self, self._connection, self.call_panel, self.screen_pop_view,
            lambda key: self._topics.get(key, {}), self._on_answer, self.referrals_view.has_case,
            self._clock, self._agencies)
        self.save_action, self.escalate_action = actions.save, actions.escalate
        self.hold_action, self.hangup_action = actions.hold, actions.hangup
        self.wrap_up_action, self.forward_action = actions.wrap_up, actions.forward

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self._status_menu = bar.addMenu("")
        for made in (self.status_actions.available, self.status_actions.on_break):
            self._status_menu.addAction(made)
        self._status_menu.addMenu(self.status_actions.reasons_menu)
        self._status_menu.addAction(self.status_actions.logged_out)
        self._call_menu = bar.addMenu("")
        for made in (self.save_action, self.escalate_action, self.hold_action,
                     self.hangup_action, self.wrap_up_action, self.forward_action):
            self._call_menu.addAction(made)
        self._view_menu = bar.addMenu("")
        self._language_menu = self._view_menu.addMenu("")
        self.language_actions = language_menu(self, self._language_menu, self.language,
                                              self.set_language)
        self._session_menu = bar.addMenu("")
        # Not addAction(text, signal): PySide6 calls the signal instead of connecting it.
        self.logout_action = self._session_menu.addAction("")
        self.logout_action.triggered.connect(self.leave)

    def _wire(self) -> None:
        conn = self._connection
        conn.logged_in.connect(self._on_logged_in)
        conn.snapshot.connect(self.apply_snapshot)
        conn.agent_status.connect(self.apply_agent_status)
        conn.screen_pop.connect(self.show_screen_pop)
        conn.call_ended.connect(self.apply_call_ended)
        conn.callbacks.connect(self.show_callbacks)
        conn.state_changed.connect(self.show_connection_state)
        conn.pending_changed.connect(self.status_bar.set_pending)
        conn.error.connect(self._on_hub_error)
        self.status_actions.status_requested.connect(self.request_status)
        if self._drafts is not None:
            self._drafts.resent.connect(self._on_left_over)
        self.screen_pop_view.escalate_requested.connect(self.escalate)
        self.screen_pop_view.saved.connect(self._on_saved)
        self.screen_pop_view.case_requested.connect(self.open_case)
        self.search_view.case_requested.connect(self.open_case)
        self.callbacks_view.count_changed.connect(self._on_callback_count)
        self.shift_end.done.connect(self.request_logout)
        self.shift_end.said.connect(lambda text: self.statusBar().showMessage(text, 30_000))

    def retranslate_who(self) -> None:
        self.setWindowTitle(self.tr("Hotline 1022 — %1").replace("%1", self.agent.full_name))
        role = role_label(self.agent.role)
        self._who.setText(f"{self.agent.full_name} · {role}" if role else self.agent.full_name)

    def retranslate(self) -> None:
        self.retranslate_who()
        self._status_menu.setTitle(self.tr("&Status"))
        self._call_menu.setTitle(self.tr("&Call"))
        self._view_menu.setTitle(self.tr("&View"))
        self._language_menu.setTitle(self.tr("Language"))
        self._session_menu.setTitle(self.tr("S&ession"))
        self.logout_action.setText(self.tr("Log out of the application"))
        self.save_action.setText(self.tr("Save case (Ctrl+S)"))
        self.escalate_action.setText(self.tr("Transfer to 115 (Ctrl+E)"))
        self.hold_action.setText(self.tr("Hold"))
        self.hangup_action.setText(self.tr("Hang up"))
        self.wrap_up_action.setText(self.tr("Ready for the next call"))
        self.forward_action.setText(self.tr("Forward to the responsible agency…"))
        self.tabs.setTabText(0, self.tr("Current call"))
        self.tabs.setTabText(2, self.tr("History search"))
        self._on_callback_count(len(self.callbacks_view.model.rows),
                                self.callbacks_view.model.overdue_count())
        self.status_actions.retranslate()
        self.status_bar.retranslate()
        if self.call_panel.call is not None:
            self.call_panel.set_topic_name(self.topic_name(self.call_panel.call.topic))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- lookups ----------------------------------------------------------------------

    def open_case(self, case_id: int) -> CaseViewer:
        """A case of the history or the search, read-only, in a window of its own."""
        viewer = CaseViewer(self._connection, case_id, lambda key: self._topics.get(key, {}),
                            self.unit_name, self.language, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()
        return viewer

    # -- what the hub says ------------------------------------------------------------

    @Slot(Snapshot)
    def apply_snapshot(self, snapshot: Snapshot) -> None:
        """Everything at once, after a login or a resume the hub could not replay."""
        self.apply_agent(snapshot.agent)
        self.show_callbacks(Callbacks(seq=snapshot.seq, callbacks=snapshot.callbacks))
        self.referrals_view.refresh()  # pushes may have been missed
        if snapshot.screen_pop:
            fields = {k: v for k, v in snapshot.screen_pop.items() if k not in ("v", "type")}
            try:
                self.show_screen_pop(ScreenPop.model_validate({**fields, "seq": snapshot.seq}))
            except ValidationError as exc:
                log.warning("snapshot's screen-pop dropped: %s", exc)
        elif snapshot.call:
            self.call_panel.show_call(snapshot.call, self.topic_name(snapshot.call.topic))
        if snapshot.call is None and self.call_panel.call is not None:
            if not self.call_panel.ended:  # it ended while we were away: stop its talk timer
                self.call_panel.show_ended(snapshot.acw_until)
                if self._drafts is not None:
                    self._drafts.save_now()
            self.call_actions.set_live(False)
        if snapshot.acw_until and self.call_panel.call is not None:
            self.call_panel.show_ended(snapshot.acw_until)
            self.call_actions.set_acw(True)
        elif self.call_panel.acw_seconds_left() is not None:
            self.call_panel.end_acw()
            self.call_actions.set_acw(False)
        if snapshot.call is None and self.screen_pop_view.pop is None and snapshot.callbacks:
            self.tabs.setCurrentWidget(self.callbacks_view)  # between calls: the callbacks
        if self._drafts is not None and not self._left_over_sent:
            self._left_over_sent = True  # once a login: what an earlier session left behind
            self._drafts.resend_left_over(self.screen_pop_view.draft_id or None)

    def _on_logged_in(self, _data: dict[str, Any]) -> None:
        """Logged in again (the window stays with its agent): file left-over drafts again."""
        self._left_over_sent = False

    def _on_left_over(self, draft_id: str, answer: Reply | Error) -> None:
        """A draft of an earlier session filed (said in the status bar), or refused for
        its form: then it is opened, if no call is in hand, for the nurse to complete."""
        if isinstance(answer, Reply):
            code = str((answer.data.get("case") or {}).get("code", ""))
            self.statusBar().showMessage(self.tr("A draft of an earlier call was saved as "
                                                 "case %1.").replace("%1", code), 15_000)
            return
        draft = self._drafts.store.load(draft_id) if self._drafts is not None else None
        topic = self._topics.get(str(draft.payload.get("topic"))) if draft else None
        pop = left_over_pop(draft, topic) if draft and topic else None
        if answer.code != "invalid" or pop is None or self.screen_pop_view.pop is not None:
            return  # kept on the disk: filed again at the next login
        self.show_screen_pop(pop)
        self.call_panel.show_ended(None)  # a call long over
        self.call_actions.set_live(False)
        self.screen_pop_view.say(self.tr("A draft of an earlier call could not be saved: "
                                         "complete it and save.") + " " +
                                 error_text(answer.code, answer.message), error=True)

    @Slot(AgentStatus)
    def apply_agent_status(self, push: AgentStatus) -> None:
        self.apply_agent(push.agent)

    def apply_agent(self, agent: AgentView) -> None:
        self.agent = agent
        self.retranslate_who()
        self.status_bar.set_agent(agent)
        self.status_actions.show_status(agent.status)
        if agent.state == "Receiving" and (self.call_panel.call is None or
                                           self.call_panel.ended):
            self.call_panel.show_ringing()  # not the last caller's number while it rings
        if agent.state == "Waiting" and self.call_panel.acw_seconds_left() is not None:
            self.call_panel.end_acw()  # the hub put the agent back into the distribution
            self.call_actions.set_acw(False)

    @Slot(ScreenPop)
    def show_screen_pop(self, pop: ScreenPop) -> None:
        current = self.screen_pop_view.pop
        if current is not None and current.call.uuid == pop.call.uuid:
            return  # the same call again (a snapshot after a reconnect): keep what is typed
        self._topics.setdefault(str(pop.topic.get("key")), pop.topic)
        self.call_panel.show_call(pop.call, self.topic_name(pop.call.topic or
                                                            pop.topic.get("key")),
                                  known_name(pop))
        self.screen_pop_view.show_pop(pop, list(self._units.values()), self.language)
        self.tabs.setCurrentWidget(self.screen_pop_view)
        self.call_actions.set_live(True)
        self.call_actions.set_acw(False)
        self.activateWindow()

    @Slot(CallEnded)
    def apply_call_ended(self, push: CallEnded) -> None:
        call = self.call_panel.call
        if call is None or call.uuid != push.call_uuid:
            return
        topic = self._topics.get(call.topic or "", {})
        self.screen_pop_view.call_over()
        if self.screen_pop_view.saved_call == call.uuid and push.acw_until is None:
            self.call_panel.show_ended(None)  # saved during the call: no after-call work
            self.call_actions.set_live(False)
            return
        self.call_panel.show_ended(push.acw_until, topic.get("acw_seconds"))
        if self._drafts is not None:
            self._drafts.save_now()  # the hub keeps it if after-call work runs out
        self.call_actions.set_live(False)
        self.save_action.setEnabled(self.screen_pop_view.pop is not None)
        self.call_actions.set_acw(True)

    @Slot(Callbacks)
    def show_callbacks(self, push: Callbacks) -> None:
        if push.changed_only:
            self.callbacks_view.merge(push.callbacks)
        else:
            self.callbacks_view.set_callbacks(push.callbacks)

    @Slot(str)
    def show_connection_state(self, state: str) -> None:
        self.status_bar.set_connection(state)

    def _on_hub_error(self, error: Error) -> None:
        self.statusBar().showMessage(error_text(error.code, error.message), 10_000)

    def _on_callback_count(self, total: int, overdue: int) -> None:
        text = self.tr("Callbacks (%1)").replace("%1", str(total))
        if overdue:
            text += " — " + self.tr("%1 overdue").replace("%1", str(overdue))
        self.tabs.setTabText(1, text)

    def _on_saved(self, case: dict[str, Any]) -> None:
        self.call_actions.case_saved(case)
        if self.call_panel.ended:
            self.call_panel.end_acw()  # the hub ends after-call work when the case is saved
            self.call_actions.set_acw(False)

    # -- what the agent asks ----------------------------------------------------------

    @Slot(str, object)
    def request_status(self, status: str, reason: str | None) -> None:
        self._connection.set_status(status, reason, self._on_answer)

    def save_case(self) -> str | None:
        return self.call_actions.save_case()

    def escalate(self) -> str | None:
        return self.call_actions.escalate_call()

    def request_logout(self) -> None:
        """End the session (the menu, or closing the window): the app shows the login. What
        was typed last goes to the disk first: the application may be quitting."""
        self.save_draft()
        self.logout_requested.emit()

    def save_draft(self, stop: bool = False) -> None:
        """Save the form on screen as a local draft now; `stop`: stop autosaving it too (the
        window is about to go)."""
        if self._drafts is None:
            return
        if stop:
            self._drafts.detach()
        else:
            self._drafts.save_now()

    def set_language(self, language: str) -> None:
        if self._translations is not None:
            self._translations.apply(language)
        self._settings.setValue(LANGUAGE_KEY, language)
        for code, made in self.language_actions.items():
            made.setChecked(code == self.language)
        self.screen_pop_view.set_language(list(self._units.values()), self.language)

    def _on_answer(self, answer: Reply | Error) -> None:
        if isinstance(answer, Error) and answer.code != LocalCode.SUPERSEDED:
            self.statusBar().showMessage(error_text(answer.code, answer.message), 10_000)

    def busy_with(self) -> str | None:
        return self.call_actions.busy_with()

    def leave(self) -> bool:
        """Log out (the menu, or closing the window), after asking if a call or its case is
        in hand; the draft is on the disk either way. Connected, the hand-over dialog asks
        where the shift's work goes, and the logout follows it. False: not logged out (yet)."""
        busy = self.busy_with()
        if busy is not None and not self.call_actions.confirm_leaving(busy):
            return False
        if self.shift_end.start():
            return False
        self.request_logout()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window is asked like a logout, unless the application is quitting."""
        if self.quitting:
            self.request_logout()
        elif not self.leave():
            event.ignore()
            return
        super().closeEvent(event)
