"""Qt table models over what the hub sends (caller history, callbacks), and the time helpers
every view uses: the wire carries UTC ISO 8601, the screen shows Asia/Ho_Chi_Minh."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.i18n import QT_TRANSLATE_NOOP

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Clock = Callable[[], datetime]
AnyIndex = QModelIndex | QPersistentModelIndex


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time from the wire as an aware datetime (naive means UTC); None if absent
    or unreadable, so one bad field never breaks a table."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_time(value: object) -> datetime | None:
    moment = parse_time(value)
    return moment.astimezone(LOCAL_TZ) if moment else None


def format_time(value: object, *, date: bool = True) -> str:
    """dd/mm/yyyy HH:MM (the Vietnamese order) in Asia/Ho_Chi_Minh, or HH:MM:SS."""
    moment = local_time(value)
    if moment is None:
        return ""
    return moment.strftime("%d/%m/%Y %H:%M") if date else moment.strftime("%H:%M:%S")


def format_date(value: object) -> str:
    """A calendar date (2026-03-09) as 09/03/2026; a full time as format_time does."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.strptime(value, "%Y-%m-%d").strftime("%d/%m/%Y")
        except ValueError:
            return value
    return format_time(value)


def format_duration(seconds: float | None) -> str:
    """m:ss under an hour, h:mm:ss above; negative counts as zero."""
    if seconds is None:
        return ""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


_KINDS = {
    "case": QT_TRANSLATE_NOOP("Models", "Case"),
    "call": QT_TRANSLATE_NOOP("Models", "Call"),
    "callback": QT_TRANSLATE_NOOP("Models", "Callback"),
    "declaration": QT_TRANSLATE_NOOP("Models", "Declaration"),
}
_STATES = {  # case statuses, call results, callback states
    "open": QT_TRANSLATE_NOOP("Models", "Open"),
    "follow_up": QT_TRANSLATE_NOOP("Models", "Follow-up"),
    "escalated": QT_TRANSLATE_NOOP("Models", "Escalated"),
    "closed": QT_TRANSLATE_NOOP("Models", "Closed"),
    "answered": QT_TRANSLATE_NOOP("Models", "Answered"),
    "abandoned": QT_TRANSLATE_NOOP("Models", "Abandoned"),
    "ivr_hangup": QT_TRANSLATE_NOOP("Models", "Hung up in menu"),
    "no_agent": QT_TRANSLATE_NOOP("Models", "No agent"),
    "overflow": QT_TRANSLATE_NOOP("Models", "Overflow"),
    "dialing": QT_TRANSLATE_NOOP("Models", "Dialing"),
    "done": QT_TRANSLATE_NOOP("Models", "Done"),
    "cancelled": QT_TRANSLATE_NOOP("Models", "Cancelled"),
    "failed": QT_TRANSLATE_NOOP("Models", "Failed"),
}
_REASONS = {  # why a callback is owed
    "abandoned": QT_TRANSLATE_NOOP("Models", "Hung up while waiting"),
    "declaration": QT_TRANSLATE_NOOP("Models", "Web declaration"),
    "follow_up": QT_TRANSLATE_NOOP("Models", "Follow-up"),
    "requested": QT_TRANSLATE_NOOP("Models", "Caller asked"),
}

_DIAL_RESULTS = {  # how the last dial of a callback ended (FreeSWITCH's causes, mostly)
    "SUCCESS": QT_TRANSLATE_NOOP("Models", "Reached"),
    "NO_ANSWER": QT_TRANSLATE_NOOP("Models", "No answer"),
    "ALLOTTED_TIMEOUT": QT_TRANSLATE_NOOP("Models", "No answer"),
    "USER_BUSY": QT_TRANSLATE_NOOP("Models", "Busy"),
    "CALL_REJECTED": QT_TRANSLATE_NOOP("Models", "Declined"),
    "UNALLOCATED_NUMBER": QT_TRANSLATE_NOOP("Models", "Number does not exist"),
    "not_dialled": QT_TRANSLATE_NOOP("Models", "Not dialled (your phone did not answer)"),
    "lost": QT_TRANSLATE_NOOP("Models", "Unknown (the server restarted)"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Models", text) if text else ""


def kind_label(kind: str) -> str:
    return _tr(_KINDS[kind]) if kind in _KINDS else kind


def state_label(value: str) -> str:
    return _tr(_STATES[value]) if value in _STATES else value


def reason_label(reason: str) -> str:
    return _tr(_REASONS[reason]) if reason in _REASONS else reason


def dial_result_label(result: str) -> str:
    """Another cause: FreeSWITCH's own word, readable (NETWORK_OUT_OF_ORDER → network out of
    order)."""
    if result in _DIAL_RESULTS:
        return _tr(_DIAL_RESULTS[result])
    return result.replace("_", " ").lower()


@dataclass(frozen=True)
class Column:
    """One column: its header (translated when shown) and how a row reads in it."""

    header: str  # an English source text marked with QT_TRANSLATE_NOOP("Models", …)
    text: Callable[[dict[str, Any]], str]


class DictTableModel(QAbstractTableModel):
    """Rows of JSON objects from the hub shown through a list of Columns.

    Attributes:
        rows: the objects, in display order.
    """

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self.rows: list[dict[str, Any]] = []
        self._topic_name: Callable[[str | None], str] = lambda key: key or ""

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = [row for row in rows if isinstance(row, dict)]
        self.endResetModel()

    def row(self, number: int) -> dict[str, Any]:
        return self.rows[number]

    def retranslate(self) -> None:
        """Headers and texts again, after the language changed."""
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
        self.refresh()

    def refresh(self) -> None:
        """Every cell again (a time-dependent highlight, a language switch)."""
        if self.rows and self._columns:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(self._columns) - 1))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._columns)):
            return _tr(self._columns[section].header)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._columns[index.column()].text(row)
        return self.style_data(row, role)

    def style_data(self, row: dict[str, Any], role: int) -> Any:
        """Colours and fonts of a row; none by default."""
        return None

    def _topic_text(self, row: dict[str, Any]) -> str:
        return self._topic_name(row.get("topic"))


