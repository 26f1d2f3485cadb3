"""A patient's home-treatment episode in one window: who and where, the day of illness, the plan's
check-in times and the state; the readings over the days as a chart and as a table; why the last
check-in is worse; and the end of the monitoring (a state, a note, one confirmation, then
`episode_close`; a refusal is shown as the hub said it). Opened from a check-in callback, the
screen-pop's banner and the lead's cohort (EpisodeOpener); what the hub sends is shown as text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
from desktop.forms.triage_view import LEVEL_COLOURS
from desktop.models import Clock, age_text, format_date, format_time, triage_label, utc_now
from desktop.windows import monitoring_text as mt
from desktop.windows.badges import TriageBadges
from desktop.windows.episode_chart import EpisodeChart, first_day_of
from desktop.windows.episode_parts import ReadingsModel
from desktop.windows.labels import error_text, plain_text
from desktop.windows.tables import history_table
from protocol.messages import Error, Reply

RED = "color: #c62828;"
NOTE_LIMIT = 2000  # protocol/monitoring.py EpisodeClose.note


def level_badge(label: QLabel, level: str | None) -> None:
    """A label as the level's badge (grey without one)."""
    background, text = LEVEL_COLOURS.get(level or "", ("#e0e0e0", "#424242"))
    label.setText(triage_label(level) or "—")
    label.setStyleSheet(f"QLabel {{ background: {background}; color: {text}; border-radius: 4px;"
                        " padding: 2px 10px; font-weight: bold; }")


