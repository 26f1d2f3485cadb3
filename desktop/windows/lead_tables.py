"""The lead window's tables as Qt models: the agents grid, the waiting callers and the
supervision log, each over one section of the board; and the proxy that sorts them by their
true values (a wait of 10:05 after one of 9:59) and filters them by typed words."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
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
from desktop.models import format_duration, format_time, plain_tip
from desktop.windows.labels import (
    ACTIVITY_COLOURS,
    activity_label,
    audit_action_label,
    break_reason_label,
    status_label,
)
from desktop.windows.lead_models import (
    Row,
    fold,
    name_key,
    number,
    seconds_since,
    seconds_until,
)

AnyIndex = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's key in its board section
ACTIVITY_ORDER = ("talking", "ringing", "available", "wrap_up", "on_break", "logged_out")
NONE_LAST = (1, 0)  # the sort value of an empty cell: after every (0, value)


def _tr(text: str) -> str:
    return QCoreApplication.translate("LeadTables", text) if text else ""


@dataclass(frozen=True)
class Column:
    """One column: its header (translated when shown), its text, and what it sorts by."""

    header: str  # an English source text marked with QT_TRANSLATE_NOOP("LeadTables", …)
    text: Callable[[Row], str]
    sort: Callable[[Row], Any] | None = None  # default: the text, folded
    ticking: bool = False  # counts with the clock: refreshed every second
    right: bool = False  # numbers align right


class BoardTableModel(QAbstractTableModel):
    """The rows of one board section, by key, in the order they first came. Updated in place
    (rows changed, added, removed), never reset: the view keeps its selection and scroll while
    pushes arrive several times a second.

    Attributes:
        keys: the rows' keys, in model order.
        rows: the rows by key.
    """

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.keys: list[str] = []
        self.rows: dict[str, Row] = {}

    def update(self, rows: Mapping[str, Row]) -> None:
        for number_, key in reversed(list(enumerate(self.keys))):
            if key not in rows:
                self.beginRemoveRows(QModelIndex(), number_, number_)
                del self.keys[number_], self.rows[key]
                self.endRemoveRows()
        last = len(self.columns) - 1
        for number_, key in enumerate(self.keys):
            if rows[key] != self.rows[key]:
                self.rows[key] = rows[key]
                self.dataChanged.emit(self.index(number_, 0), self.index(number_, last))
        new = [key for key in rows if key not in self.rows]
        if new:
            start = len(self.keys)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self.keys.extend(new)
            self.rows.update((key, rows[key]) for key in new)
            self.endInsertRows()

    def row_at(self, number_: int) -> Row:
        return self.rows[self.keys[number_]]

    def tick(self) -> None:
        """The columns that count with the clock, again."""
        if not self.keys:
            return
        for column, made in enumerate(self.columns):
            if made.ticking:
                self.dataChanged.emit(self.index(0, column),
                                      self.index(len(self.keys) - 1, column))

    def retranslate(self) -> None:
        if self.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self.keys:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.keys) - 1, len(self.columns) - 1))

    def sort_value(self, number_: int, column: int) -> Any:
        row, made = self.row_at(number_), self.columns[column]
        return made.sort(row) if made.sort else fold(made.text(row))

    def search_text(self, number_: int) -> str:
        """What the filter box searches in a row (folded): every column's text."""
        row = self.row_at(number_)
        return fold(" ".join(column.text(row) for column in self.columns))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's API
        return 0 if parent.isValid() else len(self.keys)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.columns)):
            return _tr(self.columns[section].header)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.keys):
            return None
        row, column = self.row_at(index.row()), self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:  # a caller's name is theirs to choose
            return plain_tip(column.text(row))
        if role == KEY_ROLE:
            return self.keys[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole and column.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return self.style_data(row, index.column(), role)

    def style_data(self, row: Row, column: int, role: int) -> Any:
        """Colours of a cell; none by default."""
        return None


class BoardProxy(QSortFilterProxyModel):
    """Sorts a BoardTableModel by its sort values and keeps the rows holding every word typed
    in the filter (case and Vietnamese diacritics ignored)."""

    def __init__(self, model: BoardTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._model = model
        self.setSourceModel(model)
        self.setDynamicSortFilter(True)

    def source(self) -> BoardTableModel:
        return self._model

    def set_words(self, text: str) -> None:
        self._words = fold(text).split()
        self.invalidate()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._words:
            return True
        text = self.source().search_text(source_row)
        return all(word in text for word in self._words)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        model = self.source()
        try:
            return bool(model.sort_value(left.row(), left.column()) <
                        model.sort_value(right.row(), right.column()))
        except TypeError:  # a value of an unexpected type: keep the order it had
            return left.row() < right.row()


def or_last(value: float | int | None) -> tuple[int, float]:
    """A sort value that puts an empty cell after every value."""
    return NONE_LAST if value is None else (0, value)


class AgentsModel(BoardTableModel):
    """The agents of the lead's agency (an admin: all), one row per username, as the board's
    `agents` section describes them; times counted up on the hub's clock."""

    def __init__(self, now: Callable[[], datetime], topic_name: Callable[[str | None], str],
                 parent: QObject | None = None) -> None:
        self._now, self._topic_name = now, topic_name
        super().__init__([
            Column(QT_TRANSLATE_NOOP("LeadTables", "Name"), _text("full_name"),
                   lambda row: name_key(str(row.get("full_name") or ""))),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Agency"), _text("agency")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Status"), self._status_text),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Activity"),
                   lambda row: activity_label(str(row.get("activity") or "")),
                   self._activity_order),
            Column(QT_TRANSLATE_NOOP("LeadTables", "In it for"), self._in_state_text,
                   lambda row: or_last(seconds_since(row.get("since"), self._now())),
                   ticking=True, right=True),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Call topic"),
                   lambda row: self._topic_name(_call(row).get("topic")) if _call(row) else ""),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Caller"),
                   lambda row: str(_call(row).get("caller") or "")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Talk time"), self._talk_text,
                   lambda row: or_last(self._talk_seconds(row)), ticking=True, right=True),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Calls today"), _count("calls_today"),
                   lambda row: number(row, "calls_today"), right=True),
            Column(QT_TRANSLATE_NOOP("LeadTables", "No answer"), _count("no_answers"),
                   lambda row: number(row, "no_answers"), right=True),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Wrap-up left"), self._acw_text,
                   lambda row: or_last(seconds_until(row.get("acw_until"), self._now())),
                   ticking=True, right=True),
        ], parent)

    def search_text(self, number_: int) -> str:
        """Also the username and every topic the agent answers, by name."""
        row = self.row_at(number_)
        topics = " ".join(self._topic_name(t) for t in row.get("topics") or [])
        return super().search_text(number_) + " " + fold(f"{row.get('username', '')} {topics}")

    @staticmethod
    def _status_text(row: Row) -> str:
        text = status_label(str(row.get("status") or ""))
        if row.get("status") == "On Break" and row.get("reason"):
            text = f"{text} — {break_reason_label(str(row['reason']))}"
        return text

    @staticmethod
    def _activity_order(row: Row) -> int:
        activity = row.get("activity")
        return ACTIVITY_ORDER.index(activity) if activity in ACTIVITY_ORDER else \
            len(ACTIVITY_ORDER)

    def _in_state_text(self, row: Row) -> str:
        return format_duration(seconds_since(row.get("since"), self._now()))

    def _talk_seconds(self, row: Row) -> float | None:
        call = _call(row)
        return seconds_since(call.get("answered_at"), self._now()) if call else None

    def _talk_text(self, row: Row) -> str:
        return format_duration(self._talk_seconds(row))

    def _acw_text(self, row: Row) -> str:
        return format_duration(seconds_until(row.get("acw_until"), self._now()))

    def style_data(self, row: Row, column: int, role: int) -> Any:
        if column == 3 and role == Qt.ItemDataRole.DecorationRole:
            return QColor(ACTIVITY_COLOURS.get(str(row.get("activity")), "#6b6b6b"))
        if column == 9 and role == Qt.ItemDataRole.ForegroundRole and \
                number(row, "no_answers"):
            return QColor("#b26a00")
        return None


