"""The Callbacks tab: what the hotline owes callers on the agent's topics, the most urgent
first (a web declaration at red or orange, or a home-monitoring check-in that got worse, then the
overdue ones), each dialled with one click ("Gọi lại" → callback_dial). A declaration's callback
shows who declared and where, its triage level as a coloured badge, the danger signs and SpO2
reported, and its receipt code; a check-in's shows the day of illness, the last readings with
their trend and why they are worse, and opens the episode's chart (double click). What the public
typed is shown as text, never as markup."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
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
    phone_text,
    plain_tip,
    reason_label,
    receipt_text,
    short_time,
    triage_label,
    triage_rank,
    utc_now,
)
from desktop.windows import monitoring_text as mt
from desktop.windows.badges import TriageBadges, bold_font
from desktop.windows.episode import EpisodeOpener
from desktop.windows.labels import error_text, plain_text
from desktop.windows.tables import history_table
from protocol.messages import Error, Reply
from rules.phone import display_phone

WORSE = QColor("#c62828")


def _tr(text: str) -> str:
    return QCoreApplication.translate("Models", text)  # DictTableModel's headers' context


class CallbacksModel(DictTableModel):
    """The callbacks owed on the agent's topics, the most urgent first; overdue ones stand out
    in red and bold. A web declaration's callback shows who declared, where, how urgent
    (the triage level, painted as a badge: LEVEL_ROLE) and why, and its receipt code; a
    check-in of a home-treatment episode its day, level, last readings and their trend, and why
    it is worse or late (below its reason, in red).

    Each row is one callback from the hub: id, phone, topic, reason, due_at, attempts,
    last_result, last_attempt_at, note, declaration (None, or id, receipt, full_name,
    birth_year, level, unit, received_at, source, red_flags, spo2), episode (None, or an
    episode's summary: db/monitoring_views.py summary)."""

    OVERDUE = QColor("#fde2e1")
    TRIAGE_COLUMN, REASON_COLUMN, NOTE_COLUMN = 1, 4, 8

    def __init__(self, topic_name: Callable[[str | None], str] | None = None,
                 clock: Clock = utc_now, parent: QObject | None = None) -> None:
        super().__init__([
            Column(QT_TRANSLATE_NOOP("Models", "Due"), self._due_text),
            Column(QT_TRANSLATE_NOOP("Models", "Triage"), _triage_text),
            Column(QT_TRANSLATE_NOOP("Models", "Phone"), phone_text("phone")),
            Column(QT_TRANSLATE_NOOP("Models", "Topic"), self._topic_text),
            Column(QT_TRANSLATE_NOOP("Models", "Reason"), _reason_text),
            Column(QT_TRANSLATE_NOOP("Models", "Declared by"), self._who_text),
            Column(QT_TRANSLATE_NOOP("Models", "Attempts"), field_text("attempts")),
            Column(QT_TRANSLATE_NOOP("Models", "Last try"), self._last_try_text),
            Column(QT_TRANSLATE_NOOP("Models", "Note"), _note_text),
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
        """The most urgent first: red declarations and alarming check-ins (worse, alerted or
        red), orange ones, then the overdue callbacks (and check-ins late or missed), then the
        others; within each, yellow before green (or no level), then the earliest due."""
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
            level = level_of(row)
            rank = min(triage_rank(level), triage_rank("green"))  # no level: as green
            first = rank if level in ALERT_LEVELS else len(ALERT_LEVELS)
            episode = mt.episode_of(row)
            late = self.is_overdue(row)
            if episode:
                group, _rank = mt.urgency(episode)
                first = 0 if group == mt.ALARM else first
                late = late or group == mt.LATE
            return first, not late, rank, parse_time(row.get("due_at")) or latest

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
        """The declarer's (or the monitored patient's) name and age, and the commune or ward
        below."""
        declared = declaration_of(row) or mt.episode_of(row)
        if not declared:
            return ""
        name = str(declared.get("full_name") or declared.get("person_name") or "")
        age = age_text(declared.get("birth_year"), self._clock())
        who = f"{name}, {age}" if name and age else name or age
        return "\n".join(part for part in (who, str(declared.get("unit") or "")) if part)

    def style_data(self, row: dict[str, Any], column: int, role: int) -> Any:
        if role == LEVEL_ROLE and column == self.TRIAGE_COLUMN:
            return level_of(row)
        episode = mt.episode_of(row)
        if column == self.REASON_COLUMN and role == Qt.ItemDataRole.ForegroundRole and \
                episode and mt.urgency(episode)[0] in (mt.ALARM, mt.LATE):
            return WORSE
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


def level_of(row: dict[str, Any]) -> str | None:
    """The level a callback's badge shows: its declaration's, or its episode's."""
    episode = mt.episode_of(row)
    level = mt.level_of(episode) if episode else declaration_of(row).get("level")
    return level if isinstance(level, str) else None


def _triage_text(row: dict[str, Any]) -> str:
    """The level's word (on the badge), then a line each of what the declarer reported of
    danger: the SpO2 (short: beside the badge), how many danger signs; for a check-in, its
    last readings and their trend (SpO2 93 ↓ (97), breathing, temperature)."""
    episode = mt.episode_of(row)
    if episode and not declaration_of(row):  # a declaration's first call reads as one
        readings = mt.trend_texts(episode)
        below = " · ".join(readings[1:])
        return "\n".join(p for p in (triage_label(mt.level_of(episode)), *readings[:1], below)
                         if p)
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
    """Why the callback is owed; a declaration's receipt code below (a portal's name too), a
    check-in's day of illness and which check-in it is, and below why it is worse than the one
    before, or late."""
    episode = mt.episode_of(row)
    if episode and not declaration_of(row):  # a declaration's first call reads as one
        why = " · ".join(part for part in (mt.reasons_text(episode), mt.late_text(episode))
                         if part)
        return "\n".join(part for part in (mt.check_in_title(episode), why) if part)
    reason = reason_label(str(row.get("reason") or ""))
    declared = declaration_of(row)
    if not declared:
        return reason
    source = str(declared.get("source") or "web")
    if source != "web":
        reason = f"{reason} ({source})"
    return "\n".join(part for part in (reason, receipt_text(declared.get("receipt"))) if part)


def _note_text(row: dict[str, Any]) -> str:
    """The note (the hub's own note on a check-in, "Theo dõi tại nhà", is its reason)."""
    note = "" if row.get("note") is None else str(row.get("note"))
    return "" if note == mt.CHECK_IN_NOTE and mt.episode_of(row) else note


class CallbacksView(QWidget):
    """A table of callbacks with a dial button on every row; a check-in's episode (its chart,
    its readings, its end) opens with a double click or the episode button.

    Attributes:
        model: the callbacks, the most urgent first.
        buttons: the dial button of each row, by callback id.
        episode_button: opens the selected check-in's episode; episodes: the episode window.

    Signals:
        count_changed(int, int): how many callbacks, how many of them overdue.
    """

    count_changed = Signal(int, int)
    # triage, topic, reason, who declared, last try: elided (whole in the tooltip), widths
    # fixed, so that the note keeps some room at 1366 pixels
    NARROW = {1: 170, 3: 150, 4: 220, 5: 170, 7: 130}  # 3: a short topic name, in bold

    def __init__(self, connection: HubConnection, topic_name: Callable[[str | None], str],
                 clock: Clock = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection = connection
        self.model = CallbacksModel(topic_name, clock, self)
        self.buttons: dict[int, QPushButton] = {}
        self._summary, self.message = QLabel(), plain_text(QLabel(wordWrap=True))
        self._refresh, self.episode_button = QPushButton(), QPushButton()
        self.episode_button.setEnabled(False)
        self._refresh.clicked.connect(self.refresh)
        self.episode_button.clicked.connect(lambda: self.open_episode(self._selected()))
        self.episodes = EpisodeOpener(connection, self, clock)
        self.episodes.closed.connect(lambda _episode: self.refresh())
        self.view: QTableView = history_table(self.model, narrow=tuple(self.NARROW))
        self.view.doubleClicked.connect(lambda index: self.open_episode(index.row()))
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
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
        top.addWidget(self.episode_button)
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
        self._on_selection()
        self._recount()

    def _place_buttons(self) -> None:
        self.buttons.clear()
        for row_number, row in enumerate(self.model.rows):
            callback_id = row.get("id")
            if not isinstance(callback_id, int):
                continue
            button = QPushButton(self.tr("Call back"))
            button.setToolTip(plain_tip(self.tr("Dial %1 now").replace(
                "%1", display_phone(str(row.get("phone", ""))))))
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

    def open_episode(self, row_number: int | None) -> None:
        """The episode of the check-in on this row (nothing for another callback)."""
        rows = self.model.rows
        episode = mt.episode_of(rows[row_number]) if row_number is not None and \
            0 <= row_number < len(rows) else {}
        if isinstance(episode.get("id"), int):
            self.episodes.open(episode_id=episode["id"])

    def _selected(self) -> int | None:
        chosen = self.view.selectionModel().selectedRows()
        return chosen[0].row() if chosen else None

    def _on_selection(self) -> None:
        number = self._selected()
        self.episode_button.setEnabled(number is not None and number < len(self.model.rows)
                                       and bool(mt.episode_of(self.model.rows[number])))

    def dial(self, callback_id: int) -> str:
        """One click: the hub rings the agent's phone, then the caller."""
        row = next((r for r in self.model.rows if r.get("id") == callback_id), {})
        self._say(self.tr("Calling %1…").replace("%1", display_phone(str(row.get("phone", "")))))
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
            self._on_selection()
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
        self.episode_button.setText(self.tr("Monitoring over the days…"))
        self.episode_button.setToolTip(self.tr("The selected check-in's readings over the days "
                                               "(or double-click its row)"))
        for button in self.buttons.values():
            button.setText(self.tr("Call back"))
        self.model.retranslate()
        self._recount()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
