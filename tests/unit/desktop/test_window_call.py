"""The current call: the screen-pop, the case form and its save, after-call work, transfers.
Real widgets offscreen, fed with the protocol's own message objects (protocol.messages) as
HubConnection's signals would deliver them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QWidget,
)

from desktop.connection import HubConnection
from desktop.forms.merge import merge_forms
from desktop.models import format_time
from desktop.windows import AgentWindow
from protocol import messages as m
from tests.support.desktop_windows import (
    CALL_UUID,
    NOW,
    Clock,
    agent_view,
    answer_dialog,
    iso,
    screen_pop,
    sent,
)

# -- the call ----------------------------------------------------------------------------

def test_screen_pop_fills_the_call_panel_history_declaration_and_form(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available"), callbacks=[]))
    window.show_screen_pop(screen_pop(session_data))
    panel = window.call_panel
    assert panel.caller_label.text() == "0912 345 678"  # one format everywhere
    assert panel.name_label.text() == "Nguyễn Thị Hồng Nhung"
    assert panel.topic_label.text() == "Tư vấn và hỗ trợ điều trị F0 tại nhà"
    assert panel.waited_label.text() == "Đã chờ: 0:52"
    assert panel.talk_label.text() == "Đàm thoại: 2:13 (từ 09:39:22)"
    history = window.screen_pop_view.history
    assert [row["kind"] for row in history.rows] == ["case", "call", "declaration"]
    assert history.data(history.index(0, 0)) == format_time(NOW - timedelta(days=2))
    assert history.data(history.index(0, 1)) == "Hồ sơ"
    assert history.data(history.index(0, 3)) == "F0-2026-000087"
    assert history.data(history.index(0, 4)) == "Theo dõi"
    assert history.headerData(0, Qt.Orientation.Horizontal) == "Thời gian"
    box = window.screen_pop_view.declaration_box
    texts = [label.text() for label in box.findChildren(QWidget) if hasattr(label, "text")]
    assert box.isVisible() and "Xã Đầm Dơi" in texts and "09/03/2026" in texts
    assert "Test nhanh kháng nguyên" in texts and "Nữ" in texts  # codes named as the form does
    form = window.screen_pop_view.form_host.form
    assert form is not None and form.values()["full_name"] == "Nguyễn Thị Hồng Nhung"
    assert window.tabs.currentWidget() is window.screen_pop_view
    assert window.escalate_action.isEnabled() and window.save_action.isEnabled()


def test_a_snapshot_of_the_same_call_keeps_what_the_nurse_typed(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    pop = screen_pop(session_data)
    window.show_screen_pop(pop)
    form = window.screen_pop_view.form_host.form
    form.set_values({**form.values(), "spo2": 93})
    window.apply_snapshot(m.Snapshot(seq=9, agent=agent_view("Available"), call=pop.call,
                                     screen_pop=pop.model_dump()))
    assert window.screen_pop_view.form_host.form is form and form.values()["spo2"] == 93


def test_call_ended_counts_down_after_call_work(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any], clock: Clock) -> None:
    window.show_screen_pop(screen_pop(session_data))
    panel = window.call_panel
    assert not panel.acw_label.isVisible()
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid=CALL_UUID,
                                        acw_until=iso(NOW + timedelta(seconds=180))))
    assert panel.acw_label.isVisible()
    assert panel.acw_label.text() == "Hoàn tất sau cuộc gọi: còn 3:00"
    assert panel.talk_label.text() == "Cuộc gọi kết thúc sau 2:13 (bắt đầu 09:39:22)"
    assert not window.escalate_action.isEnabled() and window.save_action.isEnabled()
    assert window.wrap_up_action.isEnabled()
    clock.advance(30)
    qtbot.waitUntil(lambda: panel.acw_label.text() == "Hoàn tất sau cuộc gọi: còn 2:30",
                    timeout=3000)
    clock.advance(200)
    qtbot.waitUntil(lambda: panel.acw_label.text() == "Đã hết thời gian hoàn tất sau cuộc gọi",
                    timeout=3000)
    window.apply_agent_status(m.AgentStatus(seq=4, agent=agent_view("Available")))
    assert not panel.acw_label.isVisible() and not window.wrap_up_action.isEnabled()


def test_a_call_that_ended_while_the_link_was_down_stops_its_talk_timer(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any], clock: Clock) -> None:
    window.show_screen_pop(screen_pop(session_data))
    window.apply_snapshot(m.Snapshot(seq=7, agent=agent_view("Available")))  # no call now
    panel = window.call_panel
    assert panel.ended and panel.talk_label.text() == \
        "Cuộc gọi kết thúc sau 2:13 (bắt đầu 09:39:22)"
    clock.advance(600)
    qtbot.wait(1100)  # a tick of the panel's timer
    assert panel.talk_label.text() == "Cuộc gọi kết thúc sau 2:13 (bắt đầu 09:39:22)"
    assert not panel.acw_label.isVisible() and not window.wrap_up_action.isEnabled()
    assert not window.hangup_action.isEnabled() and window.save_action.isEnabled()


def test_a_call_ended_for_another_call_changes_nothing(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    window.show_screen_pop(screen_pop(session_data))
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid="another-call"))
    assert window.escalate_action.isEnabled() and not window.call_panel.acw_label.isVisible()


def test_ctrl_s_saves_the_case_and_waits_for_the_link_when_offline(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any],
        connection: HubConnection) -> None:
    window.show_screen_pop(screen_pop(session_data))
    form = window.screen_pop_view.form_host.form
    assert window.screen_pop_view.case_status() == "open"  # a new case, no outcome yet
    form.editor("outcome").set_value("advised_home")  # home treatment: followed up
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    (save,) = sent(connection, m.CaseSave)
    assert save.topic == "f0_home_care" and save.call_uuid == CALL_UUID
    assert save.caller_phone == "0912345678" and save.status == "follow_up"
    assert save.form["outcome"] == "advised_home" and save.draft_id == CALL_UUID
    assert window.screen_pop_view.message.text() == \
        "Mất kết nối: hồ sơ sẽ được gửi khi kết nối trở lại."
    assert window.status_bar.pending_label.text() == "Chờ gửi: 1"


def test_a_form_with_errors_is_not_sent(window: AgentWindow, session_data: dict[str, Any],
                                        connection: HubConnection) -> None:
    window.show_screen_pop(screen_pop(session_data))  # no outcome yet: required
    assert window.save_case() is None
    assert sent(connection, m.CaseSave) == []
    assert window.screen_pop_view.message.text().startswith("Kiểm tra lại phiếu:")


def test_the_hubs_answer_to_a_save(window: AgentWindow, session_data: dict[str, Any],
                                   connection: HubConnection,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A save refused because a colleague saved first: their version is read and merged in
    (their changes taken, the nurse's kept, the fields both changed named), then saved."""
    answers: list[Any] = []
    saves: list[dict[str, Any]] = []
    monkeypatch.setattr(connection, "case_save", lambda callback, **fields: (
        answers.append(callback), saves.append(fields)) and "r1")
    monkeypatch.setattr(connection, "case_get",
                        lambda case_id, callback: answers.append(callback) or "r2")
    base = screen_pop(session_data).draft
    window.show_screen_pop(screen_pop(session_data, open_case={
        "id": 311, "code": "F0-2026-000087", "status": "follow_up", "version": 2,
        "form": base}))
    view = window.screen_pop_view
    assert (view.case_id, view.version, view.case_status()) == (311, 2, "follow_up")
    form = view.form_host.form
    form.set_values({"outcome": "advised_home", "spo2": 95})
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid=CALL_UUID,
                                        acw_until=iso(NOW + timedelta(seconds=60))))
    window.save_case()
    answers[0](m.Error(id="r1", code="conflict", message="case F0-2026-000087 was changed"))
    assert view.message.text().startswith("Người khác vừa lưu hồ sơ này")
    theirs = {**base, "birth_year": 1986, "spo2": 93}
    answers[1](m.Reply(type="case_get", id="r2", data={"case": {
        "id": 311, "code": "F0-2026-000087", "version": 4, "form": theirs,
        "updated_at": iso(NOW - timedelta(minutes=1))}}))
    values = form.values()
    assert (values["birth_year"], values["spo2"], values["outcome"]) == (
        1986, 95, "advised_home")  # theirs taken, the nurse's kept
    assert form.label("spo2") in view.message.text() and view.version == 4
    window.save_case()
    assert saves[-1]["version"] == 4 and saves[-1]["form"]["spo2"] == 95
    answers[2](m.Reply(type="case_save", id="r1", data={"case": {
        "id": 311, "code": "F0-2026-000087", "version": 5}}))
    assert view.message.text() == "Đã lưu hồ sơ F0-2026-000087." and view.version == 5
    assert not window.call_panel.acw_label.isVisible()


