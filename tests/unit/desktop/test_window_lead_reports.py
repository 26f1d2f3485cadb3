"""The lead's "Reports" tab (issue 14): the report, its days (quick choices on the hub's clock),
totals and breakdown asked with `report_run`; the sheets as sub-tabs of tables (numbers by kind,
a dash for nothing to divide by, sortable) and charts; the file of `report_export` saved where
the lead chose; Cancel forgets a slow request; the hub's refusals in red. A real LeadWindow
offscreen on a HubConnection logged in to the scripted hub (tests/support/scripted_hub.py); the
sheets are made as the hub makes them (callcenter/reports/catalogue.py sheet_payload)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCharts import QBarSeries, QStackedBarSeries
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget

from callcenter.reports.catalogue import (
    HEAT_COLUMNS,
    QUEUE_COLUMNS,
    Chart,
    Sheet,
    sheet_payload,
)
from desktop.connection import HubConnection
from desktop.i18n import Translations
from desktop.windows import LeadWindow
from desktop.windows.lead_reports import ReportsView
from desktop.windows.report_models import Sheet as SheetData
from desktop.windows.report_models import chart_data
from protocol import messages as m
from tests.support.desktop_windows import Clock, open_lead_window
from tests.support.scripted_hub import ScriptedHub

RED = "#c62828"
SUBTITLE = "Đường dây nóng 0290 1022 · 06/03/2026 – 12/03/2026 · giờ Asia/Ho_Chi_Minh"


def queue_row(period: str, group: str, offered: int, answered: int, abandoned: int,
              timed_out: int, **figures: Any) -> dict[str, Any]:
    return {"period": period, "group": group, "offered": offered, "answered": answered,
            "abandoned": abandoned, "short_abandoned": 1, "timed_out": timed_out,
            "service_level_pct": 83.3, "abandon_pct": 10.0, "asa_seconds": 12.3,
            "longest_wait_seconds": 185.0, "avg_talk_seconds": 240.5,
            "aht_seconds": 1234.5, **figures}


def report(title: str = "Báo cáo tổng hợp") -> dict[str, Any]:
    """A daily report as the hub sends it: queues per day and topic, 25 agents, the heat map."""
    queues = Sheet("Hàng chờ", "Cuộc gọi vào hàng chờ", QUEUE_COLUMNS, [
        queue_row("2026-03-11", "f0_home_care", 120, 100, 12, 5),
        queue_row("2026-03-11", "public_services", 40, 38, 1, 0),
        queue_row("2026-03-12", "f0_home_care", 2, 0, 0, 0, service_level_pct=None,
                  asa_seconds=None, avg_talk_seconds=None, aht_seconds=None),
        queue_row("2026-03-12", "public_services", 9, 7, 2, 0)],
        Chart("column", "period", ("answered", "abandoned", "timed_out")))
    agents = Sheet("Điện thoại viên", "Theo điện thoại viên", QUEUE_COLUMNS, [
        queue_row("total", f"nv{n:02d}", 10 + n, 10 + n, 0, 0) for n in range(1, 26)],
        Chart("column", "group", ("answered",)))
    grid = [{"weekday": day, **{f"{h:02d}": (day * h) % 17 for h in range(24)}}
            for day in range(1, 8)]
    grid[2]["09"] = 40  # Wednesday 09:00, the busiest hour
    heat = Sheet("Giờ cao điểm", "Cuộc gọi đến theo thứ và giờ", HEAT_COLUMNS, grid,
                 Chart("heat", "weekday", ()))
    sheets = [sheet_payload(s) for s in (queues, agents, heat)]
    sheets[0]["labels"] = {"f0_home_care": "Tư vấn và hỗ trợ điều trị F0 tại nhà"}  # by key
    return {"title": title, "subtitle": SUBTITLE, "sheets": sheets}


@pytest.fixture
def lead(qtbot: Any, connection: HubConnection, settings: QSettings,
         translations: Translations, clock: Clock, scripted: ScriptedHub) -> LeadWindow:
    """A lead window logged in to the scripted hub, its Reports tab in sight."""
    scripted.answer("report_run", report())
    with qtbot.waitSignal(connection.snapshot, timeout=5000):
        connection.login(scripted.address, "truong", "mat-khau-dai-1")
    window = open_lead_window(qtbot, connection, settings, translations, clock,
                              bell=lambda: None)
    window.tabs.setCurrentWidget(window.reports_view)
    return window


def choose(view: ReportsView, report_name: str, grouping: str = "day",
           by: str = "topic") -> None:
    for box, key in ((view.report_box, report_name), (view.grouping_box, grouping),
                     (view.by_box, by)):
        box.setCurrentIndex(box.findData(key))


def shown(qtbot: Any, view: ReportsView) -> ReportsView:
    """The daily report (report()) asked and shown."""
    choose(view, "daily")
    view.show_button.click()
    qtbot.waitUntil(lambda: view.sheets.count() == 3, timeout=5000)
    return view


def cells(model: Any, row: int) -> list[str]:
    return [model.index(row, c).data() for c in range(model.columnCount())]


def headers(model: Any) -> list[str]:
    return [str(model.headerData(c, Qt.Orientation.Horizontal)).replace("\n", " ")
            for c in range(model.columnCount())]


def test_the_request_carries_the_days_totals_and_breakdown_chosen(
        qtbot: Any, lead: LeadWindow, scripted: ScriptedHub) -> None:
    view = lead.reports_view
    assert lead.tabs.tabText(lead.tabs.indexOf(view)) == "Báo cáo"
    assert [view.report_box.itemText(n) for n in range(view.report_box.count())] == [
        "Hàng chờ", "Điện thoại viên", "Cuộc gọi và gọi lại", "Hồ sơ", "Xã phường",
        "Giờ cao điểm", "Báo cáo tổng hợp"]
    assert [b.text() for b in view.quick_buttons.values()] == [
        "Hôm nay", "Hôm qua", "7 ngày qua", "Tháng này", "Tháng trước"]
    assert scripted.of("report_run") == []  # nothing is asked before Show
    assert view.message.text() == "Chọn báo cáo và khoảng ngày rồi bấm Xem."
    # the quick choices count on the hub's clock: 12/03/2026 09:41 in Cà Mau
    for key, first, last in (("today", "2026-03-12", "2026-03-12"),
                             ("yesterday", "2026-03-11", "2026-03-11"),
                             ("month", "2026-03-01", "2026-03-12"),
                             ("last_month", "2026-02-01", "2026-02-28"),
                             ("week", "2026-03-06", "2026-03-12")):
        view.quick_buttons[key].click()
        assert (view.chosen()["first"], view.chosen()["last"]) == (first, last), key
    assert view.first_edit.text() == "06/03/2026"
    choose(view, "queues", "hour", "agency")
    assert view.grouping_box.currentText() == "Giờ" and view.by_box.currentText() == "Cơ quan"
    view.show_button.click()
    qtbot.waitUntil(lambda: len(scripted.of("report_run")) == 1, timeout=5000)
    asked = scripted.of("report_run")[0]
    assert {k: asked[k] for k in ("name", "first", "last", "grouping", "by")} == {
        "name": "queues", "first": "2026-03-06", "last": "2026-03-12", "grouping": "hour",
        "by": "agency"}
    qtbot.waitUntil(lambda: view.result is not None, timeout=5000)
    choose(view, "heatmap")  # the heat map has neither totals nor breakdown
    assert not view.grouping_box.isEnabled() and not view.by_box.isEnabled()
    choose(view, "calls")
    assert view.grouping_box.isEnabled() and not view.by_box.isEnabled()
    view.first_edit.setDate(view.last_edit.date().addDays(1))  # ends before it starts
    view.show_button.click()
    assert view.message.text() == "Ngày kết thúc đang trước ngày bắt đầu."
    assert RED in view.message.styleSheet() and len(scripted.of("report_run")) == 1


def test_the_sheets_as_tables_numbers_by_kind_and_a_dash_for_none(
        qtbot: Any, lead: LeadWindow) -> None:
    view = shown(qtbot, lead.reports_view)
    assert [view.sheets.tabText(n) for n in range(3)] == [
        "Hàng chờ", "Điện thoại viên", "Giờ cao điểm"]
    assert view.title_label.text() == "Báo cáo tổng hợp"
    assert view.subtitle_label.text() == SUBTITLE
    assert view.message.text() == "3 trang, 36 dòng."
    queues = view.sheet_views[0].proxy
    assert headers(queues)[:5] == ["Kỳ", "Nhóm", "Cuộc gọi đến", "Đã trả lời", "Bỏ máy"]
    assert headers(queues)[-3:] == ["Đàm thoại trung bình (giây)",
                                    "Xử lý sau cuộc gọi trung bình (giây)",
                                    "Xử lý trung bình (giây)"]
    assert cells(queues, 0) == ["11/03/2026", "Tư vấn và hỗ trợ điều trị F0 tại nhà", "120",
                                "100", "12", "1", "5", "83,3%", "10,0%", "12,3", "185,0",
                                "240,5", "—", "1.234,5"]
    assert queues.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == \
        "Tư vấn và hỗ trợ điều trị F0 tại nhà (f0_home_care)"  # a topic's name, its key
    assert cells(queues, 1)[1] == "public_services"  # no name sent: the key
    assert cells(queues, 2)[7:] == ["—", "10,0%", "—", "185,0", "—", "—", "—"]
    assert queues.headerData(13, Qt.Orientation.Horizontal) == "Xử lý trung\nbình (giây)"
    assert queues.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    table = view.sheet_views[0].table
    table.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # by the numbers, not their text
    assert [queues.index(n, 2).data() for n in range(4)] == ["120", "40", "9", "2"]
    table.sortByColumn(7, Qt.SortOrder.AscendingOrder)  # the dash after every number
    assert queues.index(3, 7).data() == "—"
    agents = view.sheet_views[1].proxy
    assert agents.rowCount() == 25 and cells(agents, 0)[:3] == ["Cả kỳ", "nv01", "11"]
    heat = view.sheet_views[2]
    assert heat.chart is None and heat.proxy.columnCount() == 25
    assert headers(heat.proxy)[:3] == ["Thứ", "00 giờ", "01 giờ"]
    assert [heat.proxy.index(n, 0).data() for n in (0, 6)] == ["Thứ Hai", "Chủ nhật"]
    background = Qt.ItemDataRole.BackgroundRole
    assert heat.proxy.index(2, 10).data() == "40"
    assert heat.proxy.index(2, 10).data(background) == QColor(RED)  # the busiest: red
    assert heat.proxy.index(0, 1).data(background) == QColor("#fff8e1")  # none: pale
    assert heat.proxy.index(0, 0).data(background) is None


def test_english_headers_numbers_and_sheet_names(qtbot: Any, lead: LeadWindow) -> None:
    view = shown(qtbot, lead.reports_view)
    lead.language_actions["en"].trigger()
    assert lead.tabs.tabText(lead.tabs.indexOf(view)) == "Reports"
    assert view.show_button.text() == "Show" and view.export_button.text() == "Export…"
    assert [view.sheets.tabText(n) for n in range(3)] == ["Queues", "Agents", "Peak hours"]
    assert view.title_label.text() == "Summary report"
    queues = view.sheet_views[0].proxy
    assert headers(queues)[:4] == ["Period", "Group", "Offered", "Answered"]
    assert cells(queues, 0)[7:] == ["83.3%", "10.0%", "12.3", "185.0", "240.5", "—",
                                    "1,234.5"]
    assert view.sheet_views[2].proxy.index(0, 0).data() == "Monday"
    chart = view.sheet_views[0].chart
    assert chart is not None and chart.bar_sets["answered"].label() == "Answered"


def test_the_charts_series_and_points(qtbot: Any, lead: LeadWindow) -> None:
    view = shown(qtbot, lead.reports_view)
    chart = view.sheet_views[0].chart
    assert chart is not None
    assert list(chart.bar_sets) == ["answered", "abandoned", "timed_out"]
    assert [chart.bar_sets["answered"].label(), chart.bar_sets["timed_out"].label()] == [
        "Đã trả lời", "Hết thời gian chờ"]
    # a point a day, the topics summed: 11/03 100 + 38 answered, 12/03 0 + 7
    assert [[s.at(n) for n in range(s.count())] for s in chart.bar_sets.values()] == [
        [138.0, 7.0], [13.0, 2.0], [5.0, 0.0]]
    assert chart.data.labels == ["11/03/2026", "12/03/2026"]
    (bars,) = chart.chart.series()
    assert isinstance(bars, QBarSeries) and not isinstance(bars, QStackedBarSeries)
    chart.stacked_box.setChecked(True)  # the lead's choice: one bar a day, in parts
    (bars,) = chart.chart.series()
    assert isinstance(bars, QStackedBarSeries) and bars.count() == 3
    assert chart.bar_sets["abandoned"].at(0) == 13.0
    agents = view.sheet_views[1].chart
    assert agents is not None and agents.bar_sets["answered"].count() == 20
    assert agents.data.labels[:2] == ["nv25", "nv24"]  # the largest first
    assert agents.note.text() == "Biểu đồ chỉ vẽ 20 nhóm lớn nhất trong 25."
    assert not agents.note.isHidden() and chart.note.isHidden()  # every day drawn


def test_rates_are_averaged_in_a_chart_counts_summed(translations: Translations) -> None:
    """A sum of percentages means nothing: an agent's occupancy over two days is their mean
    (a day without one left out), their answered calls the sum."""
    sheet = SheetData.read({"name": "Thời gian làm việc", "title": "", "columns": [
        {"key": "period", "vi": "Kỳ", "en": "Period", "kind": "text"},
        {"key": "group", "vi": "Điện thoại viên", "en": "Agent", "kind": "text"},
        {"key": "answered", "vi": "Cuộc đã trả lời", "en": "Answered", "kind": "int"},
        {"key": "occupancy_pct", "vi": "Mức bận (%)", "en": "Occupancy (%)", "kind": "pct"}],
        "rows": [{"period": "2026-03-11", "group": "lan", "answered": 30, "occupancy_pct": 80.0},
                 {"period": "2026-03-12", "group": "lan", "answered": 10, "occupancy_pct": 60.0},
                 {"period": "2026-03-12", "group": "mai", "answered": 5, "occupancy_pct": None}],
        "chart": {"kind": "column", "category": "group",
                  "series": ["answered", "occupancy_pct"]}})
    data = chart_data(sheet, "vi")
    assert data.labels == ["lan", "mai"]
    assert data.series == {"answered": ("Cuộc đã trả lời", [40.0, 5.0]),
                           "occupancy_pct": ("Mức bận (%)", [70.0, 0.0])}
    assert sheet.label() == "Thời gian làm việc" and data.total == 2


def test_the_export_is_saved_where_the_lead_chose(
        qtbot: Any, lead: LeadWindow, scripted: ScriptedHub, tmp_path: Path) -> None:
    content = "Kỳ,Nhóm,Cuộc gọi đến\r\n2026-03-11,f0_home_care,120\r\n".encode("utf-8-sig")
    scripted.answer("report_export", {"filename": "bao-cao-queues-2026-03-12-2026-03-12.csv",
                                      "rows": 1, "content_b64": base64.b64encode(content)
                                      .decode("ascii")})
    view = lead.reports_view
    offered: list[str] = []

    def chosen_path(name: str) -> str:  # where the save dialog would have been told
        offered.append(name)
        return str(tmp_path / name)

    view.save_path = chosen_path
    choose(view, "queues", "day", "all")
    view.format_box.setCurrentIndex(view.format_box.findData("csv"))
    view.export_button.click()
    target = tmp_path / "bao-cao-queues-2026-03-12-2026-03-12.csv"
    qtbot.waitUntil(target.exists, timeout=5000)
    assert target.read_bytes() == content
    asked = scripted.of("report_export")[0]
    assert (asked["name"], asked["format"], asked["by"]) == ("queues", "csv", "all")
    assert offered == [target.name]  # the dialog offers the hub's file name
    assert view.message.text() == f"Đã lưu {target} (1 dòng)."
    assert RED not in view.message.styleSheet()
    assert view.export_button.isEnabled() and view.busy.isHidden()
    view.save_path = lambda name: None  # the lead closed the dialog
    view.export_button.click()
    qtbot.waitUntil(lambda: view.message.text() == "Chưa lưu file.", timeout=5000)


def test_cancel_forgets_the_slow_request_and_its_late_answer(
        qtbot: Any, lead: LeadWindow, connection: HubConnection,
        scripted: ScriptedHub) -> None:
    view = lead.reports_view
    scripted.answer("report_run", lambda asked: report(title=f"Từ {asked['first']}"))
    scripted.hold("report_run")
    view.quick_buttons["today"].click()
    view.show_button.click()
    qtbot.waitUntil(lambda: len(scripted.held) == 1, timeout=5000)
    assert view.busy.isVisible() and view.busy_label.text() == "Đang lập báo cáo…"
    assert view.cancel_button.text() == "Hủy"
    assert not view.show_button.isEnabled() and not view.export_button.isEnabled()
    view.cancel_button.click()
    assert view.busy.isHidden() and view.show_button.isEnabled() and view.pending is None
    assert view.message.text() == "Đã hủy: kết quả máy chủ gửi về sau sẽ bị bỏ qua."
    with qtbot.waitSignal(connection.reply_received, timeout=5000):
        scripted.release()  # the hub answers after all
    assert view.result is None and view.sheets.count() == 0  # ignored
    assert view.message.text().startswith("Đã hủy")
    scripted.hold("report_run")  # again, and another report asked meanwhile
    view.show_button.click()
    qtbot.waitUntil(lambda: len(scripted.held) == 1, timeout=5000)
    view.cancel_button.click()
    scripted.holding.clear()
    view.quick_buttons["yesterday"].click()
    view.show_button.click()
    qtbot.waitUntil(lambda: view.result is not None, timeout=5000)
    assert view.title_label.text() == "Từ 2026-03-11" and view.sheets.count() == 3
    with qtbot.waitSignal(connection.reply_received, timeout=5000):
        scripted.release()  # the cancelled one's answer, after the newer one
    assert view.title_label.text() == "Từ 2026-03-11"
    assert view.message.text() == "3 trang, 36 dòng."


def test_a_refusal_is_said_in_red_in_the_hubs_words(
        qtbot: Any, lead: LeadWindow, scripted: ScriptedHub) -> None:
    view = shown(qtbot, lead.reports_view)
    scripted.answer("report_run", m.Error(code="invalid", message=(
        "the period runs 2025-01-01 to 2026-03-12: it must end after it starts, and span "
        "400 days at most")))
    view.show_button.click()
    qtbot.waitUntil(lambda: "400 days" in view.message.text(), timeout=5000)
    assert view.message.text().startswith("Một số trường chưa hợp lệ. (the period runs")
    assert RED in view.message.styleSheet() and view.busy.isHidden()
    assert view.sheets.count() == 3  # what was shown stays
    scripted.answer("report_export", m.Error(code="forbidden", message=(
        "only team leads and admins read the reports")))
    view.export_button.click()
    qtbot.waitUntil(lambda: "only team leads" in view.message.text(), timeout=5000)
    assert view.message.text() == "Bạn không có quyền thực hiện thao tác này. (only team " \
        "leads and admins read the reports)"


def _inside(widget: QWidget, window: QWidget) -> bool:
    corner = widget.mapTo(window, widget.rect().topLeft())
    return window.rect().contains(widget.rect().translated(corner))


def test_it_fits_1366_by_768(qtbot: Any, lead: LeadWindow) -> None:
    view = shown(qtbot, lead.reports_view)
    lead.resize(1366, 768)
    QApplication.processEvents()
    hint = lead.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    for widget in (view.report_box, view.first_edit, view.last_edit, view.grouping_box,
                   view.by_box, view.show_button, view.format_box, view.export_button,
                   *view.quick_buttons.values(), view.title_label, view.sheets):
        assert widget.isVisible() and _inside(widget, lead), widget
        assert widget.width() >= widget.minimumSizeHint().width(), widget
    heat = view.sheet_views[2]
    view.sheets.setCurrentWidget(heat)
    QApplication.processEvents()
    assert heat.table.horizontalScrollBar().maximum() == 0  # the 24 hours in sight
    chart = view.sheet_views[0].chart
    assert chart is not None and chart.chart_view.height() >= 200
