"""The Callbacks tab: what the hotline owes callers on the agent's topics, the most urgent
first (a web declaration at red or orange, then the overdue ones), each dialled with one click
("Gọi lại" → callback_dial). A declaration's callback shows who declared and where, its triage
level as a coloured badge, the danger signs and SpO2 reported, and its receipt code; what the
public typed is shown as text, never as markup."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
from desktop.forms.triage_view import LEVEL_COLOURS
from desktop.i18n import QT_TRANSLATE_NOOP
from desktop.models import (
    ALERT_LEVELS,
    LEVEL_ROLE,
    Clock,
    Column,
    DictTableModel,
    age_text,
    dial_result_label,
    field_text,
    parse_time,
    plain_tip,
    reason_label,
    receipt_text,
    short_time,
    triage_label,
    triage_rank,
    utc_now,
)
from desktop.windows.labels import error_text, plain_text
from desktop.windows.screen_pop import history_table
from protocol.messages import Error, Reply

AnyIndex = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("Models", text)  # DictTableModel's headers' context


class CallbacksModel(DictTableModel):
    """The callbacks owed on the agent's topics, the most urgent first; overdue ones stand out
    in red and bold. A web declaration's callback shows who declared, where, how urgent
    (the triage level, painted as a badge: LEVEL_ROLE) and why, and its receipt code.

    Each row is one callback from the hub: id, phone, topic, reason, due_at, attempts,
    last_result, last_attempt_at, note, declaration (None, or id, receipt, full_name,
    birth_year, level, unit, received_at, source, red_flags, spo2)."""

    OVERDUE = QColor("#fde2e1")
    TRIAGE_COLUMN, NOTE_COLUMN = 1, 8

    def __init__(self, topic_name: Callable[[str | None], str] | None = None,
                 clock: Clock = utc_now, parent: QObject | None = None) -> None:
        super().__init__([
            Column(QT_TRANSLATE_NOOP("Models", "Due"), self._due_text),
            Column(QT_TRANSLATE_NOOP("Models", "Triage"), _triage_text),
            Column(QT_TRANSLATE_NOOP("Models", "Phone"), field_text("phone")),
            Column(QT_TRANSLATE_NOOP("Models", "Topic"), self._topic_text),
            Column(QT_TRANSLATE_NOOP("Models", "Reason"), _reason_text),
            Column(QT_TRANSLATE_NOOP("Models", "Declared by"), self._who_text),
            Column(QT_TRANSLATE_NOOP("Models", "Attempts"), field_text("attempts")),
            Column(QT_TRANSLATE_NOOP("Models", "Last try"), self._last_try_text),
            Column(QT_TRANSLATE_NOOP("Models", "Note"), field_text("note")),
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
        """The most urgent first: red declarations, orange ones, then the overdue callbacks,
        then the others; within each, yellow before green (or no level), then the earliest
        due."""
        super().set_rows(self._ordered(row for row in rows if isinstance(row, dict)))

    def resort(self) -> bool:
        """The order again (a callback fell overdue since); False if it did not change."""
        ordered = self._ordered(self.rows)
        if ordered == self.rows:
            return False
        super().set_rows(ordered)
        return True

    def _ordered(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        latest = datetime.max.replace(tzinfo=UTC)

        def urgency(row: dict[str, Any]) -> tuple[int, bool, int, datetime]:
            level = declaration_of(row).get("level")
            rank = min(triage_rank(level), triage_rank("green"))  # no level: as green
            return (rank if level in ALERT_LEVELS else len(ALERT_LEVELS),
                    not self.is_overdue(row), rank, parse_time(row.get("due_at")) or latest)

        return sorted(rows, key=urgency)

    def _last_try_text(self, row: dict[str, Any]) -> str:
        result = row.get("last_result")
        if not result:
            return ""
        at = short_time(row.get("last_attempt_at"), self._clock())
        label = dial_result_label(str(result))
        return f"{label} · {at}" if at else label

    def _due_text(self, row: dict[str, Any]) -> str:
        text = short_time(row.get("due_at"), self._clock())
        if not self.is_overdue(row):
            return text
        overdue = _tr(QT_TRANSLATE_NOOP("Models", "overdue"))
        return f"{text} — {overdue}"

    def _who_text(self, row: dict[str, Any]) -> str:
        """The declarer's name and age, and the commune or ward below."""
        declared = declaration_of(row)
        if not declared:
            return ""
        name = str(declared.get("full_name") or "")
        age = age_text(declared.get("birth_year"), self._clock())
        who = f"{name}, {age}" if name and age else name or age
        return "\n".join(part for part in (who, str(declared.get("unit") or "")) if part)

    def style_data(self, row: dict[str, Any], column: int, role: int) -> Any:
        if role == LEVEL_ROLE and column == self.TRIAGE_COLUMN:
            return declaration_of(row).get("level")
        if not self.is_overdue(row):
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(self.OVERDUE)
        if role == Qt.ItemDataRole.FontRole:
            return bold_font(QFont())
        return None


