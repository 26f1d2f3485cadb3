"""A report sheet on screen: its table (sortable, headers in the user's language, numbers by
kind) and its chart (QtCharts) — bars of the series against the category, grouped or stacked at
the lead's choice, or lines; the heat map is its table, each hour coloured by how busy it was."""

from __future__ import annotations

import math

from PySide6.QtCharts import (
    QAbstractSeries,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.windows.labels import plain_text
from desktop.windows.report_models import (
    ChartData,
    Sheet,
    SheetModel,
    SheetProxy,
    chart_data,
    number_text,
)

PALETTE = ("#43a047", "#e53935", "#fb8c00", "#1e88e5", "#8e24aa", "#00897b", "#6d4c41",
           "#546e7a")
MOST_LABELS = 24  # category labels under the chart at most (the others: every n-th)
WIDEST = 240  # pixels a column takes at most at first
LEGEND = 48  # characters of a series' name in the legend (all of it in the tooltip)


def short(name: str) -> str:
    return name if len(name) <= LEGEND else name[:LEGEND - 1].rstrip() + "…"


class SheetChart(QWidget):
    """The chart of one sheet.

    Attributes:
        data: what is drawn (chart_data).
        stacked_box: bars stacked (a total made of parts) or side by side.
        chart, chart_view: the QtCharts objects; bar_sets / lines by series key: what is
            drawn now (bars for a "column" chart, lines for a "line" one).
    """

    def __init__(self, data: ChartData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = data
        self.bar_sets: dict[str, QBarSet] = {}
        self.lines: dict[str, QLineSeries] = {}
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(200)
        self.stacked_box = QCheckBox()
        self.stacked_box.setVisible(data.kind == "column" and len(data.series) > 1)
        self.stacked_box.toggled.connect(lambda _on: self.draw())
        self.note = plain_text(QLabel())
        self.note.setStyleSheet("color: #6b6b6b;")
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.stacked_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.chart_view, 1)
        self.retranslate()

    def draw(self) -> None:
        chart, data = self.chart, self.data
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.bar_sets, self.lines = {}, {}
        series: list[QAbstractSeries] = []
        if data.kind == "line":
            for n, (key, (name, values)) in enumerate(data.series.items()):
                line = QLineSeries()
                line.setName(short(name))
                line.hovered.connect(lambda point, on, key=key: self._hover(
                    on, round(point.x()), key))
                pen = QPen(QColor(PALETTE[n % len(PALETTE)]))
                pen.setWidthF(2.5)
                line.setPen(pen)
                line.append([QPointF(x, y) for x, y in enumerate(values)])
                self.lines[key] = line
                series.append(line)
        else:
            bars = QStackedBarSeries() if self.stacked_box.isChecked() else QBarSeries()
            bars.setBarWidth(0.8)
            for n, (key, (name, values)) in enumerate(data.series.items()):
                bar = QBarSet(short(name))
                bar.setColor(QColor(PALETTE[n % len(PALETTE)]))
                bar.setBorderColor(QColor(PALETTE[n % len(PALETTE)]))
                bar.append([float(v) for v in values])
                self.bar_sets[key] = bar
                bars.append(bar)
                bar.hovered.connect(lambda on, n, key=key: self._hover(on, n, key))
            series.append(bars)
        x_axis, y_axis = self._category_axis(), QValueAxis()
        y_axis.setLabelFormat("%d")
        y_axis.setRange(0, max(4.0, self._highest() * 1.1))
        y_axis.applyNiceNumbers()
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for made in series:
            chart.addSeries(made)
            made.attachAxis(x_axis)
            made.attachAxis(y_axis)

    def _hover(self, on: bool, point: int, key: str) -> None:
        """A bar or a point: its category, the series' whole name and its value."""
        name, values = self.data.series.get(key, ("", []))
        if not on or not 0 <= point < len(values):
            QToolTip.hideText()
            return
        value = values[point]
        text = number_text(value, 0 if value == int(value) else 1, self.data.language)
        QToolTip.showText(QCursor.pos(), f"{self.data.labels[point]}\n{name}: {text}",
                          self.chart_view)

    def _highest(self) -> float:
        columns = [values for _name, values in self.data.series.values()]
        if not columns or not columns[0]:
            return 0.0
        if self.stacked_box.isChecked() and self.data.kind != "line":
            return max(sum(point) for point in zip(*columns, strict=True))
        return max(max(values) for values in columns)

    def _category_axis(self) -> QCategoryAxis:
        """The categories under their bars (bar n stands at x = n), every n-th when many."""
        axis, labels = QCategoryAxis(), self.data.labels
        axis.setRange(-0.5, max(len(labels), 1) - 0.5)
        axis.setStartValue(-0.5)
        step = max(1, math.ceil(len(labels) / MOST_LABELS))
        seen: set[str] = set()
        for n in range(0, len(labels), step):
            label = labels[n] if labels[n] not in seen else f"{labels[n]} ({n + 1})"
            seen.add(label)
            axis.append(label, n + 0.5 if step == 1 else n)
        axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionCenter
                               if step == 1 else
                               QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        if len(labels) > 12:
            axis.setLabelsAngle(-45)
        elif max(map(len, labels), default=0) * len(labels) > 150:  # long names: smaller
            font = axis.labelsFont()
            font.setPointSizeF(font.pointSizeF() * 0.85)
            axis.setLabelsFont(font)
        axis.setGridLineVisible(False)
        return axis

    def retranslate(self) -> None:
        """The texts (the Reports tab makes its sheets again when the language changes)."""
        self.stacked_box.setText(self.tr("Stack the bars"))
        data = self.data
        if not data.total:
            self.note.setText(self.tr("No data in this period."))
        elif data.shown < data.total:
            self.note.setText(self.tr("The chart shows the %1 largest of %2.").replace(
                "%1", str(data.shown)).replace("%2", str(data.total)))
        self.note.setVisible(not data.total or data.shown < data.total)
        self.draw()


def sheet_table(proxy: SheetProxy, heat: bool) -> QTableView:
    """A read-only table, sortable by a click on a header; the heat map's cells square-ish."""
    view = QTableView()
    view.setModel(proxy)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(not heat)
    view.setWordWrap(False)
    view.setSortingEnabled(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(34 if heat else 26)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
    header.setSortIndicatorShown(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the hub's order at first
    view.resizeColumnsToContents()
    for column in range(proxy.columnCount()):  # a long name elided (its tooltip: all of it)
        widest = max(WIDEST, header.sectionSizeHint(column))  # never the header
        view.setColumnWidth(column, min(view.columnWidth(column), widest))
    if heat:  # 24 hours and the weekday within 1366 pixels
        for column in range(1, proxy.columnCount()):
            view.setColumnWidth(column, max(46, min(view.columnWidth(column), 52)))
    return view


class SheetView(QWidget):
    """One sheet: its table above its chart (the heat map: the coloured table alone).

    Attributes:
        sheet, model, proxy, table: the rows and their table.
        chart: the chart, or None (the heat map, a sheet without one).
    """

    def __init__(self, sheet: Sheet, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet = sheet
        self.model = SheetModel(sheet, language, self)
        self.proxy = SheetProxy(self)
        self.proxy.setSourceModel(self.model)
        heat = sheet.kind == "heat"
        self.table = sheet_table(self.proxy, heat)
        self.chart: SheetChart | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.title = plain_text(QLabel(sheet.title if language == "vi" else sheet.label()))
        self.title.setStyleSheet("font-weight: 600;")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        if heat:
            legend = plain_text(QLabel(self.tr("Calls offered: the darker, the busier.")))
            legend.setStyleSheet("color: #6b6b6b;")
            top.addWidget(legend)
        layout.addLayout(top)
        if sheet.chart is not None and not heat:
            self.chart = SheetChart(chart_data(sheet, language))
            split = QSplitter(Qt.Orientation.Vertical)
            split.addWidget(self.table)
            split.addWidget(self.chart)
            split.setChildrenCollapsible(False)
            split.setSizes([200, 300])
            layout.addWidget(split, 1)
        else:
            layout.addWidget(self.table, 1)
