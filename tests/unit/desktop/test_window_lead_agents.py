"""The lead window's agents grid, its actions on an agent (listen, whisper, barge, a forced
status) and the supervision bar. Real widgets offscreen, fed with LeadBoard pushes made by
the hub's own builder; what the window asks is caught on its way to HubConnection.request."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from desktop.windows import LeadWindow
from desktop.windows.lead_models import name_key
from protocol import messages as m
from tests.support.desktop_windows import (
    NOW,
    Clock,
    Requests,
    busy_board,
    lead_board,
    supervising,
)

ON_CALL, ON_BREAK = "nv01", "nv05"  # Trần Ngọc Lan talks; Huỳnh Thị Diễm is on a break


@pytest.fixture
def lead_window(lead_window: LeadWindow) -> LeadWindow:
    """conftest's busy lead window, on the agents tab."""
    lead_window.tabs.setCurrentWidget(lead_window.agents_view)
    return lead_window


def _column(window: LeadWindow, column: int) -> list[str]:
    proxy = window.agents_view.proxy
    return [proxy.data(proxy.index(row, column)) for row in range(proxy.rowCount())]


def test_the_grid_shows_each_agent_and_counts_their_times_up(
        qtbot: Any, lead_window: LeadWindow, clock: Clock) -> None:
    view = lead_window.agents_view
    assert view.model.rowCount() == 24 and view.count_label.text() == "24 điện thoại viên"
    board = lead_window.board["agents"]
    lan = view.model.keys.index(ON_CALL)
    row = [view.model.data(view.model.index(lan, c)) for c in range(11)]
    call = board[ON_CALL]["call"]
    talk = int((NOW - datetime.fromisoformat(call["answered_at"])).total_seconds())
    assert row[:4] == ["Trần Ngọc Lan", "CDC", "Sẵn sàng", "Đang đàm thoại"]
    assert row[5:7] == ["1 · Tư vấn và hỗ trợ điều trị F0 tại nhà", call["caller"]]
    assert row[7] == f"{talk // 60}:{talk % 60:02d}"
    brk = view.model.keys.index(ON_BREAK)
    assert view.model.data(view.model.index(brk, 2)).startswith("Tạm nghỉ — ")
    assert view.model.headerData(9, Qt.Orientation.Horizontal) == "Không\nnhấc máy"
    before = row[4]
    clock.advance(60)
    qtbot.waitUntil(lambda: view.model.data(view.model.index(lan, 4)) != before, timeout=3000)
    minutes, seconds = before.split(":")
    assert view.model.data(view.model.index(lan, 4)) == f"{int(minutes) + 1}:{seconds}"


def test_the_grid_sorts_by_any_column(lead_window: LeadWindow) -> None:
    view = lead_window.agents_view
    names = _column(lead_window, 0)
    assert names == sorted(names, key=name_key)  # by the given name: Ánh, Anh, Bảo, …
    assert names[:3] == ["Đỗ Ngọc Ánh", "Dương Đức Anh", "Phan Quốc Bảo"]
    view.view.sortByColumn(8, Qt.SortOrder.DescendingOrder)  # calls today, as numbers
    calls = [int(text) for text in _column(lead_window, 8)]
    assert calls == sorted(calls, reverse=True) and calls[0] >= 10
    view.view.sortByColumn(4, Qt.SortOrder.AscendingOrder)  # time in state: 9:59 before 10:05
    times = [int(t.split(":")[0]) * 60 + int(t.split(":")[1]) for t in _column(lead_window, 4)]
    assert times == sorted(times)
    view.view.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # talking first
    assert _column(lead_window, 3)[0] == "Đang đàm thoại"


def test_the_filter_finds_names_without_diacritics_statuses_and_topics(
        qtbot: Any, lead_window: LeadWindow) -> None:
    view = lead_window.agents_view
    qtbot.keyClicks(view.filter_box, "tran ngoc")
    assert _column(lead_window, 0) == ["Trần Ngọc Lan"]
    assert view.count_label.text() == "24 điện thoại viên — đang hiện 1"
    view.filter_box.setText("tạm nghỉ")
    on_break = [a["full_name"] for a in lead_window.board["agents"].values()
                if a["status"] == "On Break"]
    assert sorted(_column(lead_window, 0)) == sorted(on_break) and on_break
    view.filter_box.setText("hành chính")  # the topic they answer, or their call's
    clerks = [a["full_name"] for a in lead_window.board["agents"].values()
              if a["topics"] == ["public_services"]]
    assert sorted(_column(lead_window, 0)) == sorted(clerks) and len(clerks) == 8
    view.filter_box.clear()
    assert view.proxy.rowCount() == 24


def test_a_push_keeps_the_selected_agent_selected(lead_window: LeadWindow) -> None:
    view = lead_window.agents_view
    assert view.select_agent(ON_CALL)
    board = busy_board()
    changed = {ON_CALL: {**board["agents"][ON_CALL], "calls_today": 40}}
    lead_window.apply_board(lead_board({"agents": changed}, full=False,
                                       removed={"agents": ["nv02"]}))
    assert view.model.rowCount() == 23 and view.current_agent() is not None
    assert view.current_agent()["username"] == ON_CALL
    assert view.current_agent()["calls_today"] == 40