def test_merge_forms_takes_theirs_keeps_mine_and_names_both() -> None:
    base = {"a": 1, "b": 2, "c": 3, "d": 4}
    mine = {"a": 1, "b": 20, "c": 30, "e": 5}  # d cleared, e new
    theirs = {"a": 10, "b": 2, "c": 31, "d": 4, "f": 6}
    merged, both = merge_forms(base, mine, theirs)
    assert merged == {"a": 10, "b": 20, "c": 30, "d": None, "e": 5, "f": 6}
    assert both == ["c"]
    assert merge_forms(base, base, theirs) == (theirs, [])


def test_ctrl_e_transfers_to_115_and_records_the_escalation(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch, connection: HubConnection) -> None:
    transfers: list[tuple[str, str]] = []
    monkeypatch.setattr(connection, "call_transfer",
                        lambda uuid, to, target, callback: transfers.append((uuid, to)) or "r")
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert transfers == []  # no call, nothing to transfer (and nothing asked)
    window.show_screen_pop(screen_pop(session_data))
    asked = answer_dialog("Ở lại cuộc gọi")  # a slip of the fingers: the nurse stays
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Chuyển 0912 345 678 sang cấp cứu 115 ngay?"] and transfers == []
    assert window.screen_pop_view.case_status() != "escalated"
    with qtbot.waitActive(window):  # the dialog had the focus
        window.activateWindow()
    answer_dialog("Chuyển cấp cứu 115")
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert transfers == [(CALL_UUID, "emergency")]
    assert window.screen_pop_view.case_status() == "escalated"
    assert window.screen_pop_view.form_host.form.values()["outcome"] == "escalated_115"


