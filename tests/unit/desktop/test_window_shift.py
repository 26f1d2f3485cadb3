"""A nurse's shift as a new user tried it: what the header, the history, the search, the
callbacks and the status bar show between and during calls. Real widgets offscreen, fed the
protocol's own messages (tests/support/desktop_windows.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt

from desktop.connection import HubConnection
from desktop.windows import AgentWindow
from desktop.windows.call_panel import caller_id_name
from protocol import messages as m
from tests.support.desktop_windows import (
    CALL_UUID,
    NOW,
    Clock,
    Requests,
    agent_view,
    iso,
    screen_pop,
)

CASE = {"id": 312, "code": "F0-2026-000088", "topic": "f0_home_care", "status": "follow_up",
        "version": 1, "updated_at": iso(NOW), "created_at": iso(NOW),
        "form": {"full_name": "Nguyễn Thị Hồng Nhung", "outcome": "follow_up",
                 "triage_level": "yellow", "follow_up_on": "2026-03-14"}}


def _saved(requests: Requests, case: dict[str, Any] = CASE) -> None:
    (save,) = requests.of(m.CaseSave)
    requests.answer(save, {"case": case})


def test_the_call_on_screen_is_not_a_row_of_its_own_history(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    pop = screen_pop(session_data)
    mine = {"kind": "call", "id": pop.call.call_id, "at": pop.call.answered_at,
            "topic": "f0_home_care", "status": "answered", "summary": ""}
    window.show_screen_pop(pop.model_copy(update={"history": [mine, *pop.history]}))
    ids = [(row["kind"], row["id"]) for row in window.screen_pop_view.history.rows]
    assert ("call", pop.call.call_id) not in ids and ("call", 4987) in ids


def test_a_saved_case_tops_the_history_in_words_not_codes(
        window: AgentWindow, session_data: dict[str, Any], requests: Requests) -> None:
    window.show_screen_pop(screen_pop(session_data))
    history = window.screen_pop_view.history
    earlier = history.data(history.index(0, 5))
    assert earlier == "Nguyễn Thị Hồng Nhung · Hẹn gọi lại theo dõi"  # not "· follow_up"
    form = window.screen_pop_view.form_host.form
    form.set_values({"outcome": "follow_up", "follow_up_on": "2026-03-14"})
    assert window.save_case() is not None
    _saved(requests)
    top = history.rows[0]
    assert (top["kind"], top["code"]) == ("case", "F0-2026-000088")
    assert history.data(history.index(0, 5)) == \
        "Nguyễn Thị Hồng Nhung · Hẹn gọi lại theo dõi · Vàng — nguy cơ trung bình"
    assert history.data(history.index(0, 4)) == "Theo dõi"


def test_a_double_click_on_a_case_opens_it(
        qtbot: Any, window: AgentWindow, requests: Requests) -> None:
    view = window.search_view
    view.results.set_rows([{"kind": "case", "id": 312, "at": iso(NOW), "topic": "f0_home_care",
                            "code": "F0-2026-000088", "status": "follow_up"}])
    with qtbot.waitSignal(view.case_requested):
        view.table.doubleClicked.emit(view.results.index(0, 0))
    (asked,) = requests.of(m.CaseGet)
    assert asked.case_id == 312
    requests.answer(asked, {"case": {**CASE, "notes": "Gọi lại sáng thứ Bảy",
                                     "form": {**CASE["form"], "spo2": 97, "pregnant": True,
                                              "symptoms": ["fever", "cough"],
                                              "admin_unit": "32152"}}})
    viewer = _viewer(window)
    assert viewer.windowTitle() == "Hồ sơ F0-2026-000088"
    shown = dict(viewer.fields)
    assert shown["Họ và tên người bệnh"] == "Nguyễn Thị Hồng Nhung"
    assert shown["SpO2"] == "97 %" and shown["Đang mang thai"] == "Có"
    assert shown["Triệu chứng"] == "Sốt, Ho" and shown["Xã, phường"] == "Xã Đầm Dơi"
    assert shown["Kết quả xử lý"] == "Hẹn gọi lại theo dõi"
    assert shown["Ngày hẹn gọi lại"] == "14/03/2026"
    assert shown["Ghi chú"] == "Gọi lại sáng thứ Bảy"


def _viewer(window: AgentWindow) -> Any:
    from desktop.windows.case_viewer import CaseViewer

    (viewer,) = window.findChildren(CaseViewer)
    return viewer


def test_a_case_saved_during_the_call_has_no_after_call_countdown(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any], requests: Requests) -> None:
    window.show_screen_pop(screen_pop(session_data))
    form = window.screen_pop_view.form_host.form
    form.set_values({"spo2": 93, "respiratory_rate": 22, "outcome": "escalated_115"})
    assert window.save_case() is not None
    _saved(requests, {**CASE, "status": "escalated"})
    button = form.triage_bar.escalate_button
    qtbot.waitUntil(button.isVisible)  # the form is shown once the event loop runs
    assert button.isEnabled()
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid=CALL_UUID, acw_until=None))
    assert not window.call_panel.acw_label.isVisible()
    assert window.call_panel.acw_seconds_left() is None
    assert not window.wrap_up_action.isEnabled()
    assert button.isVisible() and not button.isEnabled()  # nobody left to transfer
    assert "kết thúc" in button.toolTip()


def test_the_next_call_ringing_clears_the_last_caller_from_the_header(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    window.show_screen_pop(screen_pop(session_data))
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid=CALL_UUID,
                                        acw_until=iso(NOW + timedelta(seconds=60))))
    window.apply_agent_status(m.AgentStatus(seq=4, agent=agent_view("Available",
                                                                     state="Receiving")))
    panel = window.call_panel
    assert panel.caller_label.text() == "Cuộc gọi đến…"
    assert panel.name_label.text() == "" and "0912" not in panel.caller_label.text()


def test_the_caller_is_named_by_the_records_not_the_networks_caller_id(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    pop = screen_pop(session_data, draft={})
    window.show_screen_pop(pop.model_copy(update={"call": pop.call.model_copy(
        update={"caller_name": "0912345678"})}))
    assert window.call_panel.name_label.text() == "Nguyễn Thị Hồng Nhung"  # the declaration
    call = pop.call
    assert caller_id_name(call.model_copy(update={"caller_name": "84912345678"})) == ""
    assert caller_id_name(call.model_copy(update={"caller_name": "UNKNOWN"})) == ""
    assert caller_id_name(call.model_copy(update={"caller_name": "Trạm Y tế xã Tân Lộc"})) \
        == "Trạm Y tế xã Tân Lộc"


def test_time_in_status_counts_on_this_pcs_clock_whatever_the_hubs_times(
        qtbot: Any, window: AgentWindow, clock: Clock) -> None:
    """The hub's `since` is 5 minutes ahead of this PC (a clock off, or the simulator's
    faster one): the status bar counts from what the hub said, not from 0:00 forever."""
    agent = agent_view("Available", since=iso(NOW + timedelta(minutes=5)), for_seconds=42.0)
    window.apply_agent_status(m.AgentStatus(seq=2, agent=agent))
    bar = window.status_bar
    assert bar.time_label.text() == "Thời gian trạng thái: 0:42"
    clock.advance(60)
    qtbot.waitUntil(lambda: bar.time_label.text() == "Thời gian trạng thái: 1:42", timeout=3000)
    window.apply_agent_status(m.AgentStatus(seq=3, agent=agent))  # the same: counts on
    assert bar.time_label.text() == "Thời gian trạng thái: 1:42"


def test_callbacks_show_numbers_one_way_and_topics_whole(
        window: AgentWindow, connection: HubConnection) -> None:
    row = {"id": 9, "phone": "+84939150008", "topic": "f0_home_care", "reason": "requested",
           "due_at": iso(NOW + timedelta(minutes=15)), "attempts": 0}
    window.show_callbacks(m.Callbacks(seq=2, callbacks=[row]))
    model = window.callbacks_view.model
    assert model.data(model.index(0, 2)) == "0939 150 008"
    assert model.data(model.index(0, 3)) == "F0 điều trị tại nhà"
    assert not model.is_overdue(row)
    view = window.callbacks_view.view
    metrics = view.fontMetrics()
    assert view.columnWidth(3) >= metrics.horizontalAdvance("F0 điều trị tại nhà") + 8
    assert view.model().headerData(3, Qt.Orientation.Horizontal)
