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

from callcenter.reports.catalogue import Column, Sheet

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
            writer.writerow(["" if row.get(c.key) is None else row.get(c.key)
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
            _table(page, sheet, bold, formats)
            if sheet.chart is not None and sheet.rows:
                _chart(workbook, page, sheet)
    finally:
        workbook.close()
    return target.getvalue()


HEADER_ROW = 3


def _table(page: Worksheet, sheet: Sheet, bold: Any, formats: dict[str, Any]) -> None:
    for col, column in enumerate(sheet.columns):
        page.write(HEADER_ROW, col, column.vi, bold)
        page.set_column(col, col, _width(column, sheet.rows))
    for r, row in enumerate(sheet.rows, HEADER_ROW + 1):
        for col, column in enumerate(sheet.columns):
            value = row.get(column.key)
            if value is None:
                continue
            if column.kind == "text":
                page.write_string(r, col, str(value), formats["text"])
            else:
                page.write_number(r, col, float(value), formats[column.kind])
    page.freeze_panes(HEADER_ROW + 1, 0)
    page.set_row(HEADER_ROW, 45)


def _width(column: Column, rows: list[dict[str, Any]]) -> int:
    longest = max([len(str(r.get(column.key) or "")) for r in rows[:200]] + [8])
    return min(45, max(longest + 2, min(len(column.vi), 22)))


def _chart(workbook: Workbook, page: Worksheet, sheet: Sheet) -> None:
    """A column chart of the series against the category, beside the table; the heat map as
    a colour scale on its cells."""
    chart_spec = sheet.chart
    assert chart_spec is not None  # noqa: S101 - the caller checked
    first, last = HEADER_ROW + 1, HEADER_ROW + len(sheet.rows)
    keys = [c.key for c in sheet.columns]
    if chart_spec.kind == "heat":
        page.conditional_format(first, 1, last, len(keys) - 1, {
            "type": "3_color_scale", "min_color": "#e8f5e9", "mid_color": "#fff59d",
            "max_color": "#e53935"})
        return
    chart = workbook.add_chart({"type": chart_spec.kind})
    category = keys.index(chart_spec.category)
    for n, key in enumerate(chart_spec.series):
        col = keys.index(key)
        chart.add_series({
            "name": [page.name, HEADER_ROW, col],
            "categories": [page.name, first, category, last, category],
            "values": [page.name, first, col, last, col],
            "fill": {"color": COLOURS[n % len(COLOURS)]}})
    chart.set_title({"name": sheet.title})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 360})
    page.insert_chart(HEADER_ROW, len(keys) + 1, chart)