def test_a_transfer_asked_offline_fails_at_once(qtbot: Any, window: AgentWindow,
                                                session_data: dict[str, Any],
                                                connection: HubConnection) -> None:
    window.show_screen_pop(screen_pop(session_data))
    answer_dialog("Chuyển cấp cứu 115")
    with qtbot.waitSignal(connection.reply_received, timeout=2000) as answer:
        window.escalate()
    assert answer.args[0].code == "offline"
    assert window.statusBar().currentMessage() == "Chưa kết nối được với máy chủ. " \
        "(not connected to the hub)"


def test_logging_out_or_closing_mid_call_asks_first(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any]) -> None:
    left: list[bool] = []
    window.logout_requested.connect(lambda: left.append(True))
    window.show_screen_pop(screen_pop(session_data))
    asked = answer_dialog("Ở lại")
    window.logout_action.trigger()
    assert asked[0].startswith("Đang có cuộc gọi.") and left == []
    answer_dialog("Ở lại")
    window.close()  # the window's close button
    assert window.isVisible() and left == []
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid=CALL_UUID,
                                        acw_until=iso(NOW + timedelta(seconds=60))))
    asked = answer_dialog("Đăng xuất")
    window.close()
    assert asked[0].startswith("Hồ sơ của cuộc gọi vừa rồi chưa được lưu.") and left == [True]
