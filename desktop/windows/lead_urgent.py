"""The urgent declarations: web declarations at one of their topic's alert levels (orange, red)
whose callback is still owed, from the board's `urgent` section — what the lead must see
called now. Each shows its level as a badge, its receipt code, the declarer's age and commune
or ward, when it came and when the call is due (overdue in red, counted on the hub's clock),
who is dialling it and how many tries so far. No name: the nurse who calls has it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.i18n import QT_TRANSLATE_NOOP
from desktop.models import (
    LEVEL_ROLE,
    age_text,
    field_text,
    format_duration,
    parse_time,
    receipt_text,
    short_time,
    triage_label,
    triage_rank,
)
from desktop.windows.badges import TriageBadges, bold_font
from desktop.windows.lead_agents import board_table, fit_headers
from desktop.windows.lead_models import Row, number, seconds_since, seconds_until
from desktop.windows.lead_tables import BoardProxy, BoardTableModel, Column, or_last
from desktop.windows.monitoring_text import reasons_text

OVERDUE = QColor("#c62828")
DIALLING = QColor("#1565c0")


def _tr(text: str) -> str:
    return QCoreApplication.translate("LeadTables", text)  # BoardTableModel's headers' context


def _moment(key: str) -> Callable[[Row], tuple[int, float]]:
    """Sorts by the time in `key`, an absent one last."""
    def value(row: Row) -> tuple[int, float]:
        moment = parse_time(row.get(key))
        return or_last(moment.timestamp() if moment else None)
    return value


class UrgentModel(BoardTableModel):
    """The urgent declarations, one row per callback id; the due column counts on the clock.

    Each row is the hub's (callcenter/hub/lead_store.py urgent_declarations): callback_id,
    topic, phone (masked), receipt, level, birth_year, unit, received_at, due_at, state,
    attempts, dialling; a home-treatment check-in that alerted (urgent_check_ins) has `kind`
    check_in, its case code as the receipt, the alert's time as received and the trend's
    `reasons`."""

    LEVEL, DUE, STATE = 0, 7, 8

    def __init__(self, now: Callable[[], datetime], topic_name: Callable[[str | None], str],
                 parent: QObject | None = None) -> None:
        self._now, self._topic_name = now, topic_name
        super().__init__([
            Column(QT_TRANSLATE_NOOP("LeadTables", "Level"),
                   lambda row: triage_label(row.get("level")),
                   lambda row: (triage_rank(row.get("level")), _moment("due_at")(row))),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Receipt"),
                   lambda row: receipt_text(row.get("receipt"))),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Age"),
                   lambda row: age_text(row.get("birth_year"), self._now()),
                   lambda row: or_last(-number(row, "birth_year") if number(row, "birth_year")
                                       else None)),  # the youngest first
            Column(QT_TRANSLATE_NOOP("LeadTables", "Commune or ward"), field_text("unit")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Topic"),
                   lambda row: self._topic_name(row.get("topic"))),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Phone"), field_text("phone")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Received"),
                   lambda row: short_time(row.get("received_at"), self._now()),
                   _moment("received_at")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Due"), self._due_text, _moment("due_at"),
                   ticking=True),
            Column(QT_TRANSLATE_NOOP("LeadTables", "State"), _state_text),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Attempts"),
                   lambda row: str(number(row, "attempts")),
                   lambda row: number(row, "attempts"), right=True),
        ], parent)

    def is_overdue(self, row: Row) -> bool:
        due = parse_time(row.get("due_at"))
        return due is not None and due <= self._now()

    def overdue_count(self) -> int:
        return sum(1 for row in self.rows.values() if self.is_overdue(row))

    def _due_text(self, row: Row) -> str:
        """The time it is due, and how long until then or how late it is already."""
        now, due = self._now(), row.get("due_at")
        at = short_time(due, now)
        if not at:
            return ""
        if self.is_overdue(row):
            late = _tr(QT_TRANSLATE_NOOP("LeadTables", "overdue by %1"))
            return f"{at} · " + late.replace("%1", format_duration(seconds_since(due, now)))
        left = _tr(QT_TRANSLATE_NOOP("LeadTables", "in %1"))
        return f"{at} · " + left.replace("%1", format_duration(seconds_until(due, now)))

    def style_data(self, row: Row, column: int, role: int) -> Any:
        if column == self.LEVEL and role == LEVEL_ROLE:
            return row.get("level")
        if column == self.DUE and self.is_overdue(row):
            if role == Qt.ItemDataRole.ForegroundRole:
                return OVERDUE
            if role == Qt.ItemDataRole.FontRole:
                return bold_font(QFont())
        if column == self.STATE and role == Qt.ItemDataRole.ForegroundRole and \
                row.get("state") == "dialing":
            return DIALLING
        return None


def _state_text(row: Row) -> str:
    """Where the call stands; a home-treatment check-in that alerted says why first."""
    why = reasons_text(row) if row.get("kind") == "check_in" else ""
    return " · ".join(part for part in (why, _call_state(row)) if part)


def _call_state(row: Row) -> str:
    if row.get("state") != "dialing":
        return _tr(QT_TRANSLATE_NOOP("LeadTables", "Waiting to be called"))
    who = row.get("dialling")
    if not who:
        return _tr(QT_TRANSLATE_NOOP("LeadTables", "Being dialled"))
    return _tr(QT_TRANSLATE_NOOP("LeadTables", "Being dialled by %1")).replace("%1", str(who))


class UrgentView(QWidget):
    """The urgent declarations, red before orange, each level by the earliest due.

    Attributes:
        model, proxy, view: the rows, sorted, and their table (sortable by any column).
        summary: how many, how many overdue.
    """

    def __init__(self, now: Callable[[], datetime], topic_name: Callable[[str | None], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = UrgentModel(now, topic_name, self)
        self.proxy = BoardProxy(self.model, self)
        self.view = board_table(self.proxy, (90, 120, 100, 170, 200, 110, 90, 180, 220, 80),
                                stretch=4)
        self.view.setItemDelegate(TriageBadges(self.view))
        self.view.verticalHeader().setDefaultSectionSize(32)
        self.view.sortByColumn(UrgentModel.LEVEL, Qt.SortOrder.AscendingOrder)
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self.retranslate()

    def set_rows(self, rows: Mapping[str, Row]) -> None:
        self.model.update(rows)
        self._recount()

    def tick(self) -> None:
        self.model.tick()
        self._recount()

    def _recount(self) -> None:
        total, overdue = self.model.rowCount(), self.model.overdue_count()
        if not total:
            self.summary.setText(self.tr("No urgent declaration is waiting for a call."))
            return
        text = self.tr("Urgent declarations to call: %1 (overdue: %2). Only the nurse who "
                       "calls sees the name.")
        self.summary.setText(text.replace("%1", str(total)).replace("%2", str(overdue)))

    def retranslate(self) -> None:
        """The headers and texts in the language now shown (the lead window asks)."""
        self.model.retranslate()
        fit_headers(self.view)
        self._recount()
