"""The lead's "Reports" tab (issue 14): a report of the line (queues, agents, calls and
callbacks, cases, communes, peak hours, or all of them) over local days, totalled per hour, day,
week or month and broken down by topic, agency or agent — asked with `report_run` when the lead
presses Show, drawn as sub-tabs of tables and charts (report_chart.py); and the same as a file
(`report_export`, XLSX or CSV) saved where the lead chooses. While the hub works, a busy band
with Cancel: a cancelled request's late answer is ignored. The hub's refusals are said in red."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
from desktop.models import local_time
from desktop.windows.labels import error_text, plain_text
from desktop.windows.report_chart import SheetView
from desktop.windows.report_models import (
    BYS,
    GROUPINGS,
    QUICK,
    REPORTS,
    USES,
    quick_period,
    rows_in,
    sheets_of,
    translated,
)
from protocol.messages import Error, Reply

FORMATS = ("xlsx", "csv")
RED = "#c62828"


def in_row(*parts: QWidget | int, layout: QHBoxLayout | None = None) -> QHBoxLayout:
    """Widgets side by side (a number: that many pixels of space), the rest of the row empty."""
    row = layout if layout is not None else QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        if isinstance(part, int):
            row.addSpacing(part)
        else:
            row.addWidget(part)
    row.addStretch(1)
    return row


class ReportsView(QWidget):
    """What the lead asks for above, the report below.

    Attributes:
        report_box, first_edit, last_edit, quick_buttons (by QUICK key), grouping_box,
            by_box, show_button, format_box, export_button: the choices.
        busy, busy_label, cancel_button: shown while a request is pending.
        message: what happened last (red: a refusal, a failure).
        title_label, subtitle_label, sheets, sheet_views: the report shown, a sub-tab a sheet.
        result: the last report_run reply's data shown, or None.
        pending: the id of the request waited for (its kind in `pending_kind`), or None.
        save_path: asked where to save a file, given the hub's file name: a path, or None
            when the lead chose none (a save dialog; tests put a function in its place).
    """

    def __init__(self, connection: HubConnection, now: Callable[[], datetime],
                 language: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection, self._now, self._language = connection, now, language
        self.result: dict[str, Any] | None = None
        self.pending: str | None = None
        self.pending_kind = ""
        self.sheet_views: list[SheetView] = []
        self.save_path: Callable[[str], str | None] = self._ask_path
        self._asked = self.result_name = ""  # the report asked for, and the one shown
        self._hint = True  # the first words (said again in another language)
        self._build()
        self.set_period("today")
        self.retranslate()

    def _build(self) -> None:
        self.report_box, self.grouping_box = QComboBox(), QComboBox()
        self.by_box, self.format_box = QComboBox(), QComboBox()
        for box, keys in ((self.report_box, REPORTS), (self.grouping_box, GROUPINGS),
                          (self.by_box, BYS)):
            for key in keys:
                box.addItem("", key)
        for key in FORMATS:
            self.format_box.addItem(key.upper(), key)
        self.report_box.setMinimumWidth(190)
        self.grouping_box.setCurrentIndex(self.grouping_box.findData("day"))
        self.report_box.currentIndexChanged.connect(lambda _n: self._show_uses())
        self.first_edit, self.last_edit = self._date_edit(), self._date_edit()
        self.quick_buttons = {key: QPushButton() for key in QUICK}
        for key, button in self.quick_buttons.items():
            button.clicked.connect(lambda _on=False, key=key: self.set_period(key))
        self.show_button, self.export_button = QPushButton(), QPushButton()
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.run)
        self.export_button.clicked.connect(self.export)
        self.busy = QWidget()
        self.progress = QProgressBar(minimum=0, maximum=0, textVisible=False)
        self.progress.setFixedWidth(110)
        self.busy_label, self.cancel_button = plain_text(QLabel()), QPushButton()
        self.cancel_button.clicked.connect(self.cancel)
        in_row(self.progress, self.busy_label, self.cancel_button, layout=QHBoxLayout(self.busy))
        self.busy.hide()
        self._labels = {name: plain_text(QLabel()) for name in (
            "report", "from", "to", "grouping", "by", "format")}
        first = in_row(self._labels["report"], self.report_box, self._labels["from"],
                       self.first_edit, self._labels["to"], self.last_edit,
                       *self.quick_buttons.values())
        second = in_row(self._labels["grouping"], self.grouping_box, self._labels["by"],
                        self.by_box, self.show_button, 24, self._labels["format"],
                        self.format_box, self.export_button, 24, self.busy)
        self.message = plain_text(QLabel(wordWrap=True))
        self.title_label, self.subtitle_label = plain_text(QLabel()), plain_text(QLabel())
        self.title_label.setStyleSheet("font-size: 15px; font-weight: 700;")
        self.subtitle_label.setStyleSheet("color: #555555;")
        self.sheets = QTabWidget()
        self.sheets.setDocumentMode(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        for part in (first, second):
            layout.addLayout(part)
        for widget in (self.message, self.title_label, self.subtitle_label):
            layout.addWidget(widget)
        layout.addWidget(self.sheets, 1)

    @staticmethod
    def _date_edit() -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        return edit

    # -- the choices ------------------------------------------------------------------

    def today(self) -> date:
        """The site's local day on the hub's clock."""
        moment = local_time(self._now())
        return moment.date() if moment is not None else date.today()

    def set_period(self, choice: str) -> None:
        """A quick choice: today, yesterday, the last 7 days, this month, last month."""
        first, last = quick_period(choice, self.today())
        self.first_edit.setDate(QDate(first.year, first.month, first.day))
        self.last_edit.setDate(QDate(last.year, last.month, last.day))

    def chosen(self) -> dict[str, str]:
        """The report asked for: name, first and last local day, grouping, by."""
        return {"name": str(self.report_box.currentData()),
                "first": self.first_edit.date().toString("yyyy-MM-dd"),
                "last": self.last_edit.date().toString("yyyy-MM-dd"),
                "grouping": str(self.grouping_box.currentData()),
                "by": str(self.by_box.currentData())}

    def _show_uses(self) -> None:
        """The totals and the breakdown only where the report chosen uses them."""
        grouping, by = USES.get(str(self.report_box.currentData()), (True, True))
        for widget, used in ((self.grouping_box, grouping), (self._labels["grouping"], grouping),
                             (self.by_box, by), (self._labels["by"], by)):
            widget.setEnabled(used)

    # -- asking the hub ----------------------------------------------------------------

    def run(self) -> str | None:
        """Ask for the report chosen (not while another request is pending)."""
        wanted = self._valid()
        if wanted is None:
            return None
        return self._send("run", self._connection.report_run(callback=self._on_run, **wanted))

    def export(self) -> str | None:
        """Ask for the report chosen as a file in the format chosen; saved when it comes."""
        wanted = self._valid()
        if wanted is None:
            return None
        return self._send("export", self._connection.report_export(
            callback=self._on_export, file_format=str(self.format_box.currentData()),
            **wanted))

    def _valid(self) -> dict[str, str] | None:
        if self.pending is not None:
            return None
        if self.first_edit.date() > self.last_edit.date():
            self._say(self.tr("The period ends before it starts."), True)
            return None
        return self.chosen()

    def _send(self, kind: str, request_id: str) -> str:
        # the answer comes later, even a local one (offline): never inside the request call
        self.pending, self.pending_kind = request_id, kind
        self._asked = self.chosen()["name"]
        self._say("")
        self._show_busy()
        return request_id

    def cancel(self) -> None:
        """Stop waiting: the pending request's answer, when it comes, is ignored."""
        if self.pending is None:
            return
        self.pending, self.pending_kind = None, ""
        self._show_busy()
        self._say(self.tr("Cancelled: the hub's answer will be ignored."))

    def _answered(self, answer: Reply | Error) -> bool:
        """Whether `answer` is the one waited for (then the wait is over)."""
        if self.pending is None or answer.id != self.pending:
            return False
        self.pending, self.pending_kind = None, ""
        self._show_busy()
        if isinstance(answer, Error):
            self._say(error_text(answer.code, answer.message), True)
            return False
        return True

    def _on_run(self, answer: Reply | Error) -> None:
        if self._answered(answer) and isinstance(answer, Reply):
            self.result, self.result_name = dict(answer.data), self._asked
            self._show_result()
            sheets = sheets_of(self.result)
            self._say(self.tr("%1 sheets, %2 rows.").replace("%1", str(len(sheets))).replace(
                "%2", str(rows_in(sheets))))

    def _on_export(self, answer: Reply | Error) -> None:
        if not self._answered(answer) or not isinstance(answer, Reply):
            return
        data = answer.data
        name = Path(str(data.get("filename") or "bao-cao")).name  # a name, never a path
        try:
            content = base64.b64decode(str(data.get("content_b64") or ""), validate=True)
        except (binascii.Error, ValueError):
            self._say(self.tr("The hub sent a file that cannot be read."), True)
            return
        path = self.save_path(name)
        if not path:
            self._say(self.tr("The file was not saved."))
            return
        try:
            Path(path).write_bytes(content)
        except OSError as exc:
            self._say(self.tr("Could not write %1: %2").replace("%1", path).replace(
                "%2", exc.strerror or str(exc)), True)
            return
        self._say(self.tr("Saved %1 (%2 rows).").replace("%1", path).replace(
            "%2", str(data.get("rows", 0))))

    def _ask_path(self, name: str) -> str | None:
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        kind = self.tr("Excel workbook (*.xlsx)") if name.endswith(".xlsx") else \
            self.tr("CSV file (*.csv)")
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("Save the report"),
                                                    str(Path(folder) / name), kind)
        return path or None

    # -- showing ----------------------------------------------------------------------

    def _show_busy(self) -> None:
        waiting = self.pending is not None
        self.busy.setVisible(waiting)
        self.busy_label.setText(self.tr("Preparing the file…") if self.pending_kind == "export"
                                else self.tr("Preparing the report…"))
        for button in (self.show_button, self.export_button, *self.quick_buttons.values()):
            button.setEnabled(not waiting)

    def _say(self, text: str, failed: bool = False, hint: bool = False) -> None:
        self._hint = hint
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {RED};" if failed else "")
        self.message.setVisible(bool(text))

    def _show_result(self) -> None:
        """The report shown as sub-tabs, made again in the language shown."""
        current = self.sheets.currentIndex()
        self.sheets.clear()
        for view in self.sheet_views:
            view.deleteLater()
        self.sheet_views = []
        data, language = self.result or {}, self._language()
        title, name = str(data.get("title") or ""), self.result_name
        self.title_label.setText(translated(REPORTS[name]) if language == "en" and name in REPORTS
                                 else title)
        self.subtitle_label.setText(str(data.get("subtitle") or ""))
        for sheet in sheets_of(data):
            view = SheetView(sheet, language)
            self.sheet_views.append(view)
            self.sheets.addTab(view, sheet.label())
            self.sheets.setTabToolTip(self.sheets.count() - 1, sheet.title)
        if 0 <= current < self.sheets.count():
            self.sheets.setCurrentIndex(current)
        for label in (self.title_label, self.subtitle_label):
            label.setVisible(self.result is not None)

    def retranslate(self) -> None:
        texts = {"report": self.tr("Report:"), "from": self.tr("From"), "to": self.tr("to"),
                 "grouping": self.tr("Totals per:"), "by": self.tr("Broken down by:"),
                 "format": self.tr("File:")}
        for key, label in self._labels.items():
            label.setText(texts[key])
        for box, names in ((self.report_box, REPORTS), (self.grouping_box, GROUPINGS),
                           (self.by_box, BYS)):
            for n in range(box.count()):
                box.setItemText(n, translated(names[str(box.itemData(n))]))
        for key, button in self.quick_buttons.items():
            button.setText(translated(QUICK[key]))
        self.show_button.setText(self.tr("Show"))
        self.export_button.setText(self.tr("Export…"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._show_busy()
        self._show_uses()
        if self._hint:
            self._say(self.tr("Choose a report and its days, then press Show."), hint=True)
        self._show_result()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
