"""The wallboard: the queue tiles alone, full screen, in type large enough to read across the
room on a TV (1920×1080). It shows only the queues' numbers (no names, no phone numbers):
it hangs where callers' relatives and visitors may pass."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.models import local_time
from desktop.windows.labels import level_label
from desktop.windows.lead_models import (
    QueueLevel,
    Row,
    format_pct,
    format_wait,
    mapping,
    number,
    queue_level,
    topic_name,
)
from desktop.windows.lead_queues import METRIC_OF, align_titles, sort_key

WALL_COLOURS = {"green": "#1b5e20", "amber": "#a35a00", "red": "#b71c1c"}
# (metric, row, column, columns spanned)
CELLS = (("waiting", 0, 0, 1), ("longest_wait", 0, 1, 1), ("service_level", 1, 0, 2),
         ("answered", 2, 0, 1), ("abandoned", 2, 1, 1), ("available", 3, 0, 1),
         ("talking", 3, 1, 1))


class WallTile(QFrame):
    """One topic on the wall.

    Attributes:
        topic, level: its key and its level at the last refresh.
        title: the topic's name.
        values, captions: its labels by metric (waiting, longest_wait, service_level,
            answered, abandoned, available, talking).
    """

    def __init__(self, topic: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.topic, self.level = topic, "green"
        self.row: Row = {}
        self._language, self._styled = "vi", ""
        self.setObjectName("wallTile")
        # the wall's grid shares the screen out; the type follows the size given
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.title = QLabel(wordWrap=True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.level_label = QLabel()  # the colour in words, for who cannot tell red from green
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(4)
        for name, row, column, span in CELLS:
            self.captions[name] = QLabel(wordWrap=True)
            self.values[name] = QLabel()
            grid.addWidget(self.captions[name], row * 2, column, 1, span)
            grid.addWidget(self.values[name], row * 2 + 1, column, 1, span)
        for column in range(2):
            grid.setColumnStretch(column, 1)
        for row in range(max(cell[1] for cell in CELLS) + 1):  # spread down the tile
            grid.setRowStretch(row * 2 + 1, 1)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 12, 28, 20)
        layout.setSpacing(2)
        layout.addWidget(self.level_label, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.title)
        layout.addSpacing(12)
        layout.addLayout(grid, 1)

    def set_row(self, row: Row, language: str, now: datetime) -> None:
        self.row, self._language = row, language
        self.refresh(now)

    def refresh(self, now: datetime) -> QueueLevel:
        row = self.row
        found = queue_level(row, now)
        self.level = found.level
        key, name = row.get("menu_key"), topic_name(row, self._language, self.topic)
        self.title.setText(f"{key} · {name}" if key else name)
        self.level_label.setText(level_label(found.level).upper())
        agents = mapping(row.get("agents"))
        texts = {"waiting": str(number(row, "waiting")),
                 "longest_wait": format_wait(found.longest_wait),
                 "service_level": format_pct(row.get("service_level_pct")),
                 "answered": str(number(row, "answered")),
                 "abandoned": str(number(row, "abandoned")),
                 "available": str(number(agents, "available")),
                 "talking": str(number(agents, "talking"))}
        for name_, text in texts.items():
            self.values[name_].setText(text)
            metric = found.metrics.get(METRIC_OF.get(name_, ""), "green")
            # the number that made the tile red is underlined: which one, at a glance
            underline = "underline" if metric != "green" and found.level != "green" else "none"
            style = f"color: white; text-decoration: {underline};"
            if self.values[name_].styleSheet() != style:
                self.values[name_].setStyleSheet(style)
        if self._styled != found.level:
            self._styled = found.level
            self.setStyleSheet(f"#wallTile {{ background: {WALL_COLOURS[found.level]}; "
                               "border-radius: 14px; } QLabel { color: white; }")
        return found

    def retranslate(self) -> None:
        captions = {"waiting": self.tr("Waiting"), "longest_wait": self.tr("Longest wait"),
                    "service_level": self.tr("Service level"),
                    "answered": self.tr("Answered today"),
                    "abandoned": self.tr("Abandoned today"),
                    "available": self.tr("Agents available"),
                    "talking": self.tr("Agents talking")}
        for name, text in captions.items():
            self.captions[name].setText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Type as large as the tile allows: a value of 88:88 fits half its width."""
        super().resizeEvent(event)
        width, height = self.width(), self.height()
        probe = QFont(self.font())
        probe.setBold(True)
        probe.setPixelSize(100)
        wide = QFontMetrics(probe).horizontalAdvance("88:88") or 300
        value = int(min(height * 0.1, 100 * (width / 2 - 40) / wide))
        value = max(24, value)
        for labels, scale, bold in ((self.values, 1.0, True), (self.captions, 0.34, False),
                                    ({"title": self.title}, 0.36, True),
                                    ({"level": self.level_label}, 0.3, True)):
            font = QFont(self.font())
            font.setPixelSize(max(12, int(value * scale)))
            font.setBold(bold)
            for label in labels.values():
                label.setFont(font)


