"""The actions on the call in hand: save the case (Ctrl+S), transfer to 115 (Ctrl+E, after one
confirming key), hold, hang up, "ready for the next call" after it, and forwarding a saved
report to the agency responsible (asked at once when it is saved with the outcome "forwarded").
Each is enabled only while it applies; the agent window puts them in its menu, its toolbar and
the call panel, and names them (their texts are the window's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.connection import HubConnection
from desktop.models import Clock, format_time, utc_now
from desktop.windows.call_panel import CallPanel
from desktop.windows.referral_models import Agencies, forwards
from desktop.windows.referrals import ForwardDialog
from desktop.windows.screen_pop import ScreenPopView
from protocol.messages import Error, Reply
from rules.phone import display_phone

EMERGENCY_OUTCOME = "escalated_115"  # the outcome code an escalation sets, if the topic has it
FORWARDED_OUTCOME = "forwarded"  # a forwarded topic's outcome: sent to the agency responsible


class CallActions(QObject):
    """Attributes: save, escalate, hold, hangup, wrap_up, forward (QActions, added to
    `window`); forward_dialog (while it is open)."""

    def __init__(self, window: QWidget, connection: HubConnection, call_panel: CallPanel,
                 screen_pop_view: ScreenPopView, topic: Callable[[str], dict[str, Any]],
                 on_answer: Callable[[Reply | Error], None],
                 forwarded: Callable[[int], bool] = lambda _case_id: False,
                 clock: Clock = utc_now, agencies: Agencies = ()) -> None:
        super().__init__(window)
        self._window, self._connection = window, connection
        self._agencies = agencies  # where a report can be forwarded (the hub's data)
        self._panel, self._pop_view = call_panel, screen_pop_view
        self._topic, self._on_answer, self._forwarded = topic, on_answer, forwarded
        self._clock = clock
        self._saved: dict[str, Any] = {}  # the case saved last
        self.forward_dialog: ForwardDialog | None = None
        self.save = self._action("Ctrl+S", self.save_case)
        self.escalate = self._action("Ctrl+E", self.escalate_call)
        self.escalate.setObjectName("escalate")
        self.hold = self._action(None, self.toggle_hold)
        self.hold.setCheckable(True)
        self.hangup = self._action(None, self.hang_up)
        self.wrap_up = self._action(None, self.ready)
        self.forward = self._action(None, self.forward_case)
        for made in (self.hold, self.hangup):
            call_panel.add_action(made)
        button = call_panel.add_action(self.escalate)
        button.setStyleSheet("QToolButton { background: #c62828; color: white;"
                             " font-weight: 700; padding: 4px 10px; }"
                             " QToolButton:disabled { background: #e0a0a0; }")

    def _action(self, key: str | None, slot: Callable[..., Any]) -> QAction:
        made = QAction(self._window, enabled=False)
        if key:
            made.setShortcut(QKeySequence(key))
        made.triggered.connect(slot)
        self._window.addAction(made)
        return made

    def set_live(self, live: bool) -> None:
        """A call is up (or not): transfer, hold and hang up apply only to a live one."""
        for made in (self.escalate, self.hold, self.hangup):
            made.setEnabled(live)
        self.save.setEnabled(self._pop_view.pop is not None)
        self.forward.setEnabled(self._may_forward())

    def set_acw(self, acw: bool) -> None:
        self.wrap_up.setEnabled(acw)

    # -- the actions ------------------------------------------------------------------

    def save_case(self) -> str | None:
        return self._pop_view.save()

    def case_saved(self, case: dict[str, Any]) -> None:
        """A report of a forwarded topic saved with the outcome "forwarded" asks at once
        which agency it goes to (unless it is on the forwarded reports already)."""
        self._saved = case
        self.forward.setEnabled(self._may_forward())
        form = case.get("form") if isinstance(case.get("form"), dict) else {}
        case_id = case.get("id")
        if (case.get("outcome") or (form or {}).get("outcome")) == FORWARDED_OUTCOME and \
                isinstance(case_id, int) and self.forward.isEnabled() and \
                not self._forwarded(case_id):
            self.forward_case()

    def _may_forward(self) -> bool:
        pop = self._pop_view.pop
        return pop is not None and self._pop_view.case_id is not None and forwards(pop.topic)

    def forward_case(self) -> ForwardDialog | None:
        """The dialog that forwards the saved case on screen to the agency responsible."""
        pop, case_id = self._pop_view.pop, self._pop_view.case_id
        if self.forward_dialog is not None or pop is None or case_id is None or \
                not forwards(pop.topic):
            return self.forward_dialog
        case = self._saved if self._saved.get("id") == case_id else (pop.open_case or {})
        form = self._pop_view.form_host.form
        dialog = self.forward_dialog = ForwardDialog(
            self._connection, case_id, str(case.get("code") or ""), pop.topic,
            form.values() if form is not None else {}, self._clock(), self._agencies,
            self._window)
        dialog.forwarded.connect(self._on_forwarded)
        dialog.finished.connect(lambda _result: setattr(self, "forward_dialog", None))
        dialog.open()
        return dialog

    def _on_forwarded(self, row: dict[str, Any]) -> None:
        self._pop_view.say(self.tr("Report %1 forwarded to %2, due %3.").replace(
            "%1", str(row.get("case_code") or "")).replace(
            "%2", str(row.get("agency_name") or row.get("agency") or "")).replace(
            "%3", format_time(row.get("due_at"))))

    def escalate_call(self) -> str | None:
        """Transfer the caller to 115 and record the escalation on the case."""
        call = self._panel.call
        if call is None or not self.escalate.isEnabled() or not self.confirm_escalation():
            return None
        self._pop_view.set_case_status("escalated")
        form = self._pop_view.form_host.form
        outcomes = self._topic(call.topic or "").get("outcomes") or []
        if form is not None and EMERGENCY_OUTCOME in [
                o.get("code") for o in outcomes if isinstance(o, dict)]:
            form.set_values({"outcome": EMERGENCY_OUTCOME})
        return self._connection.call_transfer(call.uuid, "emergency", "", self._on_answer)

    def confirm_escalation(self) -> bool:
        """One more key (Enter) before the caller leaves the nurse for 115: a slip on Ctrl+E
        must not cut a call. The transfer is the default button."""
        call = self._panel.call
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Transfer to 115"),
                          self.tr("Transfer %1 to emergency (115) now?").replace(
                              "%1", display_phone(call.caller_number) if call else ""),
                          parent=self._window)
        transfer = box.addButton(self.tr("Transfer to 115"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Stay on the call"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(transfer)
        box.exec()
        return box.clickedButton() is transfer

    def busy_with(self) -> str | None:
        """What logging out now would leave: "call" (one is up), "case" (after-call work,
        the case not saved yet), or None."""
        if self._panel.call is not None and not self._panel.ended:
            return "call"
        return "case" if self._panel.acw_seconds_left() is not None else None

    def confirm_leaving(self, busy: str) -> bool:
        """Logging out with a call up, or its case not saved: only when the agent says so
        (staying is the default)."""
        text = (self.tr("A call is in progress. Log out anyway? The caller stays connected "
                        "to your phone.") if busy == "call" else
                self.tr("The case of the last call is not saved yet. Log out anyway?"))
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Log out"),
                          text + " " + self.tr("Your draft is kept on this computer."),
                          parent=self._window)
        leave = box.addButton(self.tr("Log out"), QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton(self.tr("Stay"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.exec()
        return box.clickedButton() is leave

    def toggle_hold(self, hold: bool) -> None:
        call = self._panel.call
        if call is not None:
            self._connection.call_hold(call.uuid, hold, self._on_answer)

    def hang_up(self) -> None:
        call = self._panel.call
        if call is not None:
            self._connection.call_hangup(call.uuid, self._on_answer)

    def ready(self) -> None:
        call = self._panel.call
        self._connection.wrap_up_done(self._on_answer, call.uuid if call is not None else None)
