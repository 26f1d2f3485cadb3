"""The forwarded reports' tab ("Phản ánh đã chuyển") in the agent window and the lead window:
the rows, overdue ones in red and counted in the tab's title (on the clock), the steps offered
by agency, the resolution a resolved report needs, the hub's pushes merged. Real widgets
offscreen; the hub's answers and pushes are the protocol's own messages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desktop.connection import HubConnection
from desktop.windows import AgentWindow, LeadWindow
from desktop.windows.referral_models import agency_of
from desktop.windows.referrals import ReferralsView
from protocol import messages as m
from tests.support.desktop_windows import NOW, Clock, Requests, agent_view, iso, lead_board

SYT = {"agency_id": 2, "agency": "SYT", "agency_name": "Sở Y tế tỉnh Cà Mau"}
CDC = {"agency_id": 1, "agency": "CDC", "agency_name": "Trung tâm Kiểm soát bệnh tật tỉnh Cà Mau"}


def referral(referral_id: int, *, due: datetime, state: str = "forwarded",
             agency: dict[str, Any] = SYT, **fields: Any) -> dict[str, Any]:
    """A row as the hub sends it (callcenter/hub/referrals.py referral_rows)."""
    return {"id": referral_id, "case_id": 40 + referral_id,
            "case_code": f"PA-2026-{referral_id:06d}", "topic": "epidemic_report", **agency,
            "state": state, "due_at": iso(due), "forwarded_at": iso(NOW - timedelta(days=3)),
            "forwarded_by": "Lê Văn Bình", "place": "Trạm y tế xã Tân Thuận",
            "unit": "Xã Tân Thuận", "severity": "high",
            "description": "Không phát thuốc cho F0", "note": "Đề nghị kiểm tra",
            "resolution": None, "updated_at": iso(NOW - timedelta(hours=1)),
            "updated_by": "Lê Văn Bình", **fields}


def three_reports() -> list[dict[str, Any]]:
    return [referral(3, due=NOW - timedelta(days=2), state="resolved",
                     resolution="Đã nhắc trạm y tế phát thuốc"),
            referral(2, due=NOW + timedelta(minutes=30), agency=CDC, severity="urgent"),
            referral(1, due=NOW - timedelta(days=1, hours=2))]


def cells(view: ReferralsView, row: int) -> list[str]:
    model = view.model
    return [model.data(model.index(row, column)) for column in range(model.columnCount())]


def tab_of(window: AgentWindow | LeadWindow) -> tuple[str, QColor]:
    index = window.tabs.indexOf(window.referrals_view)
    return window.tabs.tabText(index), window.tabs.tabBar().tabTextColor(index)


@pytest.fixture
def view(qtbot: Any, connection: HubConnection, clock: Clock, translations: Any,
         requests: Requests) -> ReferralsView:
    """The tab of a health worker of the Department of Health (SYT, agency 2)."""
    made = ReferralsView(connection, clock, agency_id=2, role="health")
    qtbot.addWidget(made)
    made.resize(1300, 640)
    made.show()
    made.set_rows(three_reports())
    return made


def test_reports_come_open_first_by_due_overdue_in_red_and_counted_on_the_clock(
        qtbot: Any, window: AgentWindow, clock: Clock, requests: Requests) -> None:
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available"), callbacks=[]))
    (asked,) = requests.of(m.ReferralList)  # read at the login's snapshot
    requests.answer(asked, {"referrals": three_reports()})
    view = window.referrals_view
    assert [row["id"] for row in view.model.rows] == [1, 2, 3]
    assert cells(view, 0) == ["PA-2026-000001", "Trạm y tế xã Tân Thuận", "Xã Tân Thuận", "Cao",
                              "SYT", "Đã chuyển", "11/03 07:41 · quá hạn 1 ngày 2 giờ",
                              "Lê Văn Bình · 08:41"]
    assert cells(view, 1)[3:7] == ["Khẩn cấp", "CDC", "Đã chuyển", "10:11 · còn 30 phút"]
    assert cells(view, 2)[5:7] == ["Đã xử lý xong", "10/03 09:41"]  # done: not overdue
    due = view.model.index(0, view.model.DUE)
    assert due.data(Qt.ItemDataRole.ForegroundRole).color() == QColor("#c62828")
    assert view.model.index(1, view.model.DUE).data(Qt.ItemDataRole.ForegroundRole) is None
    assert view.model.index(2, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert tab_of(window) == ("⚠ Phản ánh đã chuyển (1)", QColor("#c62828"))
    assert view.summary.text() == "3 phản ánh đã chuyển, 1 quá hạn"
    clock.advance(31 * 60)  # the second one falls overdue between pushes
    qtbot.waitUntil(lambda: tab_of(window)[0] == "⚠ Phản ánh đã chuyển (2)", timeout=3000)
    assert cells(view, 1)[6] == "10:11 · quá hạn 1 phút"


def test_the_agencys_steps_are_offered_to_its_staff_and_caller_informed_when_resolved(
        view: ReferralsView) -> None:
    buttons = (view.in_progress_button, view.resolved_button, view.informed_button)
    assert not view.informed_button.isEnabled()  # nothing chosen yet
    view.view.selectRow(0)  # SYT's, forwarded
    assert view.heading.text() == "PA-2026-000001 · Sở Y tế tỉnh Cà Mau · chuyển lúc " \
        "09/03/2026 09:41, người chuyển: Lê Văn Bình"
    assert (view.description.toPlainText(), view.note.toPlainText()) == (
        "Không phát thuốc cho F0", "Đề nghị kiểm tra")
    assert [(b.isVisible(), b.isEnabled()) for b in buttons] == [
        (True, True), (True, True), (True, False)]
    view.view.selectRow(1)  # CDC's: not this user's agency
    assert [b.isVisible() for b in buttons] == [False, False, True]
    view.view.selectRow(2)  # resolved: the hotline tells the caller
    assert view.resolution.toPlainText() == "Đã nhắc trạm y tế phát thuốc"
    assert [(b.isVisible(), b.isEnabled()) for b in buttons] == [
        (True, False), (True, False), (True, True)]


def test_without_the_users_agency_every_report_offers_the_steps_and_the_hub_decides(
        qtbot: Any, connection: HubConnection, clock: Clock, translations: Any,
        requests: Requests) -> None:
    assert agency_of({"agent": agent_view("Available").model_dump()}) is None  # login today
    assert agency_of({"agency_id": 2}) == 2
    view = ReferralsView(connection, clock, agency_id=None, role="health")
    qtbot.addWidget(view)
    view.show()
    view.set_rows(three_reports())
    view.view.selectRow(1)  # CDC's
    assert view.in_progress_button.isVisible()
    view.in_progress_button.click()
    (asked,) = requests.of(m.ReferralUpdate)
    assert (asked.referral_id, asked.state, asked.resolution) == (2, "in_progress", "")
    requests.answer(asked, error="forbidden", message="only CDC works on this report")
    assert view.message.text() == "Chỉ cán bộ của Trung tâm Kiểm soát bệnh tật tỉnh Cà Mau " \
        "mới cập nhật được bước này. (only CDC works on this report)"
    assert view.model.rows[1]["state"] == "forwarded"


def test_resolving_asks_what_was_done_and_refuses_an_empty_answer(
        qtbot: Any, view: ReferralsView, requests: Requests) -> None:
    view.view.selectRow(0)
    view.resolved_button.click()
    dialog = view.resolution_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    dialog.text.setPlainText("   ")
    dialog.ok.click()
    assert dialog.isVisible() and dialog.message.text() == \
        "Hãy ghi kết quả xử lý trước khi đóng phản ánh."
    assert requests.of(m.ReferralUpdate) == []
    dialog.text.setPlainText("Đã nhắc trạm y tế phát thuốc cho F0")
    dialog.ok.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    (asked,) = requests.of(m.ReferralUpdate)
    assert (asked.referral_id, asked.state, asked.resolution) == (
        1, "resolved", "Đã nhắc trạm y tế phát thuốc cho F0")
    done = {**view.model.rows[0], "state": "resolved", "updated_by": "Phan Thị Sen",
            "resolution": "Đã nhắc trạm y tế phát thuốc cho F0"}
    requests.answer(asked, {"referral": done})
    assert view.message.text() == "Phản ánh PA-2026-000001: Đã xử lý xong."
    assert view.selected() is not None and view.selected()["id"] == 1  # still chosen
    assert view.informed_button.isEnabled() and not view.resolved_button.isEnabled()
    assert view.resolution.toPlainText() == "Đã nhắc trạm y tế phát thuốc cho F0"


def test_pushes_replace_rows_by_id_add_new_ones_and_drop_the_caller_informed(
        qtbot: Any, view: ReferralsView, connection: HubConnection) -> None:
    view.view.selectRow(1)
    moved = referral(2, due=NOW + timedelta(minutes=30), agency=CDC, state="in_progress",
                     updated_by="Ngô Thị Kiều")
    new = referral(4, due=NOW + timedelta(days=3))
    connection.referrals.emit(m.Referrals(seq=5, referrals=[moved, new], changed_only=True))
    assert [row["id"] for row in view.model.rows] == [1, 2, 4, 3]
    assert cells(view, 1)[5] == "Đang xử lý" and view.selected()["id"] == 2
    told = referral(3, due=NOW - timedelta(days=2), state="caller_informed")
    connection.referrals.emit(m.Referrals(seq=6, referrals=[told], changed_only=True))
    assert [row["id"] for row in view.model.rows] == [1, 2, 4]
    connection.referrals.emit(m.Referrals(seq=7, referrals=[new]))  # a whole list
    assert [row["id"] for row in view.model.rows] == [4]
    assert view.summary.text() == "1 phản ánh đã chuyển, 0 quá hạn"


def test_what_the_public_reported_shows_as_text_never_as_markup(
        qtbot: Any, view: ReferralsView) -> None:
    markup = "<b style='font-size:60pt;color:red'>ĐỎ</b>"
    view.set_rows([referral(9, due=NOW + timedelta(days=1), place=markup, description=markup,
                            forwarded_by=markup)])
    view.view.selectRow(0)
    assert view.description.toPlainText() == markup
    assert view.heading.textFormat() == Qt.TextFormat.PlainText and markup in \
        view.heading.text()
    tip = view.model.index(0, view.model.PLACE).data(Qt.ItemDataRole.ToolTipRole)
    assert tip != markup and "&lt;b" in tip  # a tooltip that looks like HTML is escaped


def test_the_lead_window_has_the_tab_and_reads_it_at_each_whole_board(
        lead_window: LeadWindow, requests: Requests) -> None:
    assert len(requests.of(m.ReferralList)) == 1  # the fixture's first (whole) board
    requests.answer(requests.of(m.ReferralList)[0], {"referrals": three_reports()})
    assert tab_of(lead_window) == ("⚠ Phản ánh đã chuyển (1)", QColor("#c62828"))
    assert lead_window.referrals_view.in_progress_button.isHidden()  # nothing chosen
    lead_window.apply_board(lead_board({}, full=False))
    assert len(requests.of(m.ReferralList)) == 1  # a change: the pushes keep it current
    lead_window.apply_board(lead_board({}, full=True))  # a reconnect
    assert len(requests.of(m.ReferralList)) == 2