def declaration_of(row: dict[str, Any]) -> dict[str, Any]:
    """A callback's declaration, or an empty one."""
    declared = row.get("declaration")
    return declared if isinstance(declared, dict) else {}


def _triage_text(row: dict[str, Any]) -> str:
    """The level's word (on the badge), then a line each of what the declarer reported of
    danger: the SpO2 (short: beside the badge), how many danger signs."""
    declared = declaration_of(row)
    flags, spo2 = declared.get("red_flags"), declared.get("spo2")
    found = []
    if isinstance(spo2, int | float) and not isinstance(spo2, bool):
        found.append(f"SpO2 {spo2:g}%")
    if isinstance(flags, list) and flags:
        found.append(_tr(QT_TRANSLATE_NOOP("Models", "1 danger sign")) if len(flags) == 1 else
                     _tr(QT_TRANSLATE_NOOP("Models", "%1 danger signs")).replace(
                         "%1", str(len(flags))))
    return "\n".join([triage_label(declared.get("level")), *found]).strip()


def _reason_text(row: dict[str, Any]) -> str:
    """Why the callback is owed; a declaration's receipt code below (a portal's name too)."""
    reason = reason_label(str(row.get("reason") or ""))
    declared = declaration_of(row)
    if not declared:
        return reason
    source = str(declared.get("source") or "web")
    if source != "web":
        reason = f"{reason} ({source})"
    return "\n".join(part for part in (reason, receipt_text(declared.get("receipt"))) if part)


