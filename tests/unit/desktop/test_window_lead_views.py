"""The lead window's waiting callers, intraday chart and supervision log; its languages, its
layout at 1366×768, and the application giving a lead this window. Real widgets offscreen, fed
with LeadBoard pushes made by the hub's own builder; requests are caught on their way out."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from desktop.app import DesktopApp
from desktop.connection import HubConnection
from desktop.i18n import Translations
from desktop.windows import AgentWindow, LeadWindow
from protocol import messages as m
from tests.support.desktop_windows import (
    Clock,
    Requests,
    lead_session,
    open_lead_window,
)
from tests.support.qt_windows import add_window

F0, EPI, PUB = "f0_home_care", "epidemic_report", "public_services"


# -- waiting callers ---------------------------------------------------------------------

def test_waiting_callers_by_topic_in_queue_order_and_their_wait_counts_up(
        qtbot: Any, lead_window: LeadWindow, clock: Clock) -> None:
    view = lead_window.waiting_view
    proxy = view.proxy
    rows = [(proxy.data(proxy.index(r, 0)), int(proxy.data(proxy.index(r, 1))))
            for r in range(proxy.rowCount())]
    assert len(rows) == 15 and view.count_label.text() == "15 người gọi đang chờ"
    assert rows == sorted(rows) and rows[0] == ("1 · Tư vấn và hỗ trợ điều trị F0 tại nhà", 1)
    first = lead_window.board["waiting"][view.model.keys[0]]
    number = view.model.keys.index(next(k for k, w in lead_window.board["waiting"].items()
                                        if w["returning"]))
    assert view.model.data(view.model.index(number, 4)) == "Có, hồ sơ đang mở"
    assert view.model.data(view.model.index(0, 3)) == first["caller"]
    wait = view.model.data(view.model.index(0, 2))
    clock.advance(60)
    qtbot.waitUntil(lambda: view.model.data(view.model.index(0, 2)) != wait, timeout=3000)
    view.topic_box.setCurrentIndex(view.topic_box.findData(PUB))
    assert {view.proxy.data(view.proxy.index(r, 0))[:1] for r in range(proxy.rowCount())} == \
        {"3"} and view.count_label.text() == "2 người gọi đang chờ"
    assert view.topic_box.itemText(0) == "Tất cả chủ đề"


def test_a_caller_is_moved_to_another_of_the_topics(
        qtbot: Any, lead_window: LeadWindow, requests: Requests) -> None:
    lead_window.tabs.setCurrentWidget(lead_window.waiting_view)
    view = lead_window.waiting_view
    member = next(k for k, w in lead_window.board["waiting"].items() if w["topic"] == F0)
    assert view.select_caller(member)
    assert view.other_topics() == [EPI, PUB]  # not the queue it waits in
    view.view.setFocus()
    qtbot.keyClick(view.view, Qt.Key.Key_M)
    qtbot.waitUntil(view.move_menu.isVisible, timeout=2000)
    assert [a.text() for a in view.move_menu.actions()] == [
        "2 · Phản ánh tình hình thực hiện điều trị và công tác phòng chống dịch COVID-19 tại "
        "địa phương và các cơ sở y tế", "3 · Hỗ trợ thủ tục hành chính công, dịch vụ công"]
    view.move_menu.actions()[1].trigger()
    (move,) = requests.of(m.LeadMoveCaller)
    assert (move.call_uuid, move.topic) == (lead_window.board["waiting"][member]["call_uuid"],
                                            PUB)
    requests.answer(move)
    assert lead_window.statusBar().currentMessage() == \
        "Đã chuyển người gọi sang 3 · Hỗ trợ thủ tục hành chính công, dịch vụ công."


# -- intraday --------------------------------------------------------------------------------

def test_the_intraday_chart_draws_today_and_last_week_by_topic(lead_window: LeadWindow) -> None:
    view = lead_window.intraday_view
    board = lead_window.board
    labels = view.time_axis.categoriesLabels()
    assert labels[0] == "00:00" and labels[-1] == "22:00" and len(labels) == 12
    bars = view.bars
    drawn = [sum(bars[name].at(q) for name in bars) for q in range(bars["answered"].count())]
    assert bars["answered"].count() == 39  # up to 09:30–09:45, the quarter of now (09:41)
    assert sum(drawn) == sum(q["offered"] for q in board["queues"].values())
    assert view.series["last_week"].count() > 30
    view.topic_box.setCurrentIndex(view.topic_box.findData(F0))
    assert sum(bars["answered"].at(q) for q in range(bars["answered"].count())) == \
        board["queues"][F0]["answered"]
    offered = board["queues"][F0]["offered"]
    assert view.summary.text().startswith(f"Hôm nay đến giờ: {offered} cuộc gọi đến")
    assert bars["abandoned"].label() == "Bỏ máy"


# -- the supervision log ------------------------------------------------------------------------

def test_an_admin_reads_the_supervision_log_a_lead_has_none(
        qtbot: Any, connection: HubConnection, settings: QSettings, translations: Translations,
        clock: Clock, lead_window: LeadWindow, requests: Requests) -> None:
    assert lead_window.audit_view is None and lead_window.tabs.count() == 10  # no log tab
    admin = open_lead_window(qtbot, connection, settings, translations, clock, role="admin",
                             bell=lambda: None)
    assert admin.tabs.count() == 11 and admin.tabs.tabText(6) == "Nhật ký giám sát"
    assert admin.tabs.tabText(5) == "Tra cứu lịch sử"  # the history, recordings played from it
    assert admin.audit_view is not None and requests.of(m.LeadAudit) == []
    admin.tabs.setCurrentIndex(6)  # opening the tab reads the log
    (asked,) = requests.of(m.LeadAudit)
    assert asked.limit == 100
    requests.answer(asked, {"items": [
        {"at": "2026-03-12T02:40:00+00:00", "actor": "truong", "action": "lead.listen",
         "target": "nv01", "detail": {"call": "call-nv01"}},
        {"at": "2026-03-12T02:30:00+00:00", "actor": "truong", "action": "lead.set_status",
         "target": "nv05", "detail": {"status": "On Break", "reason": "meal"}}]})
    model = admin.audit_view.model
    rows = [[model.data(model.index(r, c)) for c in range(5)] for r in range(2)]
    assert rows[0] == ["12/03/2026 09:40", "truong", "Nghe cuộc gọi", "nv01", "call: call-nv01"]
    assert rows[1][2:] == ["Đặt trạng thái điện thoại viên", "nv05",
                           "status: On Break, reason: meal"]
    assert admin.audit_view.summary.text() == "2 thao tác giám sát gần nhất"
    admin.audit_view.refresh_button.click()
    assert len(requests.of(m.LeadAudit)) == 2


# -- language, layout, the application --------------------------------------------------------

def test_english_can_be_chosen_and_vietnamese_comes_back(lead_window: LeadWindow,
                                                         settings: QSettings) -> None:
    lead_window.language_actions["en"].trigger()
    tile = lead_window.queues_board.tiles[F0]
    assert settings.value("ui/language") == "en"
    assert [lead_window.tabs.tabText(n) for n in range(5)] == [
        "⚠ Queues (3)", "Agents", "Waiting callers", "Urgent declarations", "Intraday"]
    assert tile.title.text() == \
        "1 · Advice and support for COVID-19 patients (F0) treated at home"
    assert tile.metrics["waiting"].caption.text() == "Waiting now"
    assert tile.metrics["abandoned"].note.text().endswith(" short")
    assert tile.agents["talking"].text().endswith("Talking")
    agents = lead_window.agents_view.model
    assert agents.headerData(8, Qt.Orientation.Horizontal) == "Calls today"
    assert lead_window.windowTitle().startswith("⚠ RED: topic 1, 2, 3 — Hotline 1022")
    assert lead_window.waiting_view.topic_box.itemText(1).startswith("1 · Advice and support")
    lead_window.set_language("vi")
    assert tile.metrics["waiting"].caption.text() == "Đang chờ"
    assert tile.title.text() == "1 · Tư vấn và hỗ trợ điều trị F0 tại nhà"
    assert lead_window.tabs.tabText(1) == "Điện thoại viên"
    assert lead_window.menuBar().actions()[0].text() == "&Hiển thị"


def _inside(widget: QWidget, window: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_nothing_is_clipped_at_1366_by_768(qtbot: Any, lead_window: LeadWindow,
                                           language: str) -> None:
    lead_window.set_language(language)
    lead_window.resize(1366, 768)
    QApplication.processEvents()  # the layouts, for the new size and language
    hint = lead_window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    for tile in lead_window.queues_board.tiles.values():
        assert tile.isVisible() and _inside(tile, lead_window), tile.topic
        for label in tile.findChildren(QLabel):
            if label.isVisible() and not label.wordWrap():
                assert label.width() >= label.sizeHint().width(), label.text()
    bar = lead_window.statusBar()
    for label in (lead_window.connection_label, lead_window.who_label,
                  lead_window.updated_label):
        assert label.isVisible() and _inside(label, bar.window()), label.text()
        assert label.width() >= label.sizeHint().width(), label.text()
    lead_window.tabs.setCurrentWidget(lead_window.agents_view)
    QApplication.processEvents()
    view = lead_window.agents_view
    for button in (view.status_button, *(w for w in view.findChildren(QWidget)
                                          if w.metaObject().className() == "QToolButton")):
        assert _inside(button, lead_window) and button.width() >= button.sizeHint().width()
    header = view.view.horizontalHeader()
    metrics = header.fontMetrics()
    for column in range(view.model.columnCount()):
        text = str(view.model.headerData(column, Qt.Orientation.Horizontal))
        widest = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
        assert header.sectionSize(column) >= widest, text


def test_the_application_gives_a_lead_the_lead_window(
        qtbot: Any, connection: HubConnection, settings: QSettings,
        translations: Translations, session_data: dict[str, Any]) -> None:
    desktop = DesktopApp(connection, settings, translations)
    qtbot.addWidget(desktop.login_window)
    connection.username = "truong"
    connection.logged_in.emit(lead_session("lead"))
    lead = desktop.lead_window
    assert isinstance(lead, LeadWindow) and lead.isVisible() and desktop.agent_window is None
    qtbot.addWidget(lead)
    assert not desktop.login_window.isVisible() and lead.role == "lead"
    connection.logged_in.emit(lead_session("lead"))  # the same lead again keeps the window
    assert desktop.lead_window is lead
    connection.session_lost.emit(m.Error(code="expired", message="session expired"))
    assert desktop.login_window.isVisible() and not lead.isVisible()
    connection.logged_in.emit(lead_session("admin"))  # what they may see changed
    admin = desktop.lead_window
    assert admin is not None and admin is not lead and admin.is_admin
    qtbot.addWidget(admin)
    connection.username = "lan"  # a nurse on the same PC: the agent window replaces it
    connection.logged_in.emit(session_data)
    nurse = desktop.agent_window
    assert isinstance(nurse, AgentWindow) and nurse.isVisible()
    add_window(qtbot, nurse)
    assert desktop.lead_window is None and desktop.window is nurse
    connection.username = "truong"
    connection.logged_in.emit(lead_session("lead"))
    back = desktop.lead_window
    assert back is not None and desktop.agent_window is None
    qtbot.addWidget(back)
    back.logout_action.trigger()  # the session menu: back to the login
    assert desktop.login_window.isVisible() and not back.isVisible()


def test_the_qt_bindings_keep_their_references_to_none(qapp: QApplication) -> None:
    """PySide6 6.12.0 takes a reference to None away on every Qt call that returns nothing
    (its stable-ABI wheels assume an immortal None, CPython gh-134989): on Python 3.11 a lead
    window ticking every second aborted the interpreter within a minute (none_dealloc).
    setup.cfg keeps PySide6 below 6.12; this fails if a version with the leak comes back."""
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(20_000):
        label.setText("x")
    assert sys.getrefcount(None) >= before - 100  # other code may let go of a few

