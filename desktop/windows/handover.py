"""Shifts (the line runs 24/7): at an agent's logout the callbacks and open cases they hold go
to a colleague who shares their queues, or back to the pool — the dialog that asks which, and
what was handed over; and the incoming lead's hand-over ("Bàn giao ca": open red cases, overdue
callbacks, forwarded reports due), read with lead_handover."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import LOCAL_CODES, HubConnection
from desktop.i18n import QT_TRANSLATE_NOOP
from desktop.models import (
    Column,
    DictTableModel,
    field_text,
    format_time,
    parse_time,
    reason_label,
    short_time,
    state_label,
)
from desktop.windows.badges import bold_font
from desktop.windows.labels import error_text, plain_text
from desktop.windows.referral_models import OVERDUE_TEXT, referral_state_label
from desktop.windows.tables import history_table
from protocol.messages import Error, Reply
from rules.referral import is_overdue


class HandoverDialog(QDialog):
    """Whom the agent's callbacks and open cases go to: a colleague (online ones first), or
    the pool (the default: nothing goes to a colleague by a slip of the Enter key).

    Signals:
        chosen(object): the colleague's username, or None for the pool.
    """

    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.busy = False
        self.setWindowTitle(self.tr("Hand over your work"))
        self.to_colleague = QRadioButton(self.tr("To a colleague:"))
        self.colleague = QComboBox()
        self.colleague.setEnabled(False)
        self.colleague.activated.connect(lambda _index: self.to_colleague.setChecked(True))
        self.to_pool = QRadioButton(self.tr("Back to the pool: any colleague on your topics "
                                            "can take them"))
        self.to_pool.setChecked(True)
        self.message = plain_text(QLabel(self.tr("Reading who shares your queues…"),
                                         wordWrap=True))
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton(self.tr("Hand over and log out"),
                                         QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.tr("Stay logged in"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.to_colleague)
        row.addWidget(self.colleague, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("You are logging out at the end of your shift. The "
                                        "callbacks and open cases you hold go:"), wordWrap=True))
        layout.addLayout(row)
        layout.addWidget(self.to_pool)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(600, 240)

    def set_colleagues(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Who may take the work over: online first, then by name (as the hub sorts)."""
        self.colleague.clear()
        for row in sorted(rows, key=lambda r: not r.get("online")):
            name = str(row.get("full_name") or row.get("username") or "")
            where = self.tr("online") if row.get("online") else self.tr("offline")
            self.colleague.addItem(f"{name} ({row.get('username')}) — {where}",
                                   str(row.get("username") or ""))
        self.colleague.setEnabled(bool(rows))
        self.to_colleague.setEnabled(bool(rows))
        self.say("" if rows else self.tr("Nobody else answers your queues: the work goes "
                                         "back to the pool."))

    def hand_to(self) -> str | None:
        if self.to_colleague.isChecked() and self.colleague.currentData():
            return str(self.colleague.currentData())
        return None

    def say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c62828;" if error else "")
        self.message.setText(text)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.buttons.setEnabled(not busy)
        if busy:
            self.say(self.tr("Logging out…"))

    def accept(self) -> None:
        """Not closed yet: the hub answers first (a colleague it refuses keeps the agent in)."""
        if not self.busy:
            self.chosen.emit(self.hand_to())

    def reject(self) -> None:
        if not self.busy:  # the logout is on its way: its answer decides
            super().reject()


