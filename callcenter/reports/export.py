"""A report written out: XLSX (XlsxWriter) with a sheet per part, Vietnamese headers, number
formats and a real spreadsheet chart on each sheet; or CSV in UTF-8 with a byte-order mark, so
Excel opens the Vietnamese right (a report of several parts: one block per part, a title row
before each)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from callcenter.reports.catalogue import Column, Sheet, chart_points

FORMATS = {"pct": "0.0", "seconds": "0.0", "minutes": "0.0", "int": "#,##0", "text": "@"}
COLOURS = ("#43a047", "#e53935", "#b0bec5", "#1565c0", "#6a1b9a", "#ef6c00")


def csv_bytes(sheets: Sequence[Sheet]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for index, sheet in enumerate(sheets):
        if len(sheets) > 1:
            if index:
                writer.writerow([])
            writer.writerow([sheet.title])
        writer.writerow([c.vi for c in sheet.columns])
        for row in sheet.rows:
            writer.writerow(["" if row.get(c.key) is None else sheet.text(row, c.key)
                             for c in sheet.columns])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Sequence[Sheet], title: str, subtitle: str) -> bytes:
    target = io.BytesIO()
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    try:
        bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                    "bg_color": "#e3f2fd", "border": 1})
        heading = workbook.add_format({"bold": True, "font_size": 14})
        formats = {kind: workbook.add_format({"num_format": f}) for kind, f in FORMATS.items()}
        for sheet in sheets:
            page = workbook.add_worksheet(sheet.name[:31])
            page.write(0, 0, f"{title} — {sheet.title}", heading)
            page.write(1, 0, subtitle)
            top = table_top(sheet)
            _table(page, sheet, bold, formats, top)
            if sheet.chart is not None and sheet.rows:
                _chart(workbook, page, sheet, top)
            # printed (or made a PDF): the chart, then the table, one page wide
            page.set_landscape()
            page.set_paper(9)  # A4
            page.fit_to_pages(1, 0)
            page.repeat_rows(top)
            page.print_area(0, 0, top + max(1, len(sheet.rows)), len(sheet.columns) - 1)
    finally:
        workbook.close()
    return target.getvalue()


CHART_ROWS = 19  # the chart above the table takes these rows (360 px at 20 px a row)


def table_top(sheet: Sheet) -> int:
    """The row of the table's headers: under the title, and under the chart if it has one."""
    drawn = sheet.chart is not None and sheet.chart.kind != "heat" and sheet.rows
    return 3 + (CHART_ROWS if drawn else 0)


def _table(page: Worksheet, sheet: Sheet, bold: Any, formats: dict[str, Any],
           top: int) -> None:
    for col, column in enumerate(sheet.columns):
        page.write(top, col, column.vi, bold)
        page.set_column(col, col, _width(column, sheet))
    for r, row in enumerate(sheet.rows, top + 1):
        for col, column in enumerate(sheet.columns):
            value = row.get(column.key)
            if value is None:
                continue
            if column.kind == "text":
                page.write_string(r, col, str(sheet.text(row, column.key)), formats["text"])
            else:
                page.write_number(r, col, float(value), formats[column.kind])
    page.freeze_panes(top + 1, 0)
    page.set_row(top, 45)


def _width(column: Column, sheet: Sheet) -> int:
    longest = max([len(str(sheet.text(r, column.key) or "")) for r in sheet.rows[:200]] + [8])
    return min(45, max(longest + 2, min(len(column.vi), 22)))


def _chart(workbook: Workbook, page: Worksheet, sheet: Sheet, top: int) -> None:
    """A column chart of the series against the category, above the table (its points beside
    the table); the heat map as a colour scale on its cells."""
    chart_spec = sheet.chart
    assert chart_spec is not None  # noqa: S101 - the caller checked
    keys = [c.key for c in sheet.columns]
    if chart_spec.kind == "heat":
        page.conditional_format(top + 1, 1, top + len(sheet.rows), len(keys) - 1, {
            "type": "3_color_scale", "min_color": "#e8f5e9", "mid_color": "#fff59d",
            "max_color": "#e53935"})
        return
    # the chart's points: each category once, beside the table (chart_points), then the chart
    categories, values = chart_points(sheet)
    left = len(keys) + 1
    page.write(top, left, next((c.vi for c in sheet.columns
                                if c.key == chart_spec.category), ""))
    for r, category in enumerate(categories, top + 1):
        page.write_string(r, left, category)
    chart = workbook.add_chart({"type": chart_spec.kind})
    headers = {c.key: c.vi for c in sheet.columns}
    end = top + len(categories)
    for n, (key, series) in enumerate(values.items(), 1):
        page.write(top, left + n, headers.get(key, key))
        for r, value in enumerate(series, top + 1):
            page.write_number(r, left + n, value)
        chart.add_series({
            "name": [page.name, top, left + n],
            "categories": [page.name, top + 1, left, end, left],
            "values": [page.name, top + 1, left + n, end, left + n],
            "fill": {"color": COLOURS[(n - 1) % len(COLOURS)]}})
    chart.set_title({"name": sheet.title})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 960, "height": 360})
    page.insert_chart(3, 0, chart)
