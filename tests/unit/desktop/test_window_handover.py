"""Forwarding a report from the agent window, the logout that hands the shift's work to a
colleague or the pool, the connection's logout that waits for the hub, and the incoming lead's
hand-over tab. Real widgets offscreen; the hub's answers are the protocol's own messages (a
scripted WebSocket server for the connection's own test)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMessageBox

from desktop.connection import HubConnection
from desktop.windows import AgentWindow, LeadWindow
from desktop.windows.handover import HandoverDialog
from protocol import messages as m
from tests.support.desktop_windows import CALL_UUID, NOW, Requests, iso, lead_board, screen_pop
from tests.support.scripted_hub import ScriptedHub

REPORT = {"place": "Trạm y tế xã Tân Thuận", "admin_unit": "32152", "severity": "high",
          "description": "Không phát thuốc cho F0", "forwarded_to": "Sở Y tế",
          "outcome": "forwarded"}
COLLEAGUES = [{"username": "hoa", "full_name": "Trần Thị Hoa", "online": False},
              {"username": "mai", "full_name": "Lê Thị Mai", "online": True}]


def report_pop(session_data: dict[str, Any], **form: Any) -> m.ScreenPop:
    topic = next(t for t in session_data["topics"] if t["key"] == "epidemic_report")
    call = m.CallView(uuid=CALL_UUID, call_id=5121, caller_number="0912000333",
                      topic="epidemic_report", answered_at=iso(NOW - timedelta(seconds=90)))
    return screen_pop(session_data, call=call, topic=topic, history=[], declaration=None,
                      draft={**REPORT, **form})


def saved_case(requests: Requests, outcome: str = "forwarded") -> None:
    """The hub's answer to the window's case_save: the case as it stored it."""
    (save,) = requests.of(m.CaseSave)
    requests.answer(save, {"case": {"id": 41, "code": "PA-2026-000041", "version": 1,
                                    "topic": "epidemic_report", "status": "closed",
                                    "outcome": outcome, "form": dict(save.form)}})


# -- forwarding a report -------------------------------------------------------------------

def test_a_report_saved_as_forwarded_asks_which_agency_and_forwards_it(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any],
        requests: Requests) -> None:
    window.show_screen_pop(report_pop(session_data))
    assert not window.forward_action.isEnabled()  # not saved yet: no case to forward
    window.save_case()
    saved_case(requests)
    dialog = window.call_actions.forward_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    assert window.forward_action.isEnabled() and window.forward_action.text() == \
        "Chuyển cơ quan xử lý…"
    assert dialog.agency.currentData() == "SYT"  # the form's "forwarded_to" named it
    assert [dialog.agency.itemData(n) for n in range(dialog.agency.count())] == [
        "CDC", "SYT", "TTPVHCC"]
    assert not dialog.due.isEnabled()  # by the severity's days unless another date is chosen
    assert dialog.due.date() == QDate(2026, 3, 15)  # high: 3 days
    dialog.own_due.setChecked(True)
    dialog.due.setDate(QDate(2026, 3, 14))
    dialog.note.setPlainText("Đề nghị kiểm tra trong ngày")
    dialog.send.click()
    (asked,) = requests.of(m.ReferralForward)
    assert (asked.case_id, asked.agency, asked.due_on, asked.note) == (
        41, "SYT", "2026-03-14", "Đề nghị kiểm tra trong ngày")
    assert dialog.isVisible() and not dialog.send.isEnabled()  # until the hub answers
    requests.answer(asked, {"referral": {"id": 7, "case_id": 41, "case_code": "PA-2026-000041",
                                         "agency": "SYT", "agency_name": "Sở Y tế tỉnh Cà Mau",
                                         "state": "forwarded",
                                         "due_at": "2026-03-14T16:59:00+00:00"}})
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert window.screen_pop_view.message.text() == \
        "Đã chuyển phản ánh PA-2026-000041 cho Sở Y tế tỉnh Cà Mau, hạn xử lý 14/03/2026 23:59."


def test_a_refused_forward_says_why_and_the_action_forwards_a_saved_report_later(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any],
        requests: Requests) -> None:
    window.show_screen_pop(report_pop(session_data, outcome="info_only", forwarded_to=""))
    window.save_case()
    saved_case(requests, "info_only")
    assert window.call_actions.forward_dialog is None  # not saved as forwarded: not asked
    assert window.forward_action.isEnabled()
    window.forward_action.trigger()  # the Call menu's action
    dialog = window.call_actions.forward_dialog
    assert dialog is not None and dialog.agency.currentIndex() == -1
    dialog.send.click()
    assert dialog.message.text() == "Hãy chọn cơ quan xử lý." and \
        requests.of(m.ReferralForward) == []
    dialog.agency.setCurrentIndex(dialog.agency.findData("CDC"))
    dialog.send.click()
    (asked,) = requests.of(m.ReferralForward)
    assert (asked.agency, asked.due_on, asked.note) == ("CDC", None, "")
    requests.answer(asked, error="invalid", message="case 41 is forwarded already")
    assert dialog.isVisible() and dialog.send.isEnabled()
    assert dialog.message.text() == \
        "Không chuyển được phản ánh (case 41 is forwarded already)."


def test_a_case_of_a_topic_not_forwarded_offers_no_forwarding(
        window: AgentWindow, session_data: dict[str, Any], requests: Requests) -> None:
    window.show_screen_pop(screen_pop(session_data, draft={
        "full_name": "Nguyễn Thị Hồng Nhung", "birth_year": 1987, "spo2": 97,
        "outcome": "advised_home"}))
    window.save_case()
    (save,) = requests.of(m.CaseSave)
    requests.answer(save, {"case": {"id": 42, "code": "F0-2026-000042", "version": 1,
                                    "topic": "f0_home_care", "outcome": "forwarded"}})
    assert not window.forward_action.isEnabled() and window.call_actions.forward_dialog is None


# -- the logout with its hand-over ------------------------------------------------------------

@pytest.fixture
def online(connection: HubConnection, monkeypatch: pytest.MonkeyPatch) -> HubConnection:
    """The connection as if logged in to a hub (its requests caught by `requests`)."""
    monkeypatch.setattr(connection, "_ready", True)
    monkeypatch.setattr(connection, "token", "t" * 32)
    return connection


def open_handover(qtbot: Any, window: AgentWindow, requests: Requests) -> HandoverDialog:
    window.logout_action.trigger()
    dialog = window.shift_end.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    (asked,) = requests.of(m.Colleagues)
    requests.answer(asked, {"colleagues": COLLEAGUES})
    return dialog


def test_the_work_goes_to_the_colleague_chosen_and_the_agent_reads_what_went(
        qtbot: Any, window: AgentWindow, online: HubConnection, requests: Requests) -> None:
    left: list[bool] = []
    window.logout_requested.connect(lambda: left.append(True))
    dialog = open_handover(qtbot, window, requests)
    assert dialog.windowTitle() == "Bàn giao công việc" and dialog.to_pool.isChecked()
    assert [dialog.colleague.itemText(n) for n in range(2)] == [
        "Lê Thị Mai (mai) — đang trực tuyến", "Trần Thị Hoa (hoa) — ngoại tuyến"]
    dialog.colleague.setCurrentIndex(0)
    dialog.colleague.activated.emit(0)  # as a click in the list does
    assert dialog.to_colleague.isChecked()
    dialog.ok.click()
    (asked,) = requests.of(m.Logout)
    assert asked.hand_to == "mai" and left == []
    requests.answer(asked, {"handed_over": {"callbacks": 2, "cases": 1, "to": "mai"}})
    assert not online.ready and online.token is None  # the session is over
    box = window.shift_end.summary_box
    assert isinstance(box, QMessageBox) and not dialog.isVisible()
    assert box.text() == "Đã bàn giao 2 cuộc gọi lại và 1 hồ sơ đang mở cho Lê Thị Mai."
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert window.statusBar().currentMessage() == box.text()
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: left == [True], timeout=2000)


def test_the_pool_names_nobody_and_nothing_held_logs_out_at_once(
        qtbot: Any, window: AgentWindow, online: HubConnection, requests: Requests) -> None:
    dialog = open_handover(qtbot, window, requests)
    with qtbot.waitSignal(window.logout_requested, timeout=2000):
        dialog.ok.click()  # the pool is the default
        (asked,) = requests.of(m.Logout)
        assert asked.hand_to is None
        requests.answer(asked, {"handed_over": {"callbacks": 0, "cases": 0, "to": None}})
    assert window.shift_end.summary_box is None


def test_a_colleague_the_hub_refuses_keeps_the_agent_logged_in(
        qtbot: Any, window: AgentWindow, online: HubConnection, requests: Requests) -> None:
    left: list[bool] = []
    window.logout_requested.connect(lambda: left.append(True))
    dialog = open_handover(qtbot, window, requests)
    dialog.to_colleague.setChecked(True)
    dialog.colleague.setCurrentIndex(1)
    dialog.ok.click()
    (asked,) = requests.of(m.Logout)
    assert asked.hand_to == "hoa"
    requests.answer(asked, error="invalid", message="hoa is not a colleague on your topics")
    assert dialog.isVisible() and dialog.ok.isEnabled() and left == []
    assert dialog.message.text() == "Chưa đăng xuất: máy chủ không nhận bàn giao cho đồng " \
        "nghiệp này; hãy chọn người khác hoặc trả về chung (hoa is not a colleague on your " \
        "topics)."
    assert online.ready and online.token == "t" * 32  # still logged in
    dialog.buttons.rejected.emit()  # "Ở lại": the agent goes on working
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert window.shift_end.dialog is None and left == []


def test_offline_the_logout_is_as_before_and_work_goes_to_the_pool_later(
        qtbot: Any, window: AgentWindow, requests: Requests) -> None:
    with qtbot.waitSignal(window.logout_requested, timeout=1000):
        assert window.leave()
    assert window.shift_end.dialog is None and requests.of(m.Colleagues) == []


def test_the_connection_waits_for_the_hub_a_refusal_keeps_the_session(
        qtbot: Any, scripted: ScriptedHub) -> None:
    connection = HubConnection(reconnect_base=0.2, reconnect_cap=1.0)
    try:
        with qtbot.waitSignal(connection.logged_in, timeout=5000):
            connection.login(scripted.address, "lan", "mat-khau")
        pushed: list[m.Referrals] = []
        connection.referrals.connect(pushed.append)
        scripted.send(m.Referrals(seq=2, referrals=[{"id": 7, "state": "forwarded"}],
                                  changed_only=True))  # after the login's snapshot, seq 1
        qtbot.waitUntil(lambda: bool(pushed), timeout=5000)
        assert pushed[0].referrals[0]["id"] == 7 and connection.last_seq == 2
        answers: list[Any] = []
        connection.logout("hoa", answers.append)
        qtbot.waitUntil(lambda: scripted.received[-1]["type"] == "logout", timeout=5000)
        sent = scripted.received[-1]
        assert sent["hand_to"] == "hoa"
        scripted.send(m.Error(id=sent["id"], code="invalid", message="not a colleague"))
        qtbot.waitUntil(lambda: bool(answers), timeout=5000)
        assert answers[0].code == "invalid" and connection.state == "connected"
        connection.logout(None, answers.append)
        qtbot.waitUntil(lambda: scripted.received[-1]["id"] != sent["id"], timeout=5000)
        last = scripted.received[-1]
        assert last["type"] == "logout" and last["hand_to"] is None
        scripted.send(m.Reply(type="logout", id=last["id"], data={"handed_over": {
            "callbacks": 1, "cases": 0, "to": None}}))
        scripted.clients[-1].close()  # as the hub does after the reply
        qtbot.waitUntil(lambda: len(answers) == 2, timeout=5000)
        assert answers[1].data["handed_over"]["callbacks"] == 1
        assert connection.state == "offline" and connection.token is None  # no redial
    finally:
        connection.close()


# -- the incoming lead's hand-over ---------------------------------------------------------------

def test_the_lead_reads_the_hand_over_at_the_first_board_after_login(
        lead_window: LeadWindow, connection: HubConnection, requests: Requests) -> None:
    view = lead_window.handover_view
    assert lead_window.tabs.tabText(lead_window.tabs.indexOf(view)) == "Bàn giao ca"
    (asked,) = requests.of(m.LeadHandover)
    assert view.summary.text() == "Đang tải nội dung bàn giao…"
    requests.answer(asked, {
        "red_cases": [{"id": 5, "code": "F0-2026-000005", "topic": "f0_home_care",
                       "status": "follow_up", "person": "<i>Bệnh nhân B</i>",
                       "holder": "Nguyễn Thị Lan", "updated_at": iso(NOW - timedelta(hours=2))}],
        "overdue_callbacks": [{"id": 9, "topic": "f0_home_care", "reason": "abandoned",
                               "due_at": iso(NOW - timedelta(hours=1)), "attempts": 2,
                               "holder": None}],
        "referrals_due": [
            {"id": 3, "case_code": "PA-2026-000003", "topic": "epidemic_report",
             "agency": "CDC", "state": "forwarded", "due_at": iso(NOW - timedelta(hours=3)),
             "overdue": True},
            {"id": 4, "case_code": "PA-2026-000004", "topic": "epidemic_report",
             "agency": "SYT", "state": "in_progress", "due_at": iso(NOW + timedelta(hours=5)),
             "overdue": False}]})

    def row(model: Any, number: int) -> list[str]:
        return [model.data(model.index(number, c)) for c in range(model.columnCount())]

    assert row(view.red_cases, 0)[0] == "F0-2026-000005"
    assert row(view.red_cases, 0)[2:] == ["Theo dõi", "Nguyễn Thị Lan", "12/03/2026 07:41",
                                          "<i>Bệnh nhân B</i>"]  # a name, as it was typed
    assert row(view.callbacks, 0)[2:] == ["2", "Chung (pool)", "Gác máy khi đang chờ"]
    assert [row(view.referrals, n)[2:] for n in range(2)] == [
        ["CDC", "Đã chuyển", "PA-2026-000003"], ["SYT", "Đang xử lý", "PA-2026-000004"]]
    due = [view.referrals.index(n, 0).data(Qt.ItemDataRole.ForegroundRole) for n in range(2)]
    assert due[0].color() == QColor("#c62828") and due[1] is None
    assert [label.text() for label in view._titles] == [
        "Hồ sơ mức đỏ còn mở (1)", "Cuộc gọi lại quá hạn (1)",
        "Phản ánh đã chuyển quá hạn hoặc đến hạn trong một ngày (2)"]
    assert view.summary.text() == "Cập nhật lúc 12/03/2026 09:41"
    lead_window.apply_board(lead_board({}, full=True))  # a reconnect: not read again
    assert len(requests.of(m.LeadHandover)) == 1
    view.refresh_button.click()
    assert len(requests.of(m.LeadHandover)) == 2
    requests.answer(requests.of(m.LeadHandover)[1], error="forbidden", message="leads only")
    connection.logged_in.emit({})  # logged in again (the same lead keeps the window)
    lead_window.apply_board(lead_board({}, full=True))
    assert len(requests.of(m.LeadHandover)) == 3
