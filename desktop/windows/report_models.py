"""The Reports tab's parts without widgets: the reports, totals and breakdowns a lead chooses
from, the quick periods, a sheet's cells as text by their kind (protocol/reports.py: text, int,
pct, seconds, minutes; None is a dash), the sheet as a sortable table model (the heat map's
cells coloured), and the points of a sheet's chart (the rows of a category: counts summed,
rates and durations averaged)."""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from desktop.i18n import QT_TRANSLATE_NOOP
from desktop.models import plain_tip, state_label, triage_label
from desktop.windows.lead_models import fold

AnyIndex = QModelIndex | QPersistentModelIndex
Row = Mapping[str, Any]
DASH = "—"  # nothing to divide by, or nothing recorded
CONTEXT = "Reports"

REPORTS = {  # the hub's names (protocol/reports.py ReportName), as the chooser reads them
    "queues": QT_TRANSLATE_NOOP("Reports", "Queues"),
    "agents": QT_TRANSLATE_NOOP("Reports", "Agents"),
    "calls": QT_TRANSLATE_NOOP("Reports", "Calls and callbacks"),
    "cases": QT_TRANSLATE_NOOP("Reports", "Cases"),
    "units": QT_TRANSLATE_NOOP("Reports", "Communes and wards"),
    "heatmap": QT_TRANSLATE_NOOP("Reports", "Peak hours"),
    "daily": QT_TRANSLATE_NOOP("Reports", "Summary report"),
}
# which reports the totals (grouping) and the breakdown (by) change: the others ignore them
USES = {"queues": (True, True), "agents": (False, False), "calls": (True, False),
        "cases": (True, False), "units": (False, False), "heatmap": (False, False),
        "daily": (True, True)}
GROUPINGS = {
    "hour": QT_TRANSLATE_NOOP("Reports", "Hour"),
    "day": QT_TRANSLATE_NOOP("Reports", "Day"),
    "week": QT_TRANSLATE_NOOP("Reports", "Week"),
    "month": QT_TRANSLATE_NOOP("Reports", "Month"),
    "total": QT_TRANSLATE_NOOP("Reports", "Whole period"),
}
BYS = {
    "topic": QT_TRANSLATE_NOOP("Reports", "Topic"),
    "agency": QT_TRANSLATE_NOOP("Reports", "Agency"),
    "agent": QT_TRANSLATE_NOOP("Reports", "Agent"),
    "all": QT_TRANSLATE_NOOP("Reports", "Whole line"),
}
QUICK = {
    "today": QT_TRANSLATE_NOOP("Reports", "Today"),
    "yesterday": QT_TRANSLATE_NOOP("Reports", "Yesterday"),
    "week": QT_TRANSLATE_NOOP("Reports", "Last 7 days"),
    "month": QT_TRANSLATE_NOOP("Reports", "This month"),
    "last_month": QT_TRANSLATE_NOOP("Reports", "Last month"),
}
SHEETS = {  # the hub's sheet names (callcenter/reports/catalogue.py), in the user's language
    "Hàng chờ": QT_TRANSLATE_NOOP("Reports", "Queues"),
    "Điện thoại viên": QT_TRANSLATE_NOOP("Reports", "Agents"),
    "Thời gian làm việc": QT_TRANSLATE_NOOP("Reports", "Working time"),
    "Cuộc gọi và gọi lại": QT_TRANSLATE_NOOP("Reports", "Calls and callbacks"),
    "Kết quả xử lý": QT_TRANSLATE_NOOP("Reports", "Outcomes"),
    "Phân loại nguy cơ": QT_TRANSLATE_NOOP("Reports", "Triage levels"),
    "Trạng thái hồ sơ": QT_TRANSLATE_NOOP("Reports", "Case status"),
    "Xã, phường": QT_TRANSLATE_NOOP("Reports", "Communes and wards"),
    "Giờ cao điểm": QT_TRANSLATE_NOOP("Reports", "Peak hours"),
}
WEEKDAYS = (QT_TRANSLATE_NOOP("Reports", "Monday"), QT_TRANSLATE_NOOP("Reports", "Tuesday"),
            QT_TRANSLATE_NOOP("Reports", "Wednesday"), QT_TRANSLATE_NOOP("Reports", "Thursday"),
            QT_TRANSLATE_NOOP("Reports", "Friday"), QT_TRANSLATE_NOOP("Reports", "Saturday"),
            QT_TRANSLATE_NOOP("Reports", "Sunday"))
CODES: dict[str, Callable[[str], str]] = {  # coded text columns, as the desk names the codes
    "status": state_label, "triage_level": lambda code: triage_label(code) or code}
