"""The queues board: one tile per topic with today's numbers, the wait counting up every
second, and the tile's colour from its level (rules.board: green, amber, red)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.windows.labels import (
    ACTIVITY_COLOURS,
    LEVEL_COLOURS,
    activity_label,
    level_label,
    plain_text,
)
from desktop.windows.lead_models import (
    QueueLevel,
    Row,
    format_pct,
    format_seconds,
    format_wait,
    mapping,
    number,
    queue_level,
    topic_name,
)

ACTIVITIES = ("available", "ringing", "talking", "wrap_up", "on_break", "logged_out")
TINTS = {"green": "#f1f8f3", "amber": "#fff6e8", "red": "#fdeceb"}
# Which metric of rules.board colours which number of the tile.
METRIC_OF = {"waiting": "waiting", "longest_wait": "longest_wait_seconds",
             "service_level": "service_level_pct", "abandon_pct": "abandon_pct"}
BIG = ("waiting", "longest_wait", "service_level")
GRID = (("waiting", "longest_wait", "service_level"), ("offered", "answered", "abandoned"),
        ("abandon_pct", "asa", "aht"), ("timed_out", "callbacks", "overdue"))


def sort_key(row: Mapping[str, Any]) -> tuple[str, str]:
    """Tiles in the IVR menu's order (its key), then by topic."""
    return (str(row.get("menu_key") or "~"), str(row.get("topic") or ""))


class Metric:
    """A caption, a number, and a short note under it (a target, short abandons): three
    labels in three rows of the tile's grid, so the numbers of a row line up whatever the
    length of their captions.

    Attributes:
        caption, value, note: its labels.
    """

    def __init__(self, big: bool) -> None:
        self.caption = QLabel(wordWrap=True)
        self.caption.setStyleSheet("color: #4a4a4a; font-size: 10pt; padding-top: 8px;")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft)
        self.value = QLabel()
        self._size = "30pt" if big else "18pt"
        self.note = QLabel(wordWrap=True)
        self.note.setStyleSheet("color: #4a4a4a; font-size: 9pt;")
        self.show_value("", None)

    def place(self, grid: QGridLayout, row: int, column: int) -> None:
        grid.addWidget(self.caption, row, column)
        grid.addWidget(self.value, row + 1, column)
        grid.addWidget(self.note, row + 2, column, Qt.AlignmentFlag.AlignTop)

    def show_value(self, text: str, level: str | None, note: str = "") -> None:
        colour = LEVEL_COLOURS.get(level or "", "#1a1a1a") if level != "green" else "#1a1a1a"
        self.value.setText(text)
        style = f"font-size: {self._size}; font-weight: 700; color: {colour};"
        if style != self.value.styleSheet():  # restyling every second costs
            self.value.setStyleSheet(style)
        self.note.setText(note)


