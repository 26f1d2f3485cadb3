"""The smaller parts of a home-treatment episode's display: its readings as a table model, and
the screen-pop's banner that says a caller is being monitored at home (and opens the chart)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.i18n import QT_TRANSLATE_NOOP
from desktop.models import LEVEL_ROLE, Column, DictTableModel, local_time, triage_label
from desktop.windows import monitoring_text as mt
from desktop.windows.labels import plain_text


def _tr(text: str) -> str:
    return QCoreApplication.translate("Models", text)  # DictTableModel's headers' context


def _when(row: dict[str, Any]) -> str:
    moment = local_time(row.get("at"))
    return moment.strftime("%d/%m %H:%M") if moment else ""


def _measure(key: str) -> Column:
    headers = {"spo2": QT_TRANSLATE_NOOP("Models", "SpO2\n(%)"),
               "respiratory_rate": QT_TRANSLATE_NOOP("Models", "Breathing\n(a minute)"),
               "temperature": QT_TRANSLATE_NOOP("Models", "Temp.\n(°C)")}
    return Column(headers[key], lambda row: f"{found:g}" if (found := mt.value(row, key))
                  is not None else "")


class ReadingsModel(DictTableModel):
    """An episode's check-ins, one a row (the order given: the dialog puts the newest first);
    the level painted as a badge (LEVEL_ROLE)."""

    LEVEL_COLUMN, CENTRED = 6, (1, 3, 4, 5, 7, 8)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([
            Column(QT_TRANSLATE_NOOP("Models", "Time"), _when),
            Column(QT_TRANSLATE_NOOP("Models", "Day of\nillness"), self._day_text),
            Column(QT_TRANSLATE_NOOP("Models", "From"), lambda row: mt.source_label(
                row.get("source"))),
            _measure("spo2"), _measure("respiratory_rate"), _measure("temperature"),
            Column(QT_TRANSLATE_NOOP("Models", "Level"), lambda row: triage_label(
                row.get("level"))),
            Column(QT_TRANSLATE_NOOP("Models", "Danger\nsigns"), _flags_text),
            Column(QT_TRANSLATE_NOOP("Models", "Negative\ntest"), lambda row: _tr(
                QT_TRANSLATE_NOOP("Models", "yes")) if row.get("negative_test") else ""),
        ], parent)
        self.first_day: date | None = None

    def _day_text(self, row: dict[str, Any]) -> str:
        moment = local_time(row.get("at"))
        if moment is None or self.first_day is None:
            return ""
        return str((moment.date() - self.first_day).days + 1)

    def style_data(self, row: dict[str, Any], column: int, role: int) -> Any:
        if column == self.LEVEL_COLUMN and role == LEVEL_ROLE:
            return row.get("level")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.CENTRED:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


def _flags_text(row: dict[str, Any]) -> str:
    flags = row.get("red_flags")
    return str(flags) if isinstance(flags, int) and not isinstance(flags, bool) and flags \
        else ""


class EpisodeBanner(QFrame):
    """A line above the caller's history: "Home monitoring: day 5 · SpO2 95 ↓ · check-in 4",
    why it is worse (in red), and the button that opens the chart. Hidden without an episode.

    Attributes:
        text, button: its parts; episode: the summary shown, or None.

    Signals:
        open_requested(int): the episode's id, to open.
    """

    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("episodeBanner")
        self.episode: dict[str, Any] | None = None
        self.text = plain_text(QLabel(wordWrap=True))
        self.button = QPushButton()
        self.button.clicked.connect(self._open)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 3, 4, 3)
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        self.set_episode(None)

    def set_episode(self, episode: dict[str, Any] | None) -> None:
        self.episode = episode if isinstance(episode, dict) and episode else None
        self.retranslate()

    def _open(self) -> None:
        if self.episode is not None and isinstance(self.episode.get("id"), int):
            self.open_requested.emit(self.episode["id"])

    def retranslate(self) -> None:
        self.button.setText(self.tr("Chart…"))
        self.button.setToolTip(self.tr("The readings of every check-in, over the days"))
        episode = self.episode
        self.setVisible(episode is not None)
        if episode is None:
            self.text.clear()
            return
        worse = mt.reasons_text(episode)
        self.text.setText(" — ".join(p for p in (mt.banner_text(episode), worse) if p))
        background, colour = ("#fde2e1", "#b71c1c") if mt.alarming(episode) else \
            ("#e3f2fd", "#0d47a1")
        self.setStyleSheet(f"#episodeBanner {{ background: {background}; border-radius: 3px; }}"
                           f"#episodeBanner QLabel {{ color: {colour}; font-weight: 600; }}")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