class ShiftEnd(QObject):
    """The agent's logout with the hand-over: the dialog, the colleagues, the logout and what
    the hub says was handed over (in the status bar, and in a message the agent closes).

    Attributes:
        dialog: the hand-over dialog while it is open.
        summary_box: the message saying what was handed over, while it is open.

    Signals:
        done(): the session is over (the hub answered, or could not be reached): the window
            goes.
        said(str): a sentence for the status bar.
    """

    done = Signal()
    said = Signal(str)

    def __init__(self, window: QWidget, connection: HubConnection) -> None:
        super().__init__(window)
        self._window, self._connection = window, connection
        self.dialog: HandoverDialog | None = None
        self.summary_box: QMessageBox | None = None
        self._names: dict[str, str] = {}

    def start(self) -> bool:
        """Open the dialog; False when there is no hub to hand over through (offline: the
        logout is as before, and the hub gives the work back to the pool when the session
        ends)."""
        if self.dialog is not None:
            self.dialog.raise_()
            return True
        if not self._connection.ready:
            return False
        dialog = self.dialog = HandoverDialog(self._window)
        dialog.chosen.connect(self._log_out)
        dialog.finished.connect(self._closed)
        self._connection.colleagues(self._on_colleagues)
        dialog.open()
        return True

    def _closed(self, _result: int) -> None:
        self.dialog = None

    def _on_colleagues(self, answer: Reply | Error) -> None:
        if self.dialog is None:
            return
        if isinstance(answer, Error):
            self.dialog.set_colleagues([])
            self.dialog.say(error_text(answer.code, answer.message), error=True)
            return
        rows = [r for r in answer.data.get("colleagues") or [] if isinstance(r, dict)]
        self._names = {str(r.get("username")): str(r.get("full_name") or "") for r in rows}
        self.dialog.set_colleagues(rows)

    def _log_out(self, hand_to: str | None) -> None:
        if self.dialog is not None:
            self.dialog.set_busy(True)
        self._connection.logout(hand_to, self._on_logged_out)

    def _on_logged_out(self, answer: Reply | Error) -> None:
        dialog = self.dialog
        if isinstance(answer, Error) and answer.code not in LOCAL_CODES:
            if dialog is not None:  # refused (no such colleague): still logged in
                dialog.set_busy(False)
                dialog.say(self.tr("Not logged out: the server refused this colleague; choose "
                                   "another, or the pool (%1).").replace("%1", answer.message)
                           if answer.code == "invalid" else
                           error_text(answer.code, answer.message), error=True)
            return
        if dialog is not None:
            dialog.busy = False
            dialog.done(QDialog.DialogCode.Accepted)
        text = self.summary(answer)
        if not text:
            self.done.emit()
            return
        self.said.emit(text)
        box = self.summary_box = QMessageBox(QMessageBox.Icon.Information,
                                             self.tr("Work handed over"), text,
                                             QMessageBox.StandardButton.Ok, self._window)
        box.setTextFormat(Qt.TextFormat.PlainText)  # a colleague's name, as it is
        box.finished.connect(self._summary_closed)
        box.open()

    def _summary_closed(self, _result: int) -> None:
        self.summary_box = None
        self.done.emit()

    def summary(self, answer: Reply | Error) -> str:
        """What was handed over, to whom; empty when there was nothing to hand over."""
        if isinstance(answer, Error):
            return self.tr("The server could not be reached: your callbacks and open cases "
                           "go back to the pool when your session ends.")
        handed = answer.data.get("handed_over")
        if not isinstance(handed, dict):
            return ""
        callbacks, cases = int(handed.get("callbacks") or 0), int(handed.get("cases") or 0)
        if not callbacks and not cases:
            return ""
        to = handed.get("to")
        text = self.tr("%1 callback(s) and %2 open case(s) handed over to %3.") if to else \
            self.tr("%1 callback(s) and %2 open case(s) went back to the pool.")
        return text.replace("%1", str(callbacks)).replace("%2", str(cases)).replace(
            "%3", self._names.get(str(to)) or str(to))


def _holder(row: dict[str, Any]) -> str:
    """Who holds it (a name), or the pool."""
    return str(row.get("holder") or QCoreApplication.translate(
        "Models", QT_TRANSLATE_NOOP("Models", "Pool")))


class HandoverModel(DictTableModel):
    """One list of the hand-over; its due column in red for the overdue rows."""

    def __init__(self, columns: Sequence[Column], due_column: int | None,
                 overdue: Callable[[dict[str, Any]], bool],
                 parent: QObject | None = None) -> None:
        super().__init__(columns, parent)
        self._due_column, self._overdue = due_column, overdue

    def style_data(self, row: dict[str, Any], column: int, role: int) -> Any:
        if column != self._due_column or not self._overdue(row):
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(OVERDUE_TEXT)
        return bold_font(QFont()) if role == Qt.ItemDataRole.FontRole else None


