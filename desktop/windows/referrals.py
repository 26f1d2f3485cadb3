"""Forwarded reports ("Phản ánh đã chuyển"): reports of a forwarded topic (topic 2) sent to the
agency responsible for them (rules/referral.py), in the agent window and the lead window alike:
a table (open ones first, the earliest due first; overdue ones in red, the due column counting
on the clock), the report's description, note and resolution below it, and the steps the user
may take — the agency's staff: in progress, resolved (saying what was done); the hotline's side:
caller informed. Read with referral_list, kept current by the hub's `referrals` pushes; what
the public reported is shown as text, never as markup. And the dialog that forwards a case."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, QEvent, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
from desktop.models import LOCAL_TZ, format_time
from desktop.windows.labels import error_text, plain_text
from desktop.windows.referral_models import (
    OVERDUE_TEXT,
    Agencies,
    ReferralsModel,
    agency_named,
    referral_state_label,
)
from desktop.windows.tables import history_table
from protocol.messages import Error, Referrals, Reply
from rules.referral import OPEN_STATES, due


class ResolutionDialog(QDialog):
    """What the agency did about a report: required (the caller is called back and told)."""

    def __init__(self, case_code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Report resolved"))
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(self.tr("What was done (the caller is told this)"))
        self.message = plain_text(QLabel(wordWrap=True))
        self.message.setStyleSheet("color: #c62828;")
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(self.tr("Resolved"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_text(QLabel(self.tr("How was report %1 resolved?").replace(
            "%1", case_code), wordWrap=True)))
        layout.addWidget(self.text, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(520, 280)

    def resolution(self) -> str:
        return self.text.toPlainText().strip()

    def accept(self) -> None:
        """Closed only with a resolution (the hub would refuse an empty one)."""
        if not self.resolution():
            self.message.setText(self.tr("Write what was done before closing the report."))
            return
        if len(self.resolution()) > 8000:
            self.message.setText(self.tr("At most 8000 characters."))
            return
        super().accept()


class ReferralsView(QWidget):
    """The forwarded reports the user may see, and the steps they may take on the one chosen.

    Attributes:
        model, view: the rows and their table.
        in_progress_button, resolved_button, informed_button: the steps.
        description, note, resolution: the chosen report's texts (read-only, plain).
        resolution_dialog: the dialog asking what was done, while it is open.

    Signals:
        count_changed(int, int): how many reports, how many of them overdue.
    """

    count_changed = Signal(int, int)

    def __init__(self, connection: HubConnection, now: Callable[[], datetime],
                 agency_id: int | None = None, role: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection, self._agency_id, self._role = connection, agency_id, role
        self.model = ReferralsModel(now, self)
        self.resolution_dialog: ResolutionDialog | None = None
        self._selected: int | None = None
        self._overdue = 0
        self._build()
        connection.referrals.connect(self.apply_push)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.retranslate()

    def _build(self) -> None:
        self.summary, self.message = QLabel(), plain_text(QLabel(wordWrap=True))
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.view = history_table(self.model)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(self.model.columnCount() - 1,
                                    QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ReferralsModel.PLACE, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().selectionChanged.connect(self._show_selected)
        self.heading = plain_text(QLabel(wordWrap=True))
        self.heading.setStyleSheet("font-weight: 600;")
        texts = QGridLayout()
        self._captions = [QLabel(), QLabel(), QLabel()]
        self.description, self.note, self.resolution = (QPlainTextEdit(readOnly=True)
                                                        for _ in range(3))
        for column, (caption, box) in enumerate(zip(self._captions, (
                self.description, self.note, self.resolution), strict=True)):
            box.setFixedHeight(92)
            texts.addWidget(caption, 0, column)
            texts.addWidget(box, 1, column)
        self.in_progress_button, self.resolved_button, self.informed_button = (
            QPushButton() for _ in range(3))
        self.in_progress_button.clicked.connect(lambda: self.advance("in_progress"))
        self.resolved_button.clicked.connect(self.ask_resolution)
        self.informed_button.clicked.connect(lambda: self.advance("caller_informed"))
        steps = QVBoxLayout()
        steps.addStretch(1)
        for button in (self.in_progress_button, self.resolved_button, self.informed_button):
            steps.addWidget(button)
        texts.addLayout(steps, 0, 3, 2, 1)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.heading)
        layout.addLayout(texts)
        layout.addWidget(self.message)

    # -- what the hub says ------------------------------------------------------------

    def refresh(self) -> str:
        return self._connection.referral_list(self._on_list)

    def _on_list(self, answer: Reply | Error) -> None:
        if isinstance(answer, Error):
            self._say(error_text(answer.code, answer.message), error=True)
        else:
            self.set_rows(list(answer.data.get("referrals") or []))

    def apply_push(self, push: Referrals) -> None:
        if push.changed_only:
            self._keeping_selection(lambda: self.model.merge(push.referrals))
        else:
            self.set_rows(push.referrals)

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self._keeping_selection(lambda: self.model.set_rows(rows))

    def _keeping_selection(self, change: Callable[[], None]) -> None:
        chosen = self._selected
        change()
        number = next((n for n, row in enumerate(self.model.rows) if row["id"] == chosen), None)
        if number is not None:
            self.view.selectRow(number)
        self._show_selected()
        self._recount()

    def has_case(self, case_id: int) -> bool:
        """Whether the case is forwarded already (its report is on the list)."""
        return any(row.get("case_id") == case_id for row in self.model.rows)

    def tick(self) -> None:
        self.model.tick()
        if self.model.overdue_count() != self._overdue:
            self.model.refresh()  # one fell overdue: its row turns red
            self._recount()

    def _recount(self) -> None:
        total, self._overdue = len(self.model.rows), self.model.overdue_count()
        self.summary.setText(self.tr("%1 forwarded reports, %2 overdue").replace(
            "%1", str(total)).replace("%2", str(self._overdue)))
        self.count_changed.emit(total, self._overdue)

    # -- the chosen report and its steps ------------------------------------------------

    def selected(self) -> dict[str, Any] | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def may_work_on(self, row: Mapping[str, Any]) -> bool:
        """The agency's own steps (in progress, resolved): for its staff and lead, and admins;
        offered on every report while the desktop does not know the user's agency."""
        return self._agency_id is None or self._role == "admin" or \
            row.get("agency_id") == self._agency_id

    def _show_selected(self) -> None:
        row = self.selected()
        self._selected = row["id"] if row else None
        for box, key in ((self.description, "description"), (self.note, "note"),
                         (self.resolution, "resolution")):
            box.setPlainText(str((row or {}).get(key) or ""))
        state = (row or {}).get("state")
        agency = bool(row) and self.may_work_on(row or {})
        self.in_progress_button.setVisible(agency)
        self.resolved_button.setVisible(agency)
        self.in_progress_button.setEnabled(state == "forwarded")
        self.resolved_button.setEnabled(state in OPEN_STATES)
        self.informed_button.setEnabled(state == "resolved")
        self.heading.setText(self._heading(row) if row else self.tr(
            "Choose a report to read it and take its next step."))

    def _heading(self, row: Mapping[str, Any]) -> str:
        return self.tr("%1 · %2 · forwarded %3 by %4").replace(
            "%1", str(row.get("case_code") or "")).replace(
            "%2", str(row.get("agency_name") or row.get("agency") or "")).replace(
            "%3", format_time(row.get("forwarded_at"))).replace(
            "%4", str(row.get("forwarded_by") or "—"))

    def ask_resolution(self) -> ResolutionDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = self.resolution_dialog = ResolutionDialog(str(row.get("case_code") or ""), self)
        dialog.accepted.connect(lambda: self.advance("resolved", dialog.resolution(), row))
        dialog.finished.connect(lambda _result: setattr(self, "resolution_dialog", None))
        dialog.open()
        return dialog

    def advance(self, state: str, resolution: str = "",
                row: Mapping[str, Any] | None = None) -> str | None:
        """Ask the hub to move the chosen report (or `row`) to `state`."""
        row = row or self.selected()
        if row is None:
            return None
        self._say(self.tr("Sending…"))
        return self._connection.referral_update(
            int(row["id"]), state, resolution,
            lambda answer: self._on_updated(dict(row), answer))

    def _on_updated(self, row: dict[str, Any], answer: Reply | Error) -> None:
        if isinstance(answer, Reply):
            changed = answer.data.get("referral")
            if isinstance(changed, dict):
                self._keeping_selection(lambda: self.model.merge([changed]))
                row = changed
            self._say(self.tr("Report %1: %2.").replace("%1", str(row.get("case_code") or ""))
                      .replace("%2", referral_state_label(row.get("state"))))
        elif answer.code == "forbidden":  # the hub's words after ours, as error_text does
            text = self.tr("Only the staff of %1 can take this step.").replace(
                "%1", str(row.get("agency_name") or row.get("agency") or ""))
            self._say(f"{text} ({answer.message})" if answer.message else text, error=True)
        else:
            self._say(error_text(answer.code, answer.message), error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c62828;" if error else "color: #1b5e20;")
        self.message.setText(text)

    # -- the tab and the language ----------------------------------------------------------

    def follow_tab(self, tabs: QTabWidget) -> None:
        """Keep this view's tab title saying how many reports are overdue (in red while any
        are)."""
        def show(_total: int, overdue: int) -> None:
            index = tabs.indexOf(self)
            title = self.tr("Forwarded reports")
            tabs.setTabText(index, f"⚠ {title} ({overdue})" if overdue else title)
            tabs.tabBar().setTabTextColor(index, OVERDUE_TEXT if overdue else QColor())

        self.count_changed.connect(show)
        self._recount()

    def retranslate(self) -> None:
        self.refresh_button.setText(self.tr("Refresh"))
        for caption, text in zip(self._captions, (self.tr("What is reported"),
                                                  self.tr("Note to the agency"),
                                                  self.tr("Resolution")), strict=True):
            caption.setText(text)
        self.in_progress_button.setText(self.tr("In progress"))
        self.resolved_button.setText(self.tr("Resolved…"))
        self.informed_button.setText(self.tr("Caller informed"))
        self.in_progress_button.setToolTip(self.tr("The agency is working on it"))
        self.resolved_button.setToolTip(self.tr("Done: say what was done; the hotline calls "
                                                "the caller back to tell them"))
        self.informed_button.setToolTip(self.tr("The caller has been told the result"))
        self.model.retranslate()
        self._show_selected()
        self._recount()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class ForwardDialog(QDialog):
    """Forward a saved case (a report) to the agency responsible: which one, by when (the
    topic's due days by severity unless another date is chosen) and a note.

    Attributes:
        agency, own_due, due, note, message: the parts.

    Signals:
        forwarded(dict): the hub took it (the referral's row).
    """

    forwarded = Signal(dict)

    def __init__(self, connection: HubConnection, case_id: int, case_code: str,
                 topic: Mapping[str, Any], form: Mapping[str, Any], now: datetime,
                 agencies: Agencies, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection, self._case_id = connection, case_id
        self.setWindowTitle(self.tr("Forward to the responsible agency"))
        self.agency = QComboBox()
        for code, name in agencies:
            self.agency.addItem(f"{name} ({code})", code)
        self.agency.setPlaceholderText(self.tr("Choose the agency…"))
        self.agency.setCurrentIndex(self.agency.findData(
            agency_named(form.get("forwarded_to"), agencies)))
        rules = topic.get("rules") if isinstance(topic.get("rules"), dict) else {}
        by_rules = due(rules or {}, form, now).astimezone(LOCAL_TZ)
        self.own_due = QCheckBox(self.tr("Another due date:"))
        self.due = QDateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("dd/MM/yyyy")
        self.due.setEnabled(False)
        today = now.astimezone(LOCAL_TZ).date()
        self.due.setMinimumDate(QDate(today.year, today.month, today.day))
        self.due.setDate(QDate(by_rules.year, by_rules.month, by_rules.day))
        self.own_due.toggled.connect(self.due.setEnabled)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("A note for the agency (optional)"))
        self.message = plain_text(QLabel(wordWrap=True))
        self.message.setStyleSheet("color: #c62828;")
        self.buttons = QDialogButtonBox()
        self.send = self.buttons.addButton(self.tr("Forward"),
                                           QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form_layout = QFormLayout()
        form_layout.addRow(self.tr("Agency:"), self.agency)
        form_layout.addRow(self.own_due, self.due)
        form_layout.addRow("", plain_text(QLabel(self.tr(
            "Otherwise due by the report's severity: %1.").replace(
            "%1", by_rules.strftime("%d/%m/%Y %H:%M")), wordWrap=True)))
        form_layout.addRow(self.tr("Note:"), self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_text(QLabel(self.tr(
            "Forward report %1 to the agency responsible for it. Its staff see it at once; "
            "when they resolve it, the hotline calls the caller back.").replace(
            "%1", case_code), wordWrap=True)))
        layout.addLayout(form_layout, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(620, 380)

    def accept(self) -> None:
        """Sent to the hub; closed once it took the report (a refusal is said here)."""
        code, note = self.agency.currentData(), self.note.toPlainText().strip()
        if not code:
            self.message.setText(self.tr("Choose the agency."))
            return
        if len(note) > 2000:
            self.message.setText(self.tr("The note is too long (at most 2000 characters)."))
            return
        due_on = self.due.date().toString("yyyy-MM-dd") if self.own_due.isChecked() else None
        self.send.setEnabled(False)
        self.message.setText("")
        self._connection.referral_forward(self._case_id, str(code), due_on, note,
                                          self._on_answer)

    def _on_answer(self, answer: Reply | Error) -> None:
        self.send.setEnabled(True)
        if isinstance(answer, Error) and answer.code in ("invalid", "not_found"):
            self.message.setText(self.tr("The report could not be forwarded (%1).").replace(
                "%1", answer.message))  # forwarded already, or its topic forwards nothing
            return
        if isinstance(answer, Error):
            self.message.setText(error_text(answer.code, answer.message))
            return
        self.forwarded.emit(dict(answer.data.get("referral") or {}))
        self.done(QDialog.DialogCode.Accepted)