DECIMALS = {"int": 0, "pct": 1, "seconds": 1, "minutes": 1}
WEEK = QT_TRANSLATE_NOOP("Reports", "Week %1/%2")
HEAT = (QColor("#fff8e1"), QColor("#ffb74d"), QColor("#c62828"))  # none → busiest


def translated(text: str) -> str:
    """A text marked with QT_TRANSLATE_NOOP("Reports", …), in the language shown."""
    return QCoreApplication.translate(CONTEXT, text)


def quick_period(choice: str, today: date) -> tuple[date, date]:
    """The days of a quick choice, `today` being the site's local day; the last 7 days and
    this month end today (so far)."""
    if choice == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if choice == "week":
        return today - timedelta(days=6), today
    if choice == "month":
        return today.replace(day=1), today
    if choice == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    return today, today


def number_text(value: float, decimals: int, language: str) -> str:
    """1234.5 as "1,234.5" in English, "1.234,5" in Vietnamese."""
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if language == "vi" else text


def period_text(key: str) -> str:
    """A period key of the hub ("2026-03-12 08", "2026-03-12", "2026-W11", "2026-03",
    "total") as a lead reads it: 12/03/2026 08:00, 12/03/2026, week 11/2026, 03/2026."""
    if key == "total":
        return translated(GROUPINGS["total"])
    if found := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?: (\d{2}))?", key):
        year, month, day, hour = found.groups()
        return f"{day}/{month}/{year}" + (f" {hour}:00" if hour else "")
    if found := re.fullmatch(r"(\d{4})-W(\d{2})", key):
        return translated(WEEK).replace("%1", found[2]).replace("%2", found[1])
    if found := re.fullmatch(r"(\d{4})-(\d{2})", key):
        return f"{found[2]}/{found[1]}"
    return key


def cell_text(column: Row, value: Any, language: str) -> str:
    """A cell as text by its column's kind; None (nothing to divide by) is a dash."""
    key, kind = str(column.get("key")), column.get("kind")
    if value is None:
        return DASH
    if key == "weekday" and isinstance(value, int) and 1 <= value <= 7:
        return translated(WEEKDAYS[value - 1])
    if kind in DECIMALS and isinstance(value, int | float) and not isinstance(value, bool):
        text = number_text(value, DECIMALS[str(kind)], language)
        return text + "%" if kind == "pct" else text
    if key == "period":
        return period_text(str(value))
    if key == "group" and value == "all":
        return translated(BYS["all"])
    return CODES[key](str(value)) if key in CODES else str(value)


def sort_value(value: Any) -> tuple[int, Any]:
    """Numbers by value, text folded (diacritics ignored), a dash after everything."""
    if value is None:
        return (2, 0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, fold(str(value)))


def header_text(column: Row, language: str, lines: bool = True) -> str:
    """The column's header in `language` (the hub's vi or en); a long one on up to three
    lines (the columns stay narrow), unless `lines` is False."""
    text = str(column.get("en" if language == "en" else "vi") or column.get("key") or "")
    if not lines or len(text) <= 12:
        return text
    width = max(12, math.ceil(len(text) / 3))
    while len(wrapped := textwrap.wrap(text, width, break_long_words=False)) > 3:
        width += 2
    return "\n".join(wrapped)


def heat_colour(value: float, top: float) -> QColor:
    """From pale (no calls) through orange to red (the busiest hour of the grid)."""
    share = 0.0 if top <= 0 else max(0.0, min(1.0, value / top))
    low, high = (HEAT[0], HEAT[1]) if share < 0.5 else (HEAT[1], HEAT[2])
    t = share * 2 if share < 0.5 else share * 2 - 1
    return QColor.fromRgbF(*(a + (b - a) * t for a, b in (
        (low.redF(), high.redF()), (low.greenF(), high.greenF()), (low.blueF(), high.blueF()))))


@dataclass
class Sheet:
    """One sheet of a report_run reply (the hub's dict, read defensively)."""

    name: str
    title: str
    columns: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    chart: dict[str, Any] | None = None
    labels: dict[str, str] = field(default_factory=dict)  # a group's name (a topic's), by key

    @classmethod
    def read(cls, data: Row) -> Sheet:
        chart, labels = data.get("chart"), data.get("labels")
        return cls(str(data.get("name") or ""), str(data.get("title") or ""),
                   [c for c in data.get("columns") or [] if isinstance(c, dict)],
                   [r for r in data.get("rows") or [] if isinstance(r, dict)],
                   dict(chart) if isinstance(chart, dict) else None,
                   {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict)
                   else {})

    def value(self, row: Row, key: str) -> Any:
        """A cell's value as shown: a group by its name when the hub sent one."""
        value = row.get(key)
        return self.labels.get(value, value) if key == "group" and isinstance(value, str) \
            else value

    @property
    def kind(self) -> str:
        return str((self.chart or {}).get("kind") or "")

    def column(self, key: str) -> dict[str, Any]:
        return next((c for c in self.columns if c.get("key") == key), {"key": key})

    def label(self) -> str:
        """The sheet's name in the user's language (the hub's when it is not a known one)."""
        return translated(SHEETS[self.name]) if self.name in SHEETS else self.name