class LeadHandoverView(QWidget):
    """The incoming lead's hand-over: open red cases, overdue callbacks, forwarded reports
    overdue or due within a day — on the lead's topics and agency; read again on Refresh.

    Attributes:
        red_cases, callbacks, referrals: the three lists' models.
        refresh_button, summary: Refresh, and when the hand-over was read.
    """

    def __init__(self, connection: HubConnection, now: Callable[[], datetime],
                 topic_name: Callable[[str | None], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection, self._now = connection, now
        self.loading, self._read_at = False, ""
        topic = lambda row: topic_name(row.get("topic"))  # noqa: E731 - a column's text
        due = lambda row: short_time(row.get("due_at"), now())  # noqa: E731
        self.red_cases = HandoverModel([
            Column(QT_TRANSLATE_NOOP("Models", "Code"), field_text("code")),
            Column(QT_TRANSLATE_NOOP("Models", "Topic"), topic),
            Column(QT_TRANSLATE_NOOP("Models", "Status"),
                   lambda row: state_label(str(row.get("status") or ""))),
            Column(QT_TRANSLATE_NOOP("Models", "Held by"), _holder),
            Column(QT_TRANSLATE_NOOP("Models", "Updated"),
                   lambda row: format_time(row.get("updated_at"))),
            Column(QT_TRANSLATE_NOOP("Models", "Person"), field_text("person")),
        ], None, lambda row: False, self)
        self.callbacks = HandoverModel([
            Column(QT_TRANSLATE_NOOP("Models", "Due"), due),
            Column(QT_TRANSLATE_NOOP("Models", "Topic"), topic),
            Column(QT_TRANSLATE_NOOP("Models", "Attempts"), field_text("attempts")),
            Column(QT_TRANSLATE_NOOP("Models", "Held by"), _holder),
            Column(QT_TRANSLATE_NOOP("Models", "Reason"),
                   lambda row: reason_label(str(row.get("reason") or ""))),
        ], 0, lambda row: True, self)  # every one of them is overdue
        self.referrals = HandoverModel([
            Column(QT_TRANSLATE_NOOP("Models", "Answer due"), due),
            Column(QT_TRANSLATE_NOOP("Models", "Topic"), topic),
            Column(QT_TRANSLATE_NOOP("Models", "Agency"), field_text("agency")),
            Column(QT_TRANSLATE_NOOP("Models", "State"),
                   lambda row: referral_state_label(row.get("state"))),
            Column(QT_TRANSLATE_NOOP("Models", "Code"), field_text("case_code")),
        ], 0, self._referral_overdue, self)
        self.summary = QLabel()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        self._titles: list[QLabel] = []
        splitter = QSplitter(Qt.Orientation.Vertical)
        for model in (self.red_cases, self.callbacks, self.referrals):
            part = QWidget()
            part_layout = QVBoxLayout(part)
            part_layout.setContentsMargins(0, 4, 0, 0)
            title = QLabel()
            title.setStyleSheet("font-weight: 600;")
            self._titles.append(title)
            part_layout.addWidget(title)
            table = history_table(model, narrow=(1,))  # a topic's long name: elided
            table.horizontalHeader().resizeSection(1, 300)
            part_layout.addWidget(table, 1)
            splitter.addWidget(part)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.retranslate()

    def _referral_overdue(self, row: dict[str, Any]) -> bool:
        due = parse_time(row.get("due_at"))
        return bool(row.get("overdue")) or (
            due is not None and is_overdue(str(row.get("state")), due, self._now()))

    def refresh(self) -> str | None:
        """Ask the hub for the hand-over (once at a time)."""
        if self.loading:
            return None
        self.loading = True
        self.refresh_button.setEnabled(False)
        self.retranslate()
        return self._connection.lead_handover(self._on_answer)

    def _on_answer(self, answer: Reply | Error) -> None:
        self.loading = False
        self.refresh_button.setEnabled(True)
        if isinstance(answer, Error):
            self.summary.setText(error_text(answer.code, answer.message))
            return
        for model, key in ((self.red_cases, "red_cases"), (self.callbacks, "overdue_callbacks"),
                           (self.referrals, "referrals_due")):
            rows = answer.data.get(key)
            model.set_rows(rows if isinstance(rows, list) else [])
        self._read_at = format_time(self._now().isoformat())
        self.retranslate()

    def retranslate(self) -> None:
        self.refresh_button.setText(self.tr("Refresh"))
        for title, text, model in zip(self._titles, (
                self.tr("Open red cases (%1)"), self.tr("Overdue callbacks (%1)"),
                self.tr("Forwarded reports overdue or due within a day (%1)")),
                (self.red_cases, self.callbacks, self.referrals), strict=True):
            title.setText(text.replace("%1", str(len(model.rows))))
            model.retranslate()
        if self.loading:
            self.summary.setText(self.tr("Reading the hand-over…"))
        else:
            self.summary.setText(self.tr("Read at %1").replace("%1", self._read_at)
                                 if self._read_at else self.tr("Not read yet."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