class EpisodeDialog(QDialog):
    """One episode, read with `episode_get` and ended with `episode_close`.

    Attributes:
        episode: the episode as the hub last described it (its view), or None.
        chart, readings, table: the readings drawn, and listed (newest first).
        who, facts, reasons, ended, message: the texts (plain).
        state_box, note, close_button: the end of the monitoring.

    Signals:
        closed(dict): the hub ended the episode (its view, as it is now).
    """

    closed = Signal(dict)

    def __init__(self, connection: HubConnection, clock: Clock = utc_now,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection, self._clock = connection, clock
        self.episode: dict[str, Any] | None = None
        self.who = plain_text(QLabel(wordWrap=True))
        self.who.setStyleSheet("font-size: 13pt; font-weight: 700;")
        self.badge, self.facts = QLabel(), plain_text(QLabel(wordWrap=True))
        self.reasons, self.ended = plain_text(QLabel(wordWrap=True)), \
            plain_text(QLabel(wordWrap=True))
        self.reasons.setStyleSheet(RED + " font-weight: 600;")
        self.chart = EpisodeChart()
        self.readings = ReadingsModel(self)
        self.table: QTableView = history_table(self.readings)
        self.table.setItemDelegate(TriageBadges(self.table))
        header = self.table.horizontalHeader()  # headers of two lines: narrow columns
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self._close_label, self.state_box = QLabel(), QComboBox()
        self.note = QLineEdit(maxLength=NOTE_LIMIT)
        self.close_button = QPushButton()
        self.close_button.setStyleSheet("font-weight: 600;")
        self.close_button.clicked.connect(self.close_episode)
        self.message = plain_text(QLabel(wordWrap=True))
        self._layout()
        self.retranslate()
        self.resize(1280, 690)  # inside 1366×768 with its frame

    def _layout(self) -> None:
        top = QGridLayout()
        top.addWidget(self.who, 0, 0, 1, 2)
        top.addWidget(self.badge, 1, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.facts, 1, 1)
        top.addWidget(self.reasons, 2, 0, 1, 2)
        top.addWidget(self.ended, 3, 0, 1, 2)
        top.setColumnStretch(1, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.chart)
        split.addWidget(self.table)
        split.setSizes([620, 640])
        split.setChildrenCollapsible(False)
        self._close_row = QWidget()
        row = QHBoxLayout(self._close_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._close_label)
        row.addWidget(self.state_box)
        row.addWidget(self.note, 1)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self._close_row)
        layout.addWidget(self.message)

    # -- reading ----------------------------------------------------------------------

    def load(self, episode_id: int | None = None, case_id: int | None = None) -> str:
        """Ask the hub for the episode (by id, or a case's); shown when it answers."""
        if episode_id is None or episode_id != (self.episode or {}).get("id"):
            self._blank()  # another patient's: never shown under this one's name
        self._close_row.setEnabled(False)  # not the one on screen while another comes
        self.say(self.tr("Loading the episode…"))
        return self._connection.episode_get(self._on_loaded, episode_id=episode_id,
                                            case_id=case_id)

    def _on_loaded(self, answer: Reply | Error) -> None:
        self._close_row.setEnabled(True)
        if isinstance(answer, Error):
            self.say(error_text(answer.code, answer.message), error=True)
            return
        episode = answer.data.get("episode")
        if not isinstance(episode, dict):
            self.say(self.tr("This patient has no home-monitoring episode."), error=True)
            return
        self.show_episode(episode)
        self.message.clear()

    def show_episode(self, episode: dict[str, Any]) -> None:
        """Every part from the hub's view of the episode."""
        self.episode = episode
        self.chart.set_episode(episode)
        self.readings.first_day = first_day_of(episode, list(episode.get("readings") or []))
        self.readings.set_rows(list(reversed([r for r in episode.get("readings") or []
                                              if isinstance(r, dict)])))
        self._show_texts()

    def _blank(self) -> None:
        self.episode = None
        self.chart.set_episode({})
        self.readings.set_rows([])
        for label in (self.who, self.facts, self.reasons, self.ended, self.badge):
            label.clear()
        self.badge.setStyleSheet("")
        self.reasons.hide()
        self.ended.hide()
        self._close_row.hide()

    def _show_texts(self) -> None:
        episode = self.episode or {}
        name = str(episode.get("person_name") or self.tr("(no name)"))
        parts = [name]
        year = episode.get("birth_year")
        if isinstance(year, int):
            age = age_text(year, self._clock())
            parts.append(self.tr("born %1").replace("%1", str(year)) + (f" ({age})" if age
                                                                         else ""))
        parts += [str(episode[key]) for key in ("unit", "case_code") if episode.get(key)]
        self.who.setText(" · ".join(parts))
        level_badge(self.badge, mt.level_of(episode))
        self.facts.setText(" · ".join(p for p in self._facts(episode) if p))
        self.reasons.setText(mt.reasons_text(episode))
        self.reasons.setVisible(bool(self.reasons.text()))
        active = episode.get("state") == "active"
        ended = "" if active or not episode else self.tr("Ended %1: %2").replace(
            "%1", format_time(episode.get("ended_at"))).replace(
            "%2", mt.state_label(episode.get("state")))
        if ended and episode.get("end_note"):
            ended += f" — {episode['end_note']}"
        self.ended.setText(ended)
        self.ended.setVisible(bool(ended))
        self._close_row.setVisible(active)
        self.setWindowTitle(self.tr("Home monitoring — %1").replace("%1", name))

    def _facts(self, episode: Mapping[str, Any]) -> list[str]:
        day, positive = mt.day_text(episode), format_date(episode.get("positive_date"))
        if day and positive:
            day += " " + self.tr("(positive on %1)").replace("%1", positive)
        facts = [mt.state_label(episode.get("state")), day]
        plan = mt.plan_text(episode)
        if plan:
            facts.append(self.tr("check-ins at %1").replace("%1", plan))
        done = episode.get("check_ins")
        if isinstance(done, int):
            facts.append(self.tr("%1 check-ins recorded").replace("%1", str(done)))
        if episode.get("state") == "active" and episode.get("next_due_at"):
            facts.append(self.tr("next %1").replace("%1", format_time(episode["next_due_at"])))
        facts.append(mt.late_text(episode))
        return facts

    # -- ending -----------------------------------------------------------------------

    def close_episode(self) -> str | None:
        """After one confirmation, ask the hub to end the episode with the state chosen;
        the request's id, or None (nothing chosen, or the nurse stepped back)."""
        episode, state = self.episode or {}, self.state_box.currentData()
        if not isinstance(episode.get("id"), int):
            return None
        if state not in mt.END_STATES:
            self.say(self.tr("Choose how the monitoring ends first."), error=True)
            return None
        if not self._confirm(str(state)):
            return None
        self.close_button.setEnabled(False)
        self.say(self.tr("Ending the monitoring…"))
        return self._connection.episode_close(episode["id"], str(state),
                                              self.note.text().strip(), self._on_closed)

    def _confirm(self, state: str) -> bool:
        """The end is for good (the check-ins owed are cancelled): one more click, going back
        the default."""
        name = str((self.episode or {}).get("person_name") or "")
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("End the monitoring"),
                          self.tr("End the home monitoring of %1 as \u201c%2\u201d? The "
                                  "check-ins still owed are cancelled.").replace(
                              "%1", name).replace("%2", mt.state_label(state)), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the name is the patient's, as typed
        end = box.addButton(self.tr("End the monitoring"), QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton(self.tr("Go back"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.exec()
        return box.clickedButton() is end

    def _on_closed(self, answer: Reply | Error) -> None:
        self.close_button.setEnabled(True)
        if isinstance(answer, Error):
            self.say(error_text(answer.code, answer.message), error=True)
            return
        episode = answer.data.get("episode")
        if isinstance(episode, dict):
            self.show_episode(episode)
        self.say(self.tr("The monitoring has ended: %1.").replace(
            "%1", mt.state_label((self.episode or {}).get("state"))))
        self.closed.emit(dict(self.episode or {}))

    def say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(RED if error else "color: #1b5e20;")
        self.message.setText(text)

    def retranslate(self) -> None:
        chosen = self.state_box.currentData()
        self.state_box.clear()
        for state in mt.END_STATES:
            self.state_box.addItem(mt.state_label(state), state)
        self.state_box.setPlaceholderText(self.tr("Choose the outcome"))
        self.state_box.setCurrentIndex(self.state_box.findData(chosen))
        self._close_label.setText(self.tr("End the monitoring:"))
        self.note.setPlaceholderText(self.tr("Note (why, where to, by whom)"))
        self.close_button.setText(self.tr("End the monitoring…"))
        self.readings.retranslate()
        self.chart.retranslate()
        if self.episode is not None:
            self._show_texts()
        else:
            self.setWindowTitle(self.tr("Home monitoring"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class EpisodeOpener(QObject):
    """Opens the episode window (one per opener, reused) and passes on its end.

    Attributes:
        dialog: the window, once opened.

    Signals:
        closed(dict): an episode was ended from the window.
    """

    closed = Signal(dict)

    def __init__(self, connection: HubConnection, owner: QWidget,
                 clock: Clock = utc_now) -> None:
        super().__init__(owner)
        self._connection, self._owner, self._clock = connection, owner, clock
        self.dialog: EpisodeDialog | None = None

    def open(self, episode_id: int | None = None, case_id: int | None = None) -> EpisodeDialog:
        if self.dialog is None:
            self.dialog = EpisodeDialog(self._connection, self._clock, self._owner.window())
            self.dialog.closed.connect(self.closed)
        self.dialog.load(episode_id=episode_id, case_id=case_id)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog
