"""Table cells painted beyond text: a triage level as a badge in its colour (the callbacks,
the urgent declarations, the monitoring tables), and the bold font overdue rows use."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from desktop.forms.triage_view import LEVEL_COLOURS
from desktop.models import LEVEL_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex


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
