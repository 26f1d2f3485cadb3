"""The intraday chart: per quarter hour of today (the site's local day), the calls offered as
stacked bars (answered, abandoned, the rest: short abandons, timed out, still waiting), the
service level as a line on a second axis (0–100 %), and last week's same weekday offered as a
dashed line; for all topics summed or one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from PySide6.QtCharts import (
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QEvent, QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolTip, QVBoxLayout, QWidget

from desktop.models import local_time
from desktop.windows.lead_models import QUARTERS, Intraday, Row, intraday, quarter_label
from desktop.windows.lead_queues import sort_key

COLOURS = {"answered": "#43a047", "abandoned": "#e53935", "other": "#b0bec5",
           "service_level": "#6a1b9a", "last_week": "#1565c0"}
BARS = ("answered", "abandoned", "other")


def _series(colour: str, width: float = 2.0,
            style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QLineSeries:
    series = QLineSeries()
    pen = QPen(QColor(colour))
    pen.setWidthF(width)
    pen.setStyle(style)
    series.setPen(pen)
    return series


def time_axis() -> QCategoryAxis:
    """00:00 … 23:45 in quarter hours, a label every two hours."""
    axis = QCategoryAxis()
    axis.setRange(0, QUARTERS - 1)
    axis.setStartValue(0)
    for hour in range(0, 24, 2):
        axis.append(f"{hour:02d}:00", hour * 4)
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    axis.setGridLineVisible(True)
    return axis


class IntradayView(QWidget):
    """The chart and its topic selector.

    Attributes:
        topic_box: all topics (None) or one.
        chart: the chart; bars: its stacked bar sets by name (answered, abandoned, other: the
            offered calls neither); series: its lines (service_level, last_week).
        day: the numbers drawn, for the selected topic(s).
        summary: today so far in one line.
    """

    def __init__(self, now: Callable[[], datetime], topic_name: Callable[[str | None], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now, self._topic_name = now, topic_name
        self._queues: Mapping[str, Row] = {}
        self._today: Mapping[str, Row] = {}
        self._last_week: Mapping[str, Row] = {}
        self.day: Intraday | None = None
        self.topic_box = QComboBox()
        self.topic_box.setMinimumWidth(360)
        self.topic_box.currentIndexChanged.connect(lambda _n: self.redraw())
        self._topic_label, self.summary = QLabel(), QLabel(wordWrap=True)
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.bars = {name: QBarSet("") for name in BARS}
        self.bar_series = QStackedBarSeries()
        self.bar_series.setBarWidth(0.85)
        for name, bar in self.bars.items():
            bar.setColor(QColor(COLOURS[name]))
            bar.setBorderColor(QColor(COLOURS[name]))
            self.bar_series.append(bar)
        self.series = {"last_week": _series(COLOURS["last_week"], 2.0, Qt.PenStyle.DashLine),
                       "service_level": _series(COLOURS["service_level"], 2.5)}
        self.time_axis, self.count_axis = time_axis(), QValueAxis()
        self.count_axis.setLabelFormat("%d")
        self.count_axis.setMin(0)
        self.pct_axis = QValueAxis()
        self.pct_axis.setRange(0, 100)
        self.pct_axis.setLabelFormat("%d%%")
        self.pct_axis.setLinePenColor(QColor(COLOURS["service_level"]))
        self.chart.addAxis(self.time_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.count_axis, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(self.pct_axis, Qt.AlignmentFlag.AlignRight)
        self.chart.addSeries(self.bar_series)
        self.bar_series.attachAxis(self.time_axis)
        self.bar_series.attachAxis(self.count_axis)
        self.bar_series.hovered.connect(lambda state, index, _bar: self._hover(state, index))
        for name, series in self.series.items():
            self.chart.addSeries(series)
            series.attachAxis(self.time_axis)
            series.attachAxis(self.pct_axis if name == "service_level" else self.count_axis)
            series.hovered.connect(lambda point, state: self._hover(state, round(point.x())))
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        top = QHBoxLayout()
        top.addWidget(self._topic_label)
        top.addWidget(self.topic_box)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.chart_view, 1)
        self.retranslate()

    def set_board(self, queues: Mapping[str, Row], today: Mapping[str, Row],
                  last_week: Mapping[str, Row]) -> None:
        """The board's sections; drawn again only when the quarter hours changed."""
        if list(queues) != list(self._queues):
            self._queues = queues
            self._fill_topics()
        self._queues = queues
        if today == self._today and last_week == self._last_week and self.day is not None:
            return
        self._today, self._last_week = today, last_week
        self.redraw()

    def _fill_topics(self) -> None:
        chosen = self.topic_box.currentData()
        self.topic_box.blockSignals(True)
        self.topic_box.clear()
        self.topic_box.addItem(self.tr("All topics"), None)
        for key in sorted(self._queues, key=lambda k: sort_key(self._queues[k])):
            self.topic_box.addItem(self._topic_name(key), key)
        self.topic_box.setCurrentIndex(max(0, self.topic_box.findData(chosen)))
        self.topic_box.blockSignals(False)
        self.redraw()

    def now_quarter(self) -> int:
        moment = local_time(self._now())
        return QUARTERS - 1 if moment is None else moment.hour * 4 + moment.minute // 15

    def redraw(self) -> None:
        topic = self.topic_box.currentData()
        day = self.day = intraday(self._today, self._last_week,
                                  topic if isinstance(topic, str) else None)
        upto = self.now_quarter() + 1  # today's later quarters are not zero: they are to come
        other = [max(0, o - a - b) for o, a, b in zip(day.offered, day.answered, day.abandoned,
                                                      strict=True)]
        for name, values in (("answered", day.answered), ("abandoned", day.abandoned),
                             ("other", other)):
            bar = self.bars[name]
            bar.remove(0, bar.count())
            bar.append([float(v) for v in values[:upto]])
        self.series["service_level"].replace([QPointF(q, level) for q in range(upto)
                                              if (level := day.service_level[q]) is not None])
        busy = [q for q, n in enumerate(day.last_week_offered) if n]
        self.series["last_week"].replace(  # from its first call to its last: not the nights
            [QPointF(q, day.last_week_offered[q]) for q in range(busy[0], busy[-1] + 1)]
            if busy else [])
        top = max([*day.offered, *day.last_week_offered, 4])
        self.count_axis.setRange(0, top + max(1, top // 8))
        self.count_axis.applyNiceNumbers()
        self._summarise(day, upto)

    def _summarise(self, day: Intraday, upto: int) -> None:
        self.summary.setText(self.tr(
            "Today so far: %1 offered, %2 answered, %3 abandoned; same time last week: %4 "
            "offered").replace("%1", str(sum(day.offered))).replace(
            "%2", str(sum(day.answered))).replace("%3", str(sum(day.abandoned))).replace(
            "%4", str(sum(day.last_week_offered[:upto]))))

    def _hover(self, state: bool, quarter: int) -> None:
        if not state or self.day is None:
            QToolTip.hideText()
            return
        q = max(0, min(QUARTERS - 1, quarter))
        day, level = self.day, self.day.service_level[q]
        text = "\n".join((
            f"{quarter_label(q)}–{quarter_label((q + 1) % QUARTERS)}",
            self.tr("Offered: %1").replace("%1", str(day.offered[q])),
            self.tr("Answered: %1").replace("%1", str(day.answered[q])),
            self.tr("Abandoned: %1").replace("%1", str(day.abandoned[q])),
            self.tr("Service level: %1").replace(
                "%1", "—" if level is None else f"{level:.0f}%"),
            self.tr("Offered last week: %1").replace("%1", str(day.last_week_offered[q]))))
        QToolTip.showText(QCursor.pos(), text, self.chart_view)

    def retranslate(self) -> None:
        self._topic_label.setText(self.tr("Topic:"))
        self.bars["answered"].setLabel(self.tr("Answered"))
        self.bars["abandoned"].setLabel(self.tr("Abandoned"))
        self.bars["other"].setLabel(self.tr("Other offered (short abandon, timed out, waiting)"))
        self.series["last_week"].setName(self.tr("Offered, same day last week"))
        self.series["service_level"].setName(self.tr("Service level (%, right axis)"))
        self.count_axis.setTitleText(self.tr("Calls per 15 minutes"))
        self.pct_axis.setTitleText(self.tr("Service level"))
        self.chart.setTitle(self.tr("Today by quarter hour (local time)"))
        self._fill_topics()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
