"""Qt table models over what the hub sends (caller history; the callbacks' model builds on
DictTableModel in desktop/windows/callbacks.py), the time helpers every view uses (the wire
carries UTC ISO 8601, the screen shows Asia/Ho_Chi_Minh) and how a declaration's codes read
(triage level, receipt, age)."""

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
from PySide6.QtGui import Qt as QtText  # Qt's text helpers (mightBeRichText) live in QtGui

from desktop.i18n import QT_TRANSLATE_NOOP
from rules.phone import display_phone

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Clock = Callable[[], datetime]
AnyIndex = QModelIndex | QPersistentModelIndex
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 2  # a cell's triage level: the view paints a badge
TRIAGE_ORDER = ("red", "orange", "yellow", "green")  # the most urgent first
ALERT_LEVELS = ("red", "orange")  # a danger sign or worse: call now, before anything else


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


def short_time(value: object, now: datetime) -> str:
    """HH:MM on the day of `now` (Cà Mau's day), dd/mm HH:MM another day of its year, else
    as format_time: a table of today's work has no room for the same date on every row."""
    moment = local_time(value)
    if moment is None:
        return ""
    today = now.astimezone(LOCAL_TZ)
    if moment.date() == today.date():
        return moment.strftime("%H:%M")
    return moment.strftime("%d/%m %H:%M") if moment.year == today.year else \
        moment.strftime("%d/%m/%Y %H:%M")


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

_TRIAGE = {  # the Ministry's four colours, as the form's triage badge names them
    "red": QT_TRANSLATE_NOOP("Models", "Red"),
    "orange": QT_TRANSLATE_NOOP("Models", "Orange"),
    "yellow": QT_TRANSLATE_NOOP("Models", "Yellow"),
    "green": QT_TRANSLATE_NOOP("Models", "Green"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Models", text) if text else ""


def kind_label(kind: str) -> str:
    return _tr(_KINDS[kind]) if kind in _KINDS else kind


def state_label(value: str) -> str:
    return _tr(_STATES[value]) if value in _STATES else value


def reason_label(reason: str) -> str:
    return _tr(_REASONS[reason]) if reason in _REASONS else reason


def triage_label(level: object) -> str:
    return _tr(_TRIAGE[level]) if isinstance(level, str) and level in _TRIAGE else ""


def triage_rank(level: object) -> int:
    """0 for red … 3 for green, 4 for none: what sorts the most urgent first."""
    return TRIAGE_ORDER.index(level) if isinstance(level, str) and level in TRIAGE_ORDER \
        else len(TRIAGE_ORDER)


def receipt_text(code: object) -> str:
    """A receipt code as the declarer was shown it: KB7K3M9Q2P → KB-7K3M-9Q2P."""
    text = "" if code is None else str(code)
    if len(text) == 10 and text.isalnum():
        return f"{text[:2]}-{text[2:6]}-{text[6:]}"
    return text


def age_text(birth_year: object, now: datetime) -> str:
    """The age ("68 years old") from the year of birth, this year in Cà Mau; empty if
    unknown."""
    year = now.astimezone(LOCAL_TZ).year
    if not isinstance(birth_year, int) or isinstance(birth_year, bool) or \
            not 0 <= year - birth_year <= 130:
        return ""
    return _tr(QT_TRANSLATE_NOOP("Models", "%1 years old")).replace("%1", str(year - birth_year))


def plain_tip(text: str) -> str:
    """A tooltip that shows `text` as it is: Qt renders a tooltip that looks like HTML as HTML,
    and a cell's text may be a name typed on the public form (`<img src=…>`)."""
    return QtText.convertFromPlainText(text) if QtText.mightBeRichText(text) else text


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
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[index.column()].text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tip(self._columns[index.column()].text(row))
        return self.style_data(row, index.column(), role)

    def style_data(self, row: dict[str, Any], column: int, role: int) -> Any:
        """Colours and fonts of a cell; none by default."""
        return None

    def _topic_text(self, row: dict[str, Any]) -> str:
        return self._topic_name(row.get("topic"))


def field_text(key: str) -> Callable[[dict[str, Any]], str]:
    """A column that shows one field of the row as it is."""
    return lambda row: "" if row.get(key) is None else str(row.get(key))


def phone_text(key: str) -> Callable[[dict[str, Any]], str]:
    """A column that shows a phone number as people write it (0912 345 678)."""
    return lambda row: "" if row.get(key) is None else display_phone(str(row.get(key)))


def _coded(key: str, label: Callable[[str], str]) -> Callable[[dict[str, Any]], str]:
    return lambda row: label(str(row.get(key) or ""))


class HistoryModel(DictTableModel):
    """A caller's earlier cases, calls, callbacks and declarations, newest first.

    Each row is one history item from the hub: kind, at, topic, code, status, summary; and
    for a case person_name, outcome and triage_level, which `summary` (the window's, in the
    agent's words) turns into the Summary column instead of the hub's codes."""

    def __init__(self, topic_name: Callable[[str | None], str] | None = None,
                 parent: QObject | None = None,
                 summary: Callable[[dict[str, Any]], str] | None = None) -> None:
        self._summary = summary or field_text("summary")
        super().__init__([
            Column(QT_TRANSLATE_NOOP("Models", "Time"), lambda row: format_time(row.get("at"))),
            Column(QT_TRANSLATE_NOOP("Models", "Kind"), _coded("kind", kind_label)),
            Column(QT_TRANSLATE_NOOP("Models", "Topic"), self._topic_text),
            Column(QT_TRANSLATE_NOOP("Models", "Code"), field_text("code")),
            Column(QT_TRANSLATE_NOOP("Models", "Status"), _coded("status", state_label)),
            Column(QT_TRANSLATE_NOOP("Models", "Summary"), lambda row: self._summary(row)),
        ], parent)
        if topic_name is not None:
            self._topic_name = topic_name

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Sorted newest first whatever order they came in (an item with no time goes last)."""
        epoch = datetime.min.replace(tzinfo=UTC)
        ordered = sorted((row for row in rows if isinstance(row, dict)),
                         key=lambda row: parse_time(row.get("at")) or epoch, reverse=True)
        super().set_rows(ordered)
