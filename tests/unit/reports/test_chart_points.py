"""What a report's chart draws (catalogue.chart_points): each category once, counts summed over
the rows of a category (the topics of one period), rates averaged."""

from __future__ import annotations

from callcenter.reports.catalogue import Chart, Column, Sheet, chart_points


def test_counts_are_summed_and_rates_averaged_per_category() -> None:
    sheet = Sheet("Hàng chờ", "Cuộc gọi", (
        Column("period", "Kỳ", "Period", "text"), Column("group", "Nhóm", "Group", "text"),
        Column("answered", "Đã trả lời", "Answered"),
        Column("service_level_pct", "Mức phục vụ (%)", "Service level (%)", "pct")), [
        {"period": "08", "group": "f0", "answered": 10, "service_level_pct": 90.0},
        {"period": "08", "group": "report", "answered": 4, "service_level_pct": 70.0},
        {"period": "09", "group": "f0", "answered": 7, "service_level_pct": None}],
        Chart("column", "period", ("answered", "service_level_pct")))
    assert chart_points(sheet) == (["08", "09"], {"answered": [14.0, 7.0],
                                                  "service_level_pct": [80.0, 0.0]})
    assert chart_points(Sheet("x", "x", (), [], None)) == ([], {})