class TriageBadges(QStyledItemDelegate):
    """Paints a cell whose LEVEL_ROLE is a triage level as a badge in the level's colour (the
    first line of the cell's text, the level's word), its next line beside the badge if it
    fits there, the others below; any other cell as usual, with some air above and below its
    lines. The text is drawn as text (an item view never reads markup)."""

    PAD, GAP = 8, 6  # the badge's room either side of its word; between it and a note

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        level = index.data(LEVEL_ROLE)
        if level not in LEVEL_COLOURS:
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        word, notes = _lines(item.text)
        item.text = ""  # the background and the selection, as any cell's
        style = item.widget.style() if item.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, item.widget)
        bold = bold_font(item.font)
        area, line = item.rect.adjusted(4, 0, -4, 0), item.fontMetrics.height()
        badge = QRect(0, 0, QFontMetrics(bold).horizontalAdvance(word) + 2 * self.PAD,
                      QFontMetrics(bold).height() + 4)
        beside = notes[0] if notes and badge.width() + self.GAP + \
            item.fontMetrics.horizontalAdvance(notes[0]) <= area.width() else ""
        below = " · ".join(notes[1:] if beside else notes)
        badge.moveTo(area.left(),
                     area.top() + (area.height() - badge.height() - (line if below else 0)) // 2)
        background, foreground = LEVEL_COLOURS[level]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(badge, 4, 4)
        painter.setPen(QColor(foreground))
        painter.setFont(bold)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, word)
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        painter.setPen(item.palette.color(item.palette.ColorRole.HighlightedText if selected
                                          else item.palette.ColorRole.Text))
        painter.setFont(item.font)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if beside:
            painter.drawText(badge.adjusted(badge.width() + self.GAP, 0, area.width(), 0),
                             left, beside)
        if below:
            room = QRect(area.left(), badge.bottom() + 1, area.width(), line)
            painter.drawText(room, left, item.fontMetrics.elidedText(
                below, Qt.TextElideMode.ElideRight, room.width()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        size = super().sizeHint(option, index)
        if index.data(LEVEL_ROLE) not in LEVEL_COLOURS:
            return size + QSize(0, 8)  # two lines need air
        word, notes = _lines(str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        bold, plain = QFontMetrics(bold_font(option.font)), option.fontMetrics
        width = bold.horizontalAdvance(word) + 2 * self.PAD + 8
        width = max([width, *(plain.horizontalAdvance(note) + 8 for note in notes)])
        return QSize(width, bold.height() + 4 + (plain.height() if notes else 0) + 8)


def _lines(text: str) -> tuple[str, list[str]]:
    """A badge cell's text: the level's word, and the notes (initStyleOption turned its line
    breaks into Unicode line separators)."""
    first, *rest = text.replace("\u2028", "\n").split("\n")
    return first, [line for line in rest if line]


def bold_font(font: QFont) -> QFont:
    """`font`, bold (a copy)."""
    bold = QFont(font)
    bold.setBold(True)
    return bold


class CallbacksView(QWidget):
    """A table of callbacks with a dial button on every row.

    Attributes:
        model: the callbacks, the most urgent first.
        buttons: the dial button of each row, by callback id.

    Signals:
        count_changed(int, int): how many callbacks, how many of them overdue.
    """

    count_changed = Signal(int, int)
    NARROW = {1: 170, 3: 170, 5: 210}  # triage, topic, who declared: elided, widths fixed

    def __init__(self, connection: HubConnection, topic_name: Callable[[str | None], str],
                 clock: Clock = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection = connection
        self.model = CallbacksModel(topic_name, clock, self)
        self.buttons: dict[int, QPushButton] = {}
        self._summary, self.message = QLabel(), plain_text(QLabel(wordWrap=True))
        self._refresh = QPushButton()
        self._refresh.clicked.connect(self.refresh)
        self.view: QTableView = history_table(self.model, narrow=tuple(self.NARROW))
        self.view.setItemDelegate(TriageBadges(self.view))
        header = self.view.horizontalHeader()
        for column, width in self.NARROW.items():  # elided, whole in the tooltip
            header.resizeSection(column, width)
        header.setSectionResizeMode(self.model.NOTE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.model.dial_column, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(self.model.dial_column, 100)
        rows = self.view.verticalHeader()  # a declaration's rows have a second line
        rows.setMinimumSectionSize(34)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        top = QHBoxLayout()
        top.addWidget(self._summary, 1)
        top.addWidget(self._refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        # Overdue is a matter of time: look again every half minute.
        self._timer = QTimer(self, interval=30_000)
        self._timer.timeout.connect(self._look_again)
        self._timer.start()
        self.retranslate()

    def set_callbacks(self, callbacks: list[dict[str, Any]]) -> None:
        self.model.set_rows(callbacks)
        self._place_buttons()
        self._recount()

    def _place_buttons(self) -> None:
        self.buttons.clear()
        for row_number, row in enumerate(self.model.rows):
            callback_id = row.get("id")
            if not isinstance(callback_id, int):
                continue
            button = QPushButton(self.tr("Call back"))
            button.setToolTip(plain_tip(self.tr("Dial %1 now").replace(
                "%1", str(row.get("phone", "")))))
            button.clicked.connect(lambda _=False, c=callback_id: self.dial(c))
            self.view.setIndexWidget(self.model.index(row_number, self.model.dial_column),
                                     button)
            self.buttons[callback_id] = button

    def merge(self, changed: list[dict[str, Any]]) -> None:
        """Callbacks changed lately: an open one is added or replaced, one in any other
        state (being dialled, done, given up) leaves the list."""
        rows = {row.get("id"): row for row in self.model.rows}
        for row in changed:
            if row.get("state", "open") == "open":
                rows[row.get("id")] = row
            else:
                rows.pop(row.get("id"), None)
        self.set_callbacks(list(rows.values()))

    def refresh(self) -> None:
        """Ask the hub for the list again."""
        self._connection.callback_list(self._on_list)

    def dial(self, callback_id: int) -> str:
        """One click: the hub rings the agent's phone, then the caller."""
        row = next((r for r in self.model.rows if r.get("id") == callback_id), {})
        self._say(self.tr("Calling %1…").replace("%1", str(row.get("phone", ""))))
        button = self.buttons.get(callback_id)
        if button is not None:
            button.setEnabled(False)
        return self._connection.callback_dial(
            callback_id, lambda answer: self._on_dial(callback_id, answer))

    def _on_dial(self, callback_id: int, answer: Reply | Error) -> None:
        button = self.buttons.get(callback_id)
        if button is not None:
            button.setEnabled(True)
        if isinstance(answer, Error):
            self._say(error_text(answer.code, answer.message), error=True)
        else:
            self._say(self.tr("Your phone is ringing; the caller is dialled when you answer."))

    def _on_list(self, answer: Reply | Error) -> None:
        if isinstance(answer, Error):
            self._say(error_text(answer.code, answer.message), error=True)
        else:
            self.set_callbacks(list(answer.data.get("callbacks") or []))

    def _look_again(self) -> None:
        if self.model.resort():  # one fell overdue: it moves up
            self._place_buttons()
        self._recount()

    def _recount(self) -> None:
        self.model.refresh()
        total, overdue = len(self.model.rows), self.model.overdue_count()
        self._summary.setText(self.tr("%1 callbacks, %2 overdue").replace(
            "%1", str(total)).replace("%2", str(overdue)))
        self.count_changed.emit(total, overdue)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c62828;" if error else "")
        self.message.setText(text)

    def retranslate(self) -> None:
        self._refresh.setText(self.tr("Refresh"))
        for button in self.buttons.values():
            button.setText(self.tr("Call back"))
        self.model.retranslate()
        self._recount()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