class QueueTile(QFrame):
    """One topic's numbers.

    Attributes:
        topic: its key.
        row: the board's queue row.
        level: its level at the last refresh.
        metrics: the numbers by name (waiting, longest_wait, service_level, offered, answered,
            abandoned, abandon_pct, asa, aht, timed_out, callbacks, overdue).
        agents: the agents-by-activity labels, by activity.
        title, level_label: the topic's name and the level in words.
    """

    def __init__(self, topic: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.topic = topic
        self.row: Row = {}
        self.level = "green"
        self._styled = ""
        self._language = "vi"
        self.setObjectName("queueTile")
        # a third of the width each, whatever their texts; as tall as the tallest of the row
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title = plain_text(QLabel(wordWrap=True))
        self.title.setStyleSheet("font-size: 11pt; font-weight: 700; color: white;")
        self.level_label = QLabel()
        self.level_label.setStyleSheet("color: white; font-weight: 600;")
        self._band = QFrame()
        self._band.setObjectName("band")
        band = QHBoxLayout(self._band)
        band.setContentsMargins(10, 6, 10, 6)
        band.addWidget(self.title, 1)
        band.addWidget(self.level_label, 0, Qt.AlignmentFlag.AlignTop)
        self.metrics: dict[str, Metric] = {}
        grid = QGridLayout()
        grid.setContentsMargins(12, 6, 12, 4)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(0)
        for r, names in enumerate(GRID):
            for c, name in enumerate(names):
                self.metrics[name] = Metric(name in BIG)
                self.metrics[name].place(grid, r * 3, c)
        for c in range(3):
            grid.setColumnStretch(c, 1)
        self.agents: dict[str, QLabel] = {}
        chips = QGridLayout()
        chips.setContentsMargins(12, 8, 12, 10)
        chips.setHorizontalSpacing(6)
        chips.setVerticalSpacing(4)
        for n, activity in enumerate(ACTIVITIES):
            self.agents[activity] = chip = QLabel()
            chip.setStyleSheet(f"QLabel {{ border-left: 5px solid {ACTIVITY_COLOURS[activity]};"
                               " background: white; padding: 2px 6px; }")
            chips.addWidget(chip, n // 2, n % 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._band)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addLayout(chips)

    def set_row(self, row: Row, language: str, now: datetime) -> None:
        self.row, self._language = row, language
        self.refresh(now)

    def refresh(self, now: datetime) -> QueueLevel:
        """Every number and the colour again at `now` (the longest wait counts up)."""
        row, m = self.row, self.metrics
        found = queue_level(row, now)
        self.level = found.level
        key = row.get("menu_key")
        name = topic_name(row, self._language, self.topic)
        self.title.setText(f"{key} · {name}" if key else name)
        self.title.setToolTip(name)

        def show(metric: str, text: str, note: str = "") -> None:
            level = found.metrics.get(METRIC_OF.get(metric, ""))
            m[metric].show_value(text, level, note)

        show("waiting", str(number(row, "waiting")))
        show("longest_wait", format_wait(found.longest_wait))
        show("service_level", format_pct(row.get("service_level_pct")),
             self.tr("answered within %1 s").replace(
                 "%1", str(row.get("service_level_seconds") or "—")))
        show("offered", str(number(row, "offered")))
        show("answered", str(number(row, "answered")))
        short = number(row, "short_abandoned")
        show("abandoned", str(number(row, "abandoned")),
             self.tr("+%1 short").replace("%1", str(short)) if short else "")
        show("abandon_pct", format_pct(row.get("abandon_pct")))
        show("asa", format_seconds(row.get("asa_seconds")))
        show("aht", format_seconds(row.get("aht_seconds")))
        show("timed_out", str(number(row, "timed_out")))
        show("callbacks", str(number(row, "callbacks_owed")))
        overdue = number(row, "callbacks_overdue")
        m["overdue"].show_value(str(overdue), "red" if overdue else None)
        agents = mapping(row.get("agents"))
        for activity, chip in self.agents.items():
            chip.setText(f"{number(agents, activity)}  {activity_label(activity)}")
        self.level_label.setText(level_label(found.level))
        colour = LEVEL_COLOURS[found.level]
        if self._styled == found.level:
            return found
        self._styled = found.level
        self.setStyleSheet(f"#queueTile {{ background: {TINTS[found.level]}; border: 2px solid "
                           f"{colour}; border-radius: 6px; }} #band {{ background: {colour}; "
                           "border-top-left-radius: 4px; border-top-right-radius: 4px; }")
        return found

    def retranslate(self) -> None:
        captions = {
            "waiting": self.tr("Waiting now"), "longest_wait": self.tr("Longest wait"),
            "service_level": self.tr("Service level"), "offered": self.tr("Offered"),
            "answered": self.tr("Answered"), "abandoned": self.tr("Abandoned"),
            "abandon_pct": self.tr("Abandon rate"), "asa": self.tr("Avg. speed of answer"),
            "aht": self.tr("Avg. handle time"), "timed_out": self.tr("Timed out"),
            "callbacks": self.tr("Callbacks owed"), "overdue": self.tr("Callbacks overdue")}
        for name, text in captions.items():
            self.metrics[name].caption.setText(text)


class QueuesBoard(QScrollArea):
    """The tiles, three across (more topics scroll).

    Attributes:
        tiles: by topic key.
    """

    COLUMNS = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: dict[str, QueueTile] = {}
        self._inner = QWidget()
        self._grid = QGridLayout(self._inner)
        self._grid.setContentsMargins(8, 8, 8, 8)
        self._grid.setSpacing(10)
        self._empty = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self._grid.addWidget(self._empty, 0, 0)
        self.setWidget(self._inner)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.retranslate()

    def set_queues(self, queues: Mapping[str, Row], language: str, now: datetime) -> None:
        """Tiles for these queue rows: new topics get one, gone topics lose theirs."""
        order = sorted(queues, key=lambda key: sort_key(queues[key]))
        titles = [tile.title.text() for tile in self.tiles.values()]
        if list(self.tiles) != order:
            self._relayout(order)
        for key in order:
            self.tiles[key].set_row(queues[key], language, now)
        if titles != [tile.title.text() for tile in self.tiles.values()]:
            QTimer.singleShot(0, self.align_titles)

    def align_titles(self) -> None:
        align_titles(self.tiles.values())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self.align_titles)  # once the tiles have their new width

    def _relayout(self, order: list[str]) -> None:
        for key in [k for k in self.tiles if k not in order]:
            self.tiles.pop(key).deleteLater()
        for key in order:
            if key not in self.tiles:
                self.tiles[key] = QueueTile(key)
                self.tiles[key].retranslate()
        while self._grid.count():
            self._grid.takeAt(0)
        for n, key in enumerate(order):
            self._grid.addWidget(self.tiles[key], n // self.COLUMNS, n % self.COLUMNS)
        columns = min(self.COLUMNS, max(1, len(order)))
        for c in range(self.COLUMNS):
            self._grid.setColumnStretch(c, 1 if c < columns else 0)
        self._grid.setRowStretch(len(order) // self.COLUMNS + 1, 1)
        self._empty.setVisible(not order)
        if not order:
            self._grid.addWidget(self._empty, 0, 0)

    def refresh(self, now: datetime) -> dict[str, QueueLevel]:
        return {key: tile.refresh(now) for key, tile in self.tiles.items()}

    def retranslate(self) -> None:
        self._empty.setText(self.tr("No queues to show yet: the board arrives from the hub."))
        for tile in self.tiles.values():
            tile.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def align_titles(tiles: Iterable[Any]) -> None:
    """Every tile's title band (its `title` label) as tall as the tallest — a long topic name
    wraps to three lines — so the numbers of tiles side by side line up."""
    tiles = list(tiles)
    height = max((t.title.heightForWidth(max(1, t.title.width())) for t in tiles), default=0)
    for tile in tiles:
        tile.title.setMinimumHeight(height)
