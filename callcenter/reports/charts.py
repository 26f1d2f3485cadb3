"""A report's charts as one PNG (matplotlib, no display needed): a panel per sheet that has a
chart — its series against its category as bars, the heat map as a weekday × hour grid — with
the Vietnamese titles and headers (DejaVu Sans has the diacritics)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # files only: no display, no Qt

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from callcenter.reports.catalogue import Sheet, chart_points

COLOURS = ("#43a047", "#e53935", "#b0bec5", "#1565c0", "#6a1b9a", "#ef6c00")
WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
MAX_BARS = 40  # categories drawn per panel (the rest are in the table)


def png_bytes(sheets: Sequence[Sheet], title: str, subtitle: str) -> bytes:
    drawn = [s for s in sheets if s.chart is not None and s.rows]
    columns = 1 if len(drawn) < 2 else 2
    rows = max(1, -(-len(drawn) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(8 * columns, 4.2 * rows),
                                squeeze=False)
    try:
        figure.suptitle(f"{title}\n{subtitle}", fontsize=14)
        panels = [a for line in axes for a in line]
        for sheet, axis in zip(drawn, panels, strict=False):
            (_heat if sheet.chart and sheet.chart.kind == "heat" else _bars)(axis, sheet)
        for axis in panels[len(drawn):]:
            axis.set_visible(False)
        if not drawn:
            panels[0].text(0.5, 0.5, "Không có số liệu trong kỳ", ha="center", va="center")
            panels[0].set_axis_off()
            panels[0].set_visible(True)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=100)
        return out.getvalue()
    finally:
        plt.close(figure)


def _bars(axis: Axes, sheet: Sheet) -> None:
    headers = {c.key: c.vi for c in sheet.columns}
    categories, values = chart_points(sheet)
    categories = categories[:MAX_BARS]
    axis.set_title(sheet.title)
    if not any(v for series in values.values() for v in series):
        axis.text(0.5, 0.5, "Không có số liệu trong kỳ", ha="center", va="center",
                  transform=axis.transAxes)
        axis.set_axis_off()
        return
    width = 0.8 / max(1, len(values))
    for n, (key, series) in enumerate(values.items()):
        axis.bar([i + n * width for i in range(len(categories))], series[:MAX_BARS], width,
                 label=_short(headers.get(key, key)), color=COLOURS[n % len(COLOURS)])
    axis.set_xticks([i + width * (len(values) - 1) / 2 for i in range(len(categories))])
    tilted = len(categories) > 6
    axis.set_xticklabels(categories, rotation=45 if tilted else 0,
                         ha="right" if tilted else "center", fontsize=8)
    axis.legend(fontsize=8)


def _short(label: str, most: int = 40) -> str:
    """A legend's label cut to `most` characters (a topic's whole name is in the table)."""
    return label if len(label) <= most else label[:most - 1].rstrip() + "…"


def _heat(axis: Axes, sheet: Sheet) -> None:
    grid = [[float(row.get(f"{h:02d}") or 0) for h in range(24)] for row in sheet.rows]
    image = axis.imshow(grid, aspect="auto", cmap="YlOrRd")
    axis.set_yticks(range(len(grid)))
    axis.set_yticklabels(WEEKDAYS[:len(grid)])
    axis.set_xticks(range(0, 24, 2))
    axis.set_xticklabels([f"{h:02d}" for h in range(0, 24, 2)])
    axis.set_xlabel("Giờ")
    axis.set_title(sheet.title)
    axis.figure.colorbar(image, ax=axis)
