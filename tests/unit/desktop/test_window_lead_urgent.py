"""The lead window's urgent declarations: the board's `urgent` section (declarations at an
alert level whose callback is still owed) in its own tab, overdue ones in red on the hub's
clock, the sound for each new one (not for those on the first board; not when muted), and the
tab's title counting them in red. Real widgets offscreen, fed with LeadBoard pushes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor

from desktop.connection import HubConnection
from desktop.i18n import Translations
from desktop.models import LEVEL_ROLE
from desktop.windows import LeadWindow
from tests.support.desktop_windows import (
    NOW,
    Clock,
    calm_board,
    iso,
    lead_board,
    open_lead_window,
)

F0 = "f0_home_care"
LEVEL, RECEIPT, AGE, UNIT, TOPIC, PHONE, RECEIVED, DUE, STATE, ATTEMPTS = range(10)
RED = QColor("#c62828")


@pytest.fixture
def lead_window(qtbot: Any, connection: HubConnection, settings: QSettings,
                translations: Translations, clock: Clock) -> LeadWindow:
    """A lead window that has had no board yet, on the urgent tab; its bell is silent (the
    alert counts its rings)."""
    window = open_lead_window(qtbot, connection, settings, translations, clock,
                              bell=lambda: None)
    window.tabs.setCurrentWidget(window.urgent_view)
    return window


def urgent(callback_id: int, level: str, due_minutes: float, **fields: Any) -> dict[str, Any]:
    """An urgent row as the hub's board builds it (callcenter/hub/lead_store.py)."""
    return {"callback_id": callback_id, "topic": F0, "phone": f"091•••{callback_id:04d}",
            "receipt": fields.pop("receipt", "KB7K3M9Q2P"), "level": level,
            "birth_year": 1958, "unit": "Xã Tân Thuận",
            "received_at": iso(NOW - timedelta(minutes=31)),
            "due_at": iso(NOW + timedelta(minutes=due_minutes)), "state": "open",
            "attempts": 0, "dialling": None, **fields}


def first_board() -> dict[str, dict[str, Any]]:
    """Every queue green (a red one would ring too), two urgent declarations."""
    return {**calm_board(), "urgent": {
        "50": urgent(50, "red", -1.5),
        "53": urgent(53, "orange", 20, receipt="KB3C5D7F9G", birth_year=1972,
                     unit="Xã Đất Mũi", state="dialing", attempts=1,
                     dialling="Trần Ngọc Lan")}}


def rows(window: LeadWindow, *columns: int) -> list[tuple[Any, ...]]:
    proxy = window.urgent_view.proxy
    return [tuple(proxy.data(proxy.index(r, c)) for c in columns)
            for r in range(proxy.rowCount())]


def tab(window: LeadWindow) -> tuple[str, QColor]:
    index = window.tabs.indexOf(window.urgent_view)
    return window.tabs.tabText(index), window.tabs.tabBar().tabTextColor(index)


def test_the_urgent_tab_shows_each_declaration_and_the_first_board_rings_nothing(
        lead_window: LeadWindow) -> None:
    assert tab(lead_window)[0] == "Khai báo khẩn cần gọi"  # nothing yet: a plain title
    lead_window.apply_board(lead_board(first_board()))
    assert lead_window.alert.rings == 0  # they were there before this window opened: not news
    assert tab(lead_window) == ("⚠ Khai báo khẩn cần gọi (2)", RED)
    topic = "1 · Tư vấn và hỗ trợ điều trị F0 tại nhà"
    assert rows(lead_window, *range(10)) == [
        ("Đỏ", "KB-7K3M-9Q2P", "68 tuổi", "Xã Tân Thuận", topic, "091•••0050", "09:10",
         "09:40 · quá hạn 1:30", "Đang chờ gọi lại", "0"),
        ("Cam", "KB-3C5D-7F9G", "54 tuổi", "Xã Đất Mũi", topic, "091•••0053", "09:10",
         "10:01 · còn 20:00", "Trần Ngọc Lan đang gọi", "1")]
    model = lead_window.urgent_view.model
    red = model.keys.index("50")
    assert model.data(model.index(red, LEVEL), LEVEL_ROLE) == "red"  # painted as a badge
    assert model.data(model.index(red, DUE), Qt.ItemDataRole.ForegroundRole) == RED
    assert model.data(model.index(1 - red, DUE), Qt.ItemDataRole.ForegroundRole) is None
    assert lead_window.urgent_view.summary.text() == \
        "Khai báo khẩn cần gọi: 2 (quá hạn: 1). Chỉ điều dưỡng gọi lại mới thấy họ tên."
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(10)]
    assert headers == ["Mức độ", "Mã tiếp nhận", "Tuổi", "Xã, phường", "Chủ đề",
                       "Số điện thoại", "Nhận lúc", "Hạn gọi", "Trạng thái", "Số lần gọi"]