class Wallboard(QWidget):
    """The wall's window: a header with the time, the tiles across; Esc or F11 leaves it.

    Attributes:
        tiles: by topic key.
        clock_label: the time of day (local).

    Signals:
        closed(): the wallboard was left.
    """

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.tiles: dict[str, WallTile] = {}
        self.setObjectName("wallboard")
        self.setStyleSheet("#wallboard { background: #101418; } QLabel { color: white; }")
        self.heading, self.clock_label, self.hint = QLabel(), QLabel(), QLabel()
        self.hint.setStyleSheet("color: #8a939c;")
        for label in (self.heading, self.hint):  # on a small screen these give way
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top = QHBoxLayout()
        top.addWidget(self.heading, 2)
        top.addWidget(self.hint, 1)
        top.addSpacing(24)
        top.addWidget(self.clock_label)
        self._grid = QGridLayout()
        self._grid.setSpacing(24)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 20, 32, 32)
        layout.addLayout(top)
        layout.addSpacing(12)
        layout.addLayout(self._grid, 1)
        self.retranslate()

    def set_queues(self, queues: Mapping[str, Row], language: str, now: datetime) -> None:
        order = sorted(queues, key=lambda key: sort_key(queues[key]))
        if list(self.tiles) != order:
            for key in [k for k in self.tiles if k not in order]:
                self.tiles.pop(key).deleteLater()
            for key in order:
                if key not in self.tiles:
                    self.tiles[key] = WallTile(key)
                    self.tiles[key].retranslate()
            while self._grid.count():
                self._grid.takeAt(0)
            across = min(4, max(1, len(order)))
            for n, key in enumerate(order):
                self._grid.addWidget(self.tiles[key], n // across, n % across)
            for column in range(4):
                self._grid.setColumnStretch(column, 1 if column < across else 0)
            for row in range((len(order) + across - 1) // across):
                self._grid.setRowStretch(row, 1)
        for key in order:
            self.tiles[key].set_row(queues[key], language, now)
        self.refresh(now)
        QTimer.singleShot(0, self.align_titles)

    def align_titles(self) -> None:
        align_titles(self.tiles.values())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The heading's type follows the screen's height (40 pixels on 1080 lines)."""
        super().resizeEvent(event)
        size = max(16, self.height() * 40 // 1080)
        for label, scale, bold in ((self.heading, 1.0, True), (self.clock_label, 1.0, True),
                                   (self.hint, 0.4, False)):
            font = QFont(self.font())
            font.setPixelSize(max(11, int(size * scale)))
            font.setBold(bold)
            label.setFont(font)
        QTimer.singleShot(0, self.align_titles)

    def refresh(self, now: datetime) -> None:
        for tile in self.tiles.values():
            tile.refresh(now)
        moment = local_time(now)
        self.clock_label.setText(moment.strftime("%H:%M") if moment else "")

    def texts(self) -> list[str]:
        """Every text the wall shows (what a test searches for personal data)."""
        return [label.text() for label in self.findChildren(QLabel)] + [self.windowTitle()]

    def open_full_screen(self, beside: QWidget | None = None) -> None:
        """Full screen on another screen than `beside`'s when there is one (the TV)."""
        screens = QGuiApplication.screens()
        current = beside.screen() if beside is not None else None
        target = next((s for s in screens if s is not current), None) or current or \
            QGuiApplication.primaryScreen()
        if target is not None:  # the whole screen even where no window manager makes it so
            self.setGeometry(target.geometry())
        self.showFullScreen()
        self.raise_()
        self.activateWindow()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Hotline 1022 — wallboard"))
        self.heading.setText(self.tr("Hotline 1022"))
        self.hint.setText(self.tr("Esc: leave the wallboard"))
        for tile in self.tiles.values():
            tile.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F11):
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()