def test_listen_whisper_and_barge_keys_ask_the_hub(
        qtbot: Any, lead_window: LeadWindow, requests: Requests) -> None:
    view = lead_window.agents_view
    view.view.setFocus()
    view.select_agent(ON_BREAK)  # not on a call: nothing to listen to
    qtbot.keyClick(view.view, Qt.Key.Key_L)
    assert requests.of(m.LeadSupervise) == [] and not view.mode_actions["listen"].isEnabled()
    view.select_agent(ON_CALL)
    for key in (Qt.Key.Key_L, Qt.Key.Key_W, Qt.Key.Key_B):
        qtbot.keyClick(view.view, key)
    assert [(r.agent, r.mode) for r in requests.of(m.LeadSupervise)] == [
        (ON_CALL, "listen"), (ON_CALL, "whisper"), (ON_CALL, "barge")]
    first = requests.of(m.LeadSupervise)[0]
    requests.answer(first, {"token": "0123456789abcdef"})
    assert lead_window.statusBar().currentMessage() == \
        "Máy của bạn sẽ đổ chuông: nhấc máy để giám sát cuộc gọi của Trần Ngọc Lan."
    requests.answer(requests.of(m.LeadSupervise)[1], error="conflict",
                    message="you are listening to nv01; end that first")
    assert lead_window.statusBar().currentMessage() == \
        "Người khác đã làm việc này trước. (you are listening to nv01; end that first)"


def test_enter_opens_the_actions_and_s_the_statuses(
        qtbot: Any, lead_window: LeadWindow, requests: Requests) -> None:
    view = lead_window.agents_view
    view.view.setFocus()
    view.select_agent(ON_CALL)
    qtbot.keyClick(view.view, Qt.Key.Key_Return)
    qtbot.waitUntil(view.actions_menu.isVisible, timeout=2000)
    shown = [(a.text(), a.shortcut().toString()) for a in view.actions_menu.actions()
             if a.text()]
    assert shown[:3] == [("Nghe", "L"), ("Nhắc riêng", "W"), ("Tham gia", "B")]
    assert shown[3][0] == "Đặt trạng thái (S)"
    modes = list(view.mode_actions.values())
    buttons = [b.text() for b in view.findChildren(QToolButton) if b.defaultAction() in modes]
    assert buttons == ["Nghe (L)", "Nhắc riêng (W)", "Tham gia (B)"]
    view.actions_menu.close()
    qtbot.keyClick(view.view, Qt.Key.Key_S)
    qtbot.waitUntil(view.status_menu.isVisible, timeout=2000)
    view.status_actions["On Break/meal"].trigger()
    view.status_menu.close()
    view.status_actions["Available"].trigger()
    view.select_agent(ON_BREAK)
    view.status_actions["Logged Out"].trigger()
    assert [(r.agent, r.status, r.reason) for r in requests.of(m.LeadSetStatus)] == [
        (ON_CALL, "On Break", "meal"), (ON_CALL, "Available", None),
        (ON_BREAK, "Logged Out", None)]
    requests.answer(requests.of(m.LeadSetStatus)[0])
    assert lead_window.statusBar().currentMessage() == \
        "Trần Ngọc Lan: đã chuyển sang Tạm nghỉ — Nghỉ ăn."


def test_the_supervision_bar_follows_the_hub(
        lead_window: LeadWindow, requests: Requests, clock: Clock) -> None:
    bar = lead_window.supervision_bar
    assert not bar.isVisible()
    board = busy_board()
    ringing = supervising(ON_CALL, "Trần Ngọc Lan", state="ringing")
    lead_window.apply_board(lead_board({}, full=False, supervision=ringing,
                                       supervision_changed=True))
    assert bar.isVisible() and bar.mode_buttons["listen"].isChecked()
    assert bar.text_label.text() == \
        "Giám sát cuộc gọi của Trần Ngọc Lan (Nghe) — đang đổ chuông máy của bạn"
    assert not bar.mode_buttons["whisper"].isEnabled()  # not before the phone answered
    connected = supervising(ON_CALL, "Trần Ngọc Lan", started=NOW - timedelta(seconds=75))
    lead_window.apply_board(lead_board({}, full=False, supervision=connected,
                                       supervision_changed=True))
    assert bar.text_label.text() == \
        "Giám sát cuộc gọi của Trần Ngọc Lan (Nghe) — đã kết nối · 1:15"
    lead_window.apply_board(lead_board({"agents": board["agents"]}, full=False))
    assert bar.isVisible()  # a push that says nothing of the supervision keeps it
    bar.mode_buttons["whisper"].click()
    assert bar.mode_buttons["listen"].isChecked()  # until the hub says the mode changed
    assert [(r.agent, r.mode) for r in requests.of(m.LeadSupervise)] == [(ON_CALL, "whisper")]
    whisper = {**connected, "mode": "whisper"}
    lead_window.apply_board(lead_board({}, full=False, supervision=whisper,
                                       supervision_changed=True))
    assert bar.mode_buttons["whisper"].isChecked()
    assert "(Nhắc riêng)" in bar.text_label.text()
    lead_window.agents_view.select_agent(ON_CALL)
    lead_window.agents_view.mode_actions["barge"].trigger()  # the same agent: a mode change
    requests.answer(requests.of(m.LeadSupervise)[-1], {"token": "0123456789abcdef"})
    assert lead_window.statusBar().currentMessage() == "Đã đổi chế độ: Tham gia."
    bar.end_button.click()
    (end,) = requests.of(m.LeadSuperviseEnd)
    requests.answer(end)
    assert lead_window.statusBar().currentMessage() == "Đã kết thúc giám sát."
    lead_window.apply_board(lead_board({}, full=False, supervision=None,
                                       supervision_changed=True))
    assert not bar.isVisible() and lead_window.supervision is None


def test_logging_out_ends_a_supervision_first(qtbot: Any, lead_window: LeadWindow,
                                               requests: Requests) -> None:
    lead_window.apply_board(lead_board({}, full=False, supervision=supervising(
        ON_CALL, "Trần Ngọc Lan"), supervision_changed=True))
    with qtbot.waitSignal(lead_window.logout_requested, timeout=1000):
        lead_window.logout_action.trigger()
    assert len(requests.of(m.LeadSuperviseEnd)) == 1