class WaitingModel(BoardTableModel):
    """The callers waiting in the lead's queues, one row per queue member."""

    def __init__(self, now: Callable[[], datetime], topic_name: Callable[[str | None], str],
                 parent: QObject | None = None) -> None:
        self._now, self._topic_name = now, topic_name
        super().__init__([
            Column(QT_TRANSLATE_NOOP("LeadTables", "Topic"),
                   lambda row: self._topic_name(row.get("topic")),
                   lambda row: (fold(self._topic_name(row.get("topic"))),
                                number(row, "position"))),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Position"), _count("position"),
                   lambda row: number(row, "position"), right=True),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Waiting for"), self._wait_text,
                   lambda row: or_last(seconds_since(row.get("joined_at"), self._now())),
                   ticking=True, right=True),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Caller"), _text("caller")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Returning caller"),
                   lambda row: _tr(QT_TRANSLATE_NOOP("LeadTables", "Yes, open case"))
                   if row.get("returning") else ""),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Priority"), _count("base_score"),
                   lambda row: number(row, "base_score"), right=True),
        ], parent)

    def _wait_text(self, row: Row) -> str:
        return format_duration(seconds_since(row.get("joined_at"), self._now()))

    def style_data(self, row: Row, column: int, role: int) -> Any:
        if column == 4 and role == Qt.ItemDataRole.ForegroundRole and row.get("returning"):
            return QColor("#6a1b9a")
        return None


class AuditModel(BoardTableModel):
    """The supervision log an admin reads (newest first, as the hub sends it)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([
            Column(QT_TRANSLATE_NOOP("LeadTables", "Time"),
                   lambda row: format_time(row.get("at")),
                   lambda row: str(row.get("at") or "")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Who"), _text("actor")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Action"),
                   lambda row: audit_action_label(str(row.get("action") or ""))),
            Column(QT_TRANSLATE_NOOP("LeadTables", "On"), _text("target")),
            Column(QT_TRANSLATE_NOOP("LeadTables", "Details"), _detail_text),
        ], parent)

    def set_items(self, items: Sequence[Any]) -> None:
        self.update({str(n): item for n, item in enumerate(items) if isinstance(item, dict)})


def _call(row: Row) -> dict[str, Any]:
    call = row.get("call")
    return call if isinstance(call, dict) else {}


def _text(key: str) -> Callable[[Row], str]:
    return lambda row: "" if row.get(key) is None else str(row.get(key))


def _count(key: str) -> Callable[[Row], str]:
    return lambda row: str(number(row, key))


def _detail_text(row: Row) -> str:
    detail = row.get("detail")
    if not isinstance(detail, dict):
        return "" if detail is None else str(detail)
    return ", ".join(f"{key}: {value if isinstance(value, str) else json.dumps(value)}"
                     for key, value in detail.items() if value not in (None, ""))