def _text(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: "" if row.get(key) is None else str(row.get(key))


def _coded(key: str, label: Callable[[str], str]) -> Callable[[dict[str, Any]], str]:
    return lambda row: label(str(row.get(key) or ""))


class HistoryModel(DictTableModel):
    """A caller's earlier cases, calls, callbacks and declarations, newest first.

    Each row is one history item from the hub: kind, at, topic, code, status, summary."""

    def __init__(self, topic_name: Callable[[str | None], str] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__([
            Column(QT_TRANSLATE_NOOP("Models", "Time"), lambda row: format_time(row.get("at"))),
            Column(QT_TRANSLATE_NOOP("Models", "Kind"), _coded("kind", kind_label)),
            Column(QT_TRANSLATE_NOOP("Models", "Topic"), self._topic_text),
            Column(QT_TRANSLATE_NOOP("Models", "Code"), _text("code")),
            Column(QT_TRANSLATE_NOOP("Models", "Status"), _coded("status", state_label)),
            Column(QT_TRANSLATE_NOOP("Models", "Summary"), _text("summary")),
        ], parent)
        if topic_name is not None:
            self._topic_name = topic_name

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Sorted newest first whatever order they came in (an item with no time goes last)."""
        epoch = datetime.min.replace(tzinfo=UTC)
        ordered = sorted((row for row in rows if isinstance(row, dict)),
                         key=lambda row: parse_time(row.get("at")) or epoch, reverse=True)
        super().set_rows(ordered)


class CallbacksModel(DictTableModel):
    """The callbacks owed on the agent's topics; overdue ones stand out in red and bold.

    Each row is one callback from the hub: id, phone, topic, reason, due_at, attempts,
    last_result, last_attempt_at, note."""

    OVERDUE = QColor("#fde2e1")

    def __init__(self, topic_name: Callable[[str | None], str] | None = None,
                 clock: Clock = utc_now, parent: QObject | None = None) -> None:
        super().__init__([
            Column(QT_TRANSLATE_NOOP("Models", "Due"), self._due_text),
            Column(QT_TRANSLATE_NOOP("Models", "Phone"), _text("phone")),
            Column(QT_TRANSLATE_NOOP("Models", "Topic"), self._topic_text),
            Column(QT_TRANSLATE_NOOP("Models", "Reason"), _coded("reason", reason_label)),
            Column(QT_TRANSLATE_NOOP("Models", "Attempts"), _text("attempts")),
            Column(QT_TRANSLATE_NOOP("Models", "Last try"), self._last_try_text),
            Column(QT_TRANSLATE_NOOP("Models", "Note"), _text("note")),
            Column("", lambda row: ""),  # the dial button's cell
        ], parent)
        self._clock = clock
        if topic_name is not None:
            self._topic_name = topic_name

    @property
    def dial_column(self) -> int:
        return self.columnCount() - 1

    def is_overdue(self, row: dict[str, Any]) -> bool:
        due = parse_time(row.get("due_at"))
        return due is not None and due < self._clock()

    def overdue_count(self) -> int:
        return sum(1 for row in self.rows if self.is_overdue(row))

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Earliest due first: the most overdue at the top."""
        latest = datetime.max.replace(tzinfo=UTC)
        ordered = sorted((row for row in rows if isinstance(row, dict)),
                         key=lambda row: parse_time(row.get("due_at")) or latest)
        super().set_rows(ordered)

    @staticmethod
    def _last_try_text(row: dict[str, Any]) -> str:
        result = row.get("last_result")
        if not result:
            return ""
        at = format_time(row.get("last_attempt_at"))
        label = dial_result_label(str(result))
        return f"{label} · {at}" if at else label

    def _due_text(self, row: dict[str, Any]) -> str:
        text = format_time(row.get("due_at"))
        if not self.is_overdue(row):
            return text
        overdue = _tr(QT_TRANSLATE_NOOP("Models", "overdue"))
        return f"{text} — {overdue}"

    def style_data(self, row: dict[str, Any], role: int) -> Any:
        if not self.is_overdue(row):
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(self.OVERDUE)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None
