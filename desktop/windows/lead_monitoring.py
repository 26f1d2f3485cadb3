"""The lead's "home monitoring" tab: the patients treated at home in the lead's topics, by
commune (monitored, due today, overdue, worse, recovered, moved to a facility) and one by one
(day of illness, level, last SpO2 and its trend, next check-in, missed ones, the nurse, why
worse). Read with `monitoring_cohort` when the tab is shown and every 30 s while it is: no push
carries it (check-ins change a few times a day, not a second). Choosing a commune keeps its
patients; a double click opens the patient's episode (chart, readings, end)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
from desktop.models import format_time
from desktop.windows.badges import TriageBadges
from desktop.windows.episode import EpisodeOpener
from desktop.windows.labels import error_text, plain_text
from desktop.windows.lead_agents import board_table, fit_headers
from desktop.windows.lead_models import number
from desktop.windows.lead_monitoring_models import (
    PatientsModel,
    PatientsProxy,
    UnitsModel,
)
from desktop.windows.lead_tables import KEY_ROLE, BoardProxy
from protocol.messages import Error, Reply

READ_EVERY_MS = 30_000
UNIT_WIDTHS = (260, 120, 120, 110, 110, 110, 150)
PATIENT_WIDTHS = (120, 165, 60, 135, 50, 80, 85, 125, 140, 140, 160)


class MonitoringView(QWidget):
    """The cohort by commune above, its patients below.

    Attributes:
        units, units_proxy, units_view: the communes, sorted, and their table.
        patients, patients_proxy, patients_view: the patients, sorted and filtered (by words,
            by the commune chosen), and their table.
        summary, filter_box, all_button, refresh_button: the band above the tables.
        timer: the read every 30 s while the tab is in sight.
        episodes: the episode window a double click opens.
        read_at: when the hub last answered (the hub's clock), or None.
    """

    def __init__(self, connection: HubConnection, now: Callable[[], datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection, self._now = connection, now
        self._asking: str | None = None  # a read in flight: the next waits for its answer
        self._error = ""
        self.read_at: datetime | None = None
        self.units = UnitsModel(self)
        self.units_proxy = BoardProxy(self.units, self)
        self.units_view = board_table(self.units_proxy, UNIT_WIDTHS, stretch=0)
        self.units_view.sortByColumn(UnitsModel.OVERDUE, Qt.SortOrder.DescendingOrder)
        self.units_view.selectionModel().selectionChanged.connect(self._on_unit)
        self.patients = PatientsModel(now, self)
        self.patients_proxy = PatientsProxy(self.patients, self)
        self.patients_view = board_table(self.patients_proxy, PATIENT_WIDTHS,
                                         stretch=PatientsModel.WORSE)
        self.patients_view.setItemDelegate(TriageBadges(self.patients_view))
        self.patients_view.verticalHeader().setDefaultSectionSize(30)
        self.patients_view.sortByColumn(PatientsModel.LEVEL, Qt.SortOrder.AscendingOrder)
        self.patients_view.doubleClicked.connect(self._open)
        self.episodes = EpisodeOpener(connection, self, now)
        self.episodes.closed.connect(lambda _episode: self.refresh())
        self.timer = QTimer(self, interval=READ_EVERY_MS)
        self.timer.timeout.connect(self.refresh)
        self._build()
        self.retranslate()

    def _build(self) -> None:
        self.summary = plain_text(QLabel(wordWrap=True))
        self.filter_box = QLineEdit(clearButtonEnabled=True)
        self.filter_box.setMinimumWidth(300)
        self.filter_box.textChanged.connect(self.patients_proxy.set_words)
        self.all_button, self.refresh_button = QPushButton(), QPushButton()
        self.all_button.clicked.connect(self.units_view.clearSelection)
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        self._patients_title = plain_text(QLabel())
        self._patients_title.setStyleSheet("font-weight: 600;")
        middle = QHBoxLayout()
        middle.addWidget(self._patients_title, 1)
        middle.addWidget(self.filter_box)
        middle.addWidget(self.all_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(middle)
        lower_layout.addWidget(self.patients_view, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.units_view)
        split.addWidget(lower)
        split.setSizes([210, 420])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    # -- reading ----------------------------------------------------------------------

    def refresh(self) -> str | None:
        """Ask the hub for the cohort (not while a read is still unanswered)."""
        if self._asking is not None:
            return None
        self._asking = self._connection.monitoring_cohort(self._on_cohort)
        return self._asking

    def _on_cohort(self, answer: Reply | Error) -> None:
        self._asking = None
        if isinstance(answer, Error):
            self._error = error_text(answer.code, answer.message)
        else:
            self._error = ""
            self.read_at = self._now()
            self.units.set_units(list(answer.data.get("units") or []))
            self.patients.set_patients(list(answer.data.get("patients") or []))
        self._show_summary()

    def _on_unit(self) -> None:
        chosen = self.units_view.selectionModel().selectedRows()
        self.patients_proxy.set_unit(str(chosen[0].data(KEY_ROLE)) if chosen else None)
        self._show_title()

    def _open(self, index: QModelIndex) -> None:
        source = self.patients_proxy.mapToSource(index)
        episode = self.patients.row_at(source.row()).get("id")
        if isinstance(episode, int):
            self.episodes.open(episode_id=episode)

    # -- showing ----------------------------------------------------------------------

    def _show_summary(self) -> None:
        rows = self.units.rows.values()
        total = {key: sum(number(row, key) for row in rows)
                 for key in ("active", "due_today", "overdue", "worsening")}
        text = self.tr("%1 patients monitored at home · %2 due today · %3 overdue · %4 worse") \
            .replace("%1", str(total["active"])).replace("%2", str(total["due_today"])) \
            .replace("%3", str(total["overdue"])).replace("%4", str(total["worsening"]))
        if self.read_at is not None:
            text += " — " + self.tr("read at %1").replace(
                "%1", format_time(self.read_at, date=False))
        if self._error:
            text += " — " + self._error
        elif self.read_at is None:
            text = self.tr("Reading the patients monitored at home…")
        self.summary.setText(text)
        self.summary.setStyleSheet("color: #c62828;" if self._error else "")
        self._show_title()

    def _show_title(self) -> None:
        unit = self.patients_proxy.unit
        shown = self.patients_proxy.rowCount()
        if unit is None:
            text = self.tr("Patients (%1), the most urgent first").replace("%1", str(shown))
        else:
            name = UnitsModel.unit_text(self.units.rows.get(unit, {}))
            text = self.tr("Patients of %1 (%2)").replace("%1", name).replace(
                "%2", str(shown))
        self._patients_title.setText(text)
        self.all_button.setEnabled(unit is not None)

    def retranslate(self) -> None:
        self.refresh_button.setText(self.tr("Refresh"))
        self.all_button.setText(self.tr("All communes"))
        self.filter_box.setPlaceholderText(self.tr("Filter by name, case or nurse…"))
        self.units.retranslate()
        self.patients.retranslate()
        fit_headers(self.units_view)
        fit_headers(self.patients_view)
        self._show_summary()

    def showEvent(self, event: QShowEvent) -> None:
        """The tab came into sight: read now, then every 30 s while it stays."""
        super().showEvent(event)
        self.refresh()
        self.timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