@dataclass
class ChartData:
    """What a sheet's chart draws: for each category (a period, a group), each series' value
    over the rows that share it (chart_data); `shown` of `total` categories (names: the
    largest)."""

    kind: str
    labels: list[str] = field(default_factory=list)
    series: dict[str, tuple[str, list[float]]] = field(default_factory=dict)  # key: name, values
    total: int = 0
    language: str = "vi"

    @property
    def shown(self) -> int:
        return len(self.labels)


def chart_data(sheet: Sheet, language: str, limit: int = 20) -> ChartData:
    """The chart's points: for each category, the counts of its rows summed (the topics of a
    day), rates and durations averaged (a sum of percentages means nothing), as the hub's
    files draw them. Periods keep their order, every one; other categories (agents, communes,
    outcomes) are the `limit` largest, largest first."""
    chart = sheet.chart or {}
    category = str(chart.get("category") or "")
    keys = [str(k) for k in chart.get("series") or []]
    found: dict[Any, list[list[float]]] = {}
    for row in sheet.rows:
        values = found.setdefault(sheet.value(row, category), [[] for _ in keys])
        for n, key in enumerate(keys):
            value = row.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                values[n].append(float(value))
    summed = [sheet.column(key).get("kind", "int") == "int" for key in keys]
    sums = {c: [sum(v) if summed[n] or not v else sum(v) / len(v) for n, v in enumerate(lists)]
            for c, lists in found.items()}
    order = list(sums)
    if category != "period":
        order = sorted(order, key=lambda c: -sum(sums[c]))[:limit]
    column = sheet.column(category)
    data = ChartData(sheet.kind, [cell_text(column, c, language) for c in order],
                     total=len(sums), language=language)
    for n, key in enumerate(keys):
        data.series[key] = (header_text(sheet.column(key), language, lines=False),
                            [sums[c][n] for c in order])
    return data


class SheetModel(QAbstractTableModel):
    """A sheet's rows as the hub sent them, each cell as text by its column's kind; numbers
    align right; on the heat map, the hours coloured by how busy they were."""

    SORT_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, sheet: Sheet, language: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sheet, self.language = sheet, language
        hours = [c["key"] for c in sheet.columns if re.fullmatch(r"\d{2}", str(c.get("key")))]
        self._hours = set(hours) if sheet.kind == "heat" else set()
        self.top = max([float(r.get(h) or 0) for r in sheet.rows for h in self._hours] or [0])

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's API
        return 0 if parent.isValid() else len(self.sheet.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.sheet.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        column = self.sheet.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return header_text(column, self.language)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(column.get("en" if self.language == "en" else "vi") or "")
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.sheet.rows):
            return None
        column = self.sheet.columns[index.column()]
        row, key = self.sheet.rows[index.row()], str(column.get("key"))
        value = self.sheet.value(row, key)
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(column, value, self.language)
        if role == Qt.ItemDataRole.ToolTipRole and column.get("kind") == "text":
            text = cell_text(column, value, self.language)  # whole, when the cell elides it
            return plain_tip(text if value == row.get(key) else f"{text} ({row.get(key)})")
        if role == self.SORT_ROLE:
            return sort_value(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.get("kind") != "text" and \
                column.get("key") != "weekday":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column.get("key") in self._hours and isinstance(value, int | float):
            if role == Qt.ItemDataRole.BackgroundRole:
                return heat_colour(float(value), self.top)
            if role == Qt.ItemDataRole.ForegroundRole and self.top and value / self.top > 0.6:
                return QColor("white")
        return None


class SheetProxy(QSortFilterProxyModel):
    """Sorts a sheet by its values (not by their text): 1.234 after 987, a dash last."""

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        model = self.sourceModel()
        a, b = model.data(left, SheetModel.SORT_ROLE), model.data(right, SheetModel.SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return left.row() < right.row()


def sheets_of(data: Row) -> list[Sheet]:
    return [Sheet.read(s) for s in data.get("sheets") or [] if isinstance(s, dict)]


def rows_in(sheets: Sequence[Sheet]) -> int:
    return sum(len(s.rows) for s in sheets)
