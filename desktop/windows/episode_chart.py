"""A home-treatment episode's readings over the days of illness (QtCharts): SpO2 on the left
axis, breathing and temperature on the right one, each check-in's level as a point of its colour
on the SpO2 line, and a red ring where a check-in alerted (a red level, or the last check-in when
it is worse than the one before). The days count from the positive test, as the nurse says them
("day 5"), so the picture reads the same on any PC's time zone."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QEvent, QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from desktop.forms.triage_view import LEVEL_COLOURS
from desktop.models import LOCAL_TZ, format_time, local_time, triage_label
from desktop.windows.monitoring_text import temperature_text, value

LINES = {"spo2": "#1565c0", "respiratory_rate": "#6a1b9a", "temperature": "#8d6e63"}
LEVELS = ("green", "yellow", "orange", "red")
ALERT_RING, ALERT_FILL = "#b71c1c", "#33b71c1c"  # a ring, a pale red inside (#AARRGGBB)


def _line(colour: str, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QLineSeries:
    series = QLineSeries()
    pen = QPen(QColor(colour))
    pen.setWidthF(2.5)
    pen.setStyle(style)
    series.setPen(pen)
    series.setPointsVisible(True)
    return series


def _dots(fill: str, size: float, border: str = "#ffffff", width: float = 1.0) -> QScatterSeries:
    series = QScatterSeries()
    series.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeCircle)
    series.setMarkerSize(size)
    series.setColor(QColor(fill))
    pen = QPen(QColor(border))
    pen.setWidthF(width)
    series.setPen(pen)
    return series


def illness_day(at: object, first_day: date) -> float | None:
    """A reading's time as a day of illness: day 1 is `first_day` (midnight to midnight in Cà
    Mau), 5.5 is noon of day 5."""
    moment = local_time(at)
    if moment is None:
        return None
    start = datetime.combine(first_day, time(0), LOCAL_TZ)
    return (moment - start).total_seconds() / 86_400 + 1


def first_day_of(episode: Mapping[str, Any], readings: Sequence[Mapping[str, Any]]) -> date:
    """The day of the positive test, else the day of the first reading (else today)."""
    positive = episode.get("positive_date")
    if isinstance(positive, str):
        try:
            return date.fromisoformat(positive)
        except ValueError:
            pass
    moments = [m for r in readings if (m := local_time(r.get("at"))) is not None]
    return min(moments).date() if moments else datetime.now(LOCAL_TZ).date()


class EpisodeChart(QChartView):
    """The readings' chart.

    Attributes:
        lines: the SpO2, breathing and temperature lines, by reading key.
        levels: the check-ins' levels as points on the SpO2 line, by level.
        alerts: a ring on each check-in that alerted.
        day_axis, spo2_axis, vitals_axis: the axes (days of illness; %; per minute and °C).
        readings: what is drawn, oldest first, with its day of illness.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        self.chart_ = QChart()
        super().__init__(self.chart_, parent)
        chart = self.chart_
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(2, 2, 2, 2))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(420, 300)
        self.readings: list[tuple[float, Mapping[str, Any]]] = []
        self.lines = {"spo2": _line(LINES["spo2"]),
                      "respiratory_rate": _line(LINES["respiratory_rate"]),
                      "temperature": _line(LINES["temperature"], Qt.PenStyle.DashLine)}
        self.levels = {level: _dots(LEVEL_COLOURS[level][0], 12.0 if level != "red" else 14.0)
                       for level in LEVELS}
        self.alerts = _dots(ALERT_FILL, 24.0, ALERT_RING, 3.0)
        self.day_axis, self.spo2_axis, self.vitals_axis = QValueAxis(), QValueAxis(), \
            QValueAxis()
        self.day_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        self.day_axis.setTickAnchor(1)
        self.day_axis.setTickInterval(1)
        self.day_axis.setLabelFormat("%d")
        self.spo2_axis.setLabelFormat("%d")
        self.spo2_axis.setLinePenColor(QColor(LINES["spo2"]))
        self.vitals_axis.setLabelFormat("%d")
        self.vitals_axis.setLinePenColor(QColor(LINES["respiratory_rate"]))
        chart.addAxis(self.day_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.spo2_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.vitals_axis, Qt.AlignmentFlag.AlignRight)
        for key, series in self.lines.items():
            self._add(series, self.spo2_axis if key == "spo2" else self.vitals_axis)
        for dots in (*self.levels.values(), self.alerts):
            self._add(dots, self.spo2_axis)
        for dots in self.levels.values():  # the level badges' colours: known without a legend
            for marker in chart.legend().markers(dots):
                marker.setVisible(False)
        self.retranslate()

    def _add(self, series: QLineSeries | QScatterSeries, axis: QValueAxis) -> None:
        self.chart_.addSeries(series)
        series.attachAxis(self.day_axis)
        series.attachAxis(axis)
        series.hovered.connect(self._hover)

    def set_episode(self, episode: Mapping[str, Any]) -> None:
        """Draw the episode's readings (`readings`, oldest first)."""
        readings = [r for r in episode.get("readings") or [] if isinstance(r, dict)]
        first = first_day_of(episode, readings)
        self.readings = sorted(((day, r) for r in readings
                                if (day := illness_day(r.get("at"), first)) is not None),
                               key=lambda pair: pair[0])
        for key, series in self.lines.items():
            series.replace([QPointF(day, found) for day, r in self.readings
                            if (found := value(r, key)) is not None])
        low = self._spo2_range()
        for level, dots in self.levels.items():
            dots.replace([QPointF(day, self._height(r, low)) for day, r in self.readings
                          if r.get("level") == level])
        last = self.readings[-1][1] if self.readings else None
        alerted = bool(episode.get("alert") or episode.get("worsening"))
        self.alerts.replace([QPointF(day, self._height(r, low)) for day, r in self.readings
                             if r.get("level") == "red" or (alerted and r is last)])
        vitals = [p.y() for key in ("respiratory_rate", "temperature")
                  for p in self.lines[key].points()]
        self.vitals_axis.setRange(min(10.0, math.floor(min(vitals, default=10.0)) - 2),
                                  max(45.0, math.ceil(max(vitals, default=45.0)) + 2))
        self.vitals_axis.setTickCount(8)
        days = max((day for day, _r in self.readings), default=1.0)
        self.day_axis.setRange(0.5, max(math.ceil(days), 5) + 0.5)

    def _spo2_range(self) -> float:
        """From a little under the lowest SpO2 (88 % at most) to 100 %, ticks on round
        numbers; the bottom."""
        spo2 = [p.y() for p in self.lines["spo2"].points()]
        span = 100 - min(88.0, math.floor(min(spo2, default=100.0)) - 2)
        step = 2 if span <= 16 else 5 if span <= 40 else 10
        span = math.ceil(span / step) * step
        self.spo2_axis.setRange(100 - span, 100)
        self.spo2_axis.setTickCount(int(span / step) + 1)
        return 100.0 - span

    @staticmethod
    def _height(reading: Mapping[str, Any], low: float) -> float:
        """Where a level's point sits: on the SpO2 line, or at the bottom without one."""
        found = value(reading, "spo2")
        return found if found is not None else low + 0.5

    def _hover(self, point: QPointF, state: bool) -> None:
        if not state or not self.readings:
            QToolTip.hideText()
            return
        day, reading = min(self.readings, key=lambda pair: abs(pair[0] - point.x()))
        lines = [self.tr("Day %1, %2").replace("%1", str(math.floor(day))).replace(
            "%2", format_time(reading.get("at")))]
        for key, label in (("spo2", "SpO2 %1 %"), ("respiratory_rate", self.tr("Breathing: "
                                                                              "%1 a minute"))):
            found = value(reading, key)
            if found is not None:
                lines.append(label.replace("%1", f"{found:g}"))
        temperature = temperature_text(value(reading, "temperature"))
        if temperature:
            lines.append(self.tr("Temperature: %1").replace("%1", temperature))
        if reading.get("level"):
            lines.append(self.tr("Level: %1").replace("%1", triage_label(reading["level"])))
        QToolTip.showText(QCursor.pos(), "\n".join(lines), self)

    def retranslate(self) -> None:
        self.lines["spo2"].setName(self.tr("SpO2 (%)"))
        self.lines["respiratory_rate"].setName(self.tr("Breathing (a minute)"))
        self.lines["temperature"].setName(self.tr("Temperature (°C)"))
        for level, dots in self.levels.items():
            dots.setName(triage_label(level))
        self.alerts.setName(self.tr("Alert"))
        self.day_axis.setTitleText(self.tr("Day of illness (since the positive test)"))
        self.spo2_axis.setTitleText("SpO2 (%)")
        self.vitals_axis.setTitleText(self.tr("Breathing / temperature"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