def test_the_due_time_counts_on_the_hubs_clock_and_turns_red_when_passed(
        qtbot: Any, lead_window: LeadWindow, clock: Clock) -> None:
    board = {**calm_board(), "urgent": {"60": urgent(60, "red", 0.5)}}
    lead_window.apply_board(lead_board(board))
    model = lead_window.urgent_view.model
    assert model.data(model.index(0, DUE)) == "09:42 · còn 0:30"
    assert model.data(model.index(0, DUE), Qt.ItemDataRole.ForegroundRole) is None
    clock.advance(45)  # no push: the window's clock ticks on
    summary = lead_window.urgent_view.summary
    qtbot.waitUntil(lambda: summary.text().startswith("Khai báo khẩn cần gọi: 1 (quá hạn: 1)."),
                    timeout=3000)
    assert model.data(model.index(0, DUE)) == "09:42 · quá hạn 0:15"
    assert model.data(model.index(0, DUE), Qt.ItemDataRole.ForegroundRole) == RED


def test_a_new_urgent_declaration_rings_once_and_counts_in_the_title(
        lead_window: LeadWindow) -> None:
    lead_window.apply_board(lead_board(first_board()))
    lead_window.apply_board(lead_board({"urgent": {"54": urgent(54, "red", 12,
                                                                receipt="KB4D6F8H1J")}},
                                       full=False))
    assert lead_window.alert.rings == 1
    assert tab(lead_window) == ("⚠ Khai báo khẩn cần gọi (3)", RED)
    # red before orange, each level by the earliest due
    assert rows(lead_window, LEVEL, RECEIPT) == [
        ("Đỏ", "KB-7K3M-9Q2P"), ("Đỏ", "KB-4D6F-8H1J"), ("Cam", "KB-3C5D-7F9G")]
    dialled = urgent(54, "red", 12, receipt="KB4D6F8H1J", state="dialing",
                     dialling="Nguyễn Thị Hạnh", attempts=1)
    lead_window.apply_board(lead_board({"urgent": {"54": dialled}}, full=False))
    assert lead_window.alert.rings == 1  # the same declaration, now being dialled: no news
    assert ("KB-4D6F-8H1J", "Nguyễn Thị Hạnh đang gọi", "1") in rows(
        lead_window, RECEIPT, STATE, ATTEMPTS)
    lead_window.apply_board(lead_board({}, full=False, removed={"urgent": ["50", "53"]}))
    assert tab(lead_window) == ("⚠ Khai báo khẩn cần gọi (1)", RED)
    lead_window.apply_board(lead_board({}, full=False, removed={"urgent": ["54"]}))
    assert tab(lead_window) == ("Khai báo khẩn cần gọi", QColor())
    assert lead_window.urgent_view.summary.text() == "Không có khai báo khẩn nào đang chờ gọi."
    assert lead_window.alert.rings == 1  # a call done rings nothing
    lead_window.apply_board(lead_board(first_board()))  # a whole board again (a resume)
    assert lead_window.alert.rings == 2  # both came while the board was away


def test_a_muted_lead_hears_no_new_declaration(lead_window: LeadWindow) -> None:
    lead_window.apply_board(lead_board(first_board()))
    lead_window.mute_action.trigger()
    lead_window.apply_board(lead_board({"urgent": {"55": urgent(55, "orange", 15)}},
                                       full=False))
    assert lead_window.alert.rings == 0 and tab(lead_window)[0] == "⚠ Khai báo khẩn cần gọi (3)"
    lead_window.mute_action.trigger()
    lead_window.apply_board(lead_board({"urgent": {"56": urgent(56, "red", 0)}}, full=False))
    assert lead_window.alert.rings == 1


def test_the_urgent_tab_in_english(lead_window: LeadWindow) -> None:
    lead_window.apply_board(lead_board(first_board()))
    lead_window.set_language("en")
    assert tab(lead_window)[0] == "⚠ Urgent declarations (2)"
    assert rows(lead_window, LEVEL, AGE, DUE, STATE) == [
        ("Red", "68 years old", "09:40 · overdue by 1:30", "Waiting to be called"),
        ("Orange", "54 years old", "10:01 · in 20:00", "Being dialled by Trần Ngọc Lan")]
    view = lead_window.urgent_view.view
    header, model = view.horizontalHeader(), lead_window.urgent_view.model
    for column in range(model.columnCount()):  # no header clipped
        text = str(model.headerData(column, Qt.Orientation.Horizontal))
        assert header.sectionSize(column) >= header.fontMetrics().horizontalAdvance(text), text
    lead_window.set_language("vi")
    assert tab(lead_window)[0] == "⚠ Khai báo khẩn cần gọi (2)"
    assert model.headerData(AGE, Qt.Orientation.Horizontal) == "Tuổi"


def test_a_home_treatment_check_in_that_alerted_says_why(lead_window: LeadWindow) -> None:
    board = {**calm_board(), "urgent": {"70": urgent(
        70, "red", -5, kind="check_in", receipt="F0-2026-000012",
        reasons=["SpO2 97 → 93", "respiratory rate 18 → 24"])}}
    lead_window.apply_board(lead_board(board))
    (row,) = rows(lead_window, 1, 8)
    assert row == ("F0-2026-000012", "Xấu đi: SpO2 97 → 93; nhịp thở 18 → 24 · Đang chờ gọi lại")
