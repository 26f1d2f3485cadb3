"""The lead's home-monitoring tables as Qt models over `monitoring_cohort`'s reply
(db/monitoring_views.py cohort): the communes with how many patients are monitored, due today,
overdue, worse, recovered and moved to a facility; the patients with their day, level, last SpO2
and its trend, next check-in and nurse; and the proxy that keeps one commune's patients."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.i18n import QT_TRANSLATE_NOOP
from desktop.models import (
    LEVEL_ROLE,
    local_time,
    parse_time,
    plain_tip,
    short_time,
    triage_label,
)
from desktop.windows import monitoring_text as mt
from desktop.windows.badges import bold_font
from desktop.windows.lead_models import Row, fold, name_key, number
from desktop.windows.lead_tables import AnyIndex, BoardProxy, BoardTableModel, Column, or_last

RED, PALE_RED = QColor("#c62828"), QColor("#fde2e1")
ENDED = 3  # after monitoring_text's ALARM, LATE, CALM: an episode ended lately sorts last


def _tr(text: str) -> str:
    return QCoreApplication.translate("LeadTables", text)  # BoardTableModel's headers' context


def _count(key: str) -> Column:
    headers = {"active": QT_TRANSLATE_NOOP("LeadTables", "Monitored"),
               "due_today": QT_TRANSLATE_NOOP("LeadTables", "Due today"),
               "overdue": QT_TRANSLATE_NOOP("LeadTables", "Overdue"),
               "worsening": QT_TRANSLATE_NOOP("LeadTables", "Worse"),
               "recovered": QT_TRANSLATE_NOOP("LeadTables", "Recovered"),
               "facility": QT_TRANSLATE_NOOP("LeadTables", "To a facility")}
    return Column(headers[key], lambda row: str(number(row, key)),
                  lambda row: (number(row, key), number(row, "overdue"),
                               number(row, "worsening"), number(row, "active")), right=True)


def unit_key(row: Row) -> str:
    """A commune's key in the tables (its code; "" for patients with none)."""
    return str(row.get("unit_code") or "")


class UnitsModel(BoardTableModel):
    """The communes, one row per unit code; overdue and worse counts in red when not zero."""

    OVERDUE, WORSE = 3, 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([
            Column(QT_TRANSLATE_NOOP("LeadTables", "Commune or ward"), self.unit_text),
            *(_count(key) for key in ("active", "due_today", "overdue", "worsening",
                                      "recovered", "facility")),
        ], parent)

    def set_units(self, units: Sequence[Any]) -> None:
        self.update({unit_key(u): u for u in units if isinstance(u, dict)})

    @staticmethod
    def unit_text(row: Row) -> str:
        return str(row.get("unit") or _tr(QT_TRANSLATE_NOOP("LeadTables", "(no commune)")))

    def style_data(self, row: Row, column: int, role: int) -> Any:
        key = {self.OVERDUE: "overdue", self.WORSE: "worsening"}.get(column)
        if key is None or not number(row, key):
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return RED
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(PALE_RED)
        if role == Qt.ItemDataRole.FontRole:
            return bold_font(QFont())
        return None


class PatientsModel(BoardTableModel):
    """The patients monitored (and those ended in the last days), one row per episode; the
    level painted as a badge, the SpO2 and the reasons in red when the last check-in is worse.
    The level column sorts by urgency: alarming, late, the others, the ended ones."""

    LEVEL, SPO2, NEXT, LATE, WORSE = 5, 6, 7, 8, 10

    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        self._now = now
        super().__init__([
            Column(QT_TRANSLATE_NOOP("LeadTables", "Case"), _text("case_code")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Name"), _text("person_name"),
                   lambda row: name_key(str(row.get("person_name") or ""))),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Born"), _text("birth_year"),
                   lambda row: number(row, "birth_year"), right=True),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Commune or ward"), _text("unit")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Day"), _text("day"),
                   lambda row: or_last(row.get("day") if isinstance(row.get("day"), int)
                                       else None), right=True),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Level"),
                   lambda row: triage_label(mt.level_of(row)), self.urgency),
            Column(QT_TRANSLATE_NOOP("LeadTables", "SpO2"), mt.spo2_trend,
                   lambda row: or_last(mt.value(mt.mapping(row.get("last")), "spo2"))),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Next check-in"), self._next_text,
                   lambda row: self.urgency(row)[-1]),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Overdue / missed"), mt.late_text,
                   lambda row: (not row.get("overdue"), -number(row, "missed"))),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Nurse"), _text("nurse")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Why worse"),
                   lambda row: "; ".join(mt.reason_text(r) for r in row.get("reasons") or []
                                         if r) if row.get("worsening") else ""),
        ], parent)

    def set_patients(self, patients: Sequence[Any]) -> None:
        self.update({str(p.get("id")): p for p in patients if isinstance(p, dict)})

    def urgency(self, row: Row) -> tuple[int, int, float]:
        """Alarming, late, the others, then the ended ones; then the level, the next due."""
        group, rank = mt.urgency(row)
        due = parse_time(row.get("next_due_at"))
        return (group if row.get("state") == "active" else ENDED, rank,
                due.timestamp() if due else float("inf"))

    def _next_text(self, row: Row) -> str:
        """The next check-in's time; for an ended episode, how and when it ended."""
        if row.get("state") != "active":
            ended = local_time(row.get("ended_at"))
            state = mt.state_label(row.get("state"))
            return f"{state} · {ended:%d/%m}" if ended else state
        return short_time(row.get("next_due_at"), self._now())

    def search_text(self, number_: int) -> str:
        return super().search_text(number_) + " " + fold(unit_key(self.row_at(number_)))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and \
                index.column() in (self.LEVEL, self.SPO2):  # why, where the eye is
            row = self.row_at(index.row())
            parts = (" · ".join(mt.trend_texts(row)), mt.reasons_text(row))
            return plain_tip(" — ".join(part for part in parts if part))
        return super().data(index, role)

    def style_data(self, row: Row, column: int, role: int) -> Any:
        if column == self.LEVEL and role == LEVEL_ROLE:
            return mt.level_of(row)
        if role == Qt.ItemDataRole.ForegroundRole and row.get("state") == "active" and (
                (column in (self.SPO2, self.WORSE) and mt.alarming(row)) or
                (column in (self.NEXT, self.LATE) and mt.urgency(row)[0] == mt.LATE)):
            return RED
        if role == Qt.ItemDataRole.ForegroundRole and row.get("state") != "active":
            return QColor("#6b6b6b")
        return None


def _text(key: str) -> Callable[[Row], str]:
    return lambda row: "" if row.get(key) is None else str(row.get(key))


class PatientsProxy(BoardProxy):
    """The patients sorted, filtered by words and, when one is chosen, by commune."""

    def __init__(self, model: PatientsModel, parent: QObject | None = None) -> None:
        super().__init__(model, parent)
        self.unit: str | None = None

    def set_unit(self, unit: str | None) -> None:
        self.unit = unit
        self.invalidate()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if self.unit is not None and unit_key(self.source().row_at(source_row)) != self.unit:
            return False
        return super().filterAcceptsRow(source_row, source_parent)
