"""Home-treatment monitoring on the nurse's desk: check-in callbacks in the callbacks list (the day,
the last readings and their trend, why worse, the most urgent first), the episode window (its
chart, its readings, its end), and the screen-pop's banner. Real widgets offscreen on a
HubConnection logged in to the scripted hub (tests/support/scripted_hub.py), which answers
`episode_get` and `episode_close` as each test scripts it. The lead's cohort tab:
test_window_monitoring_lead.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from desktop.connection import HubConnection
from desktop.models import LEVEL_ROLE
from desktop.windows import AgentWindow
from desktop.windows.callbacks import CallbacksView
from desktop.windows.episode import EpisodeDialog
from protocol import messages as m
from tests.support.desktop_windows import NOW, answer_dialog, iso, screen_pop
from tests.support.scripted_hub import ScriptedHub
from tests.unit.desktop.test_window_callbacks_declarations import declared, owed

F0 = "f0_home_care"
DUE, TRIAGE, PHONE, TOPIC, REASON, WHO, ATTEMPTS, LAST_TRY, NOTE = range(9)
RED = QColor("#c62828")


def reading(hours_ago: float, spo2: float | None, rate: int | None, temperature: float | None,
            level: str | None, red_flags: int = 0, source: str = "call") -> dict[str, Any]:
    return {"at": iso(NOW - timedelta(hours=hours_ago)), "source": source, "spo2": spo2,
            "respiratory_rate": rate, "temperature": temperature, "level": level,
            "red_flags": red_flags, "negative_test": False}


def readings() -> list[dict[str, Any]]:
    """Five days from the positive test (08/03, day 1; now is day 5, 09:41): better, then
    worse on day 4 (a danger sign: orange), then red this morning (two)."""
    return [reading(96, 97, 18, 38.2, "green", source="declaration"),  # day 1, 09:41
            reading(73, 98, 18, 37.8, "green"),  # day 2
            reading(49, 97, 18, None, "green", source="web"),  # day 3
            reading(25, 95, 19, 38.5, "orange", 1),  # day 4: worse
            reading(2, 93, 24, 38.9, "red", 2)]  # day 5, this morning


def summary(episode_id: int = 31, **changes: Any) -> dict[str, Any]:
    """An episode's summary as the hub sends it (db/monitoring_views.py summary)."""
    found = readings()
    return {"id": episode_id, "state": "active", "level": "orange", "worsening": True,
            "reasons": ["SpO2 97 → 95", "triage green → orange", "danger signs 0 → 1"],
            "alert": True, "missed": 0, "overdue": False, "times": ["08:00", "16:00"],
            "day": 5, "positive_date": "2026-03-08", "check_ins": 4, "next_due_at": iso(NOW),
            "last_check_in_at": found[3]["at"], "last": found[3], "previous": found[2],
            "started_at": found[0]["at"], "ended_at": None, "person_name": "Nguyễn Văn Bảy",
            "birth_year": 1950, "unit": "Xã Tân Thuận", **changes}


def episode_view(**changes: Any) -> dict[str, Any]:
    """The whole episode (episode_get's reply), its five days of readings."""
    found = readings()
    return {**summary(level="red", alert=True, check_ins=5, last=found[4], previous=found[3],
                      reasons=["SpO2 95 → 93", "respiratory rate 19 → 24",
                               "triage orange → red", "danger signs 1 → 2"]),
            "topic": F0, "person_name": "Nguyễn Văn Bảy", "birth_year": 1950,
            "unit": "Xã Tân Thuận", "case_id": 112, "case_code": "F0-2026-000112",
            "end_note": None, "readings": found, **changes}


def check_in(callback_id: int, due_minutes: float, episode: dict[str, Any]) -> dict[str, Any]:
    """A check-in callback of an episode, as the hub pushes it."""
    return {**owed(callback_id, due_minutes, "follow_up"), "attempts": 0,
            "note": "Theo dõi tại nhà", "episode": episode}


def callbacks() -> list[dict[str, Any]]:
    found = readings()
    return [
        owed(1, 40, "follow_up"),
        owed(3, -25),  # overdue
        declared(5, 20, "orange", red_flags=["dyspnoea"]),
        declared(6, 10, "red", red_flags=["dyspnoea", "chest_pain"], spo2=91),
        check_in(10, 5, summary()),  # orange, but worse than the day before
        check_in(11, 30, summary(32, level="red", worsening=False, reasons=[], alert=True,
                                 last=found[4], previous=None, check_ins=5)),
        check_in(12, 120, summary(33, level="green", worsening=False, reasons=[], missed=1,
                                  alert=False, last=found[2], previous=found[1], day=3)),
        check_in(13, 60, summary(34, level="green", worsening=False, reasons=[], alert=False,
                                 last=found[1], previous=found[0], day=None)),
    ]


@pytest.fixture
def hub(qtbot: Any, window: AgentWindow, connection: HubConnection,
        scripted: ScriptedHub) -> ScriptedHub:
    """The agent window's connection logged in to the scripted hub."""
    with qtbot.waitSignal(connection.snapshot, timeout=5000):
        connection.login(scripted.address, "lan", "mat-khau-dai-1")
    return scripted


def pushed(qtbot: Any, window: AgentWindow, hub: ScriptedHub,
           rows: list[dict[str, Any]]) -> CallbacksView:
    hub.send(m.Callbacks(seq=2, callbacks=rows))
    view = window.callbacks_view
    qtbot.waitUntil(lambda: len(view.model.rows) == len(rows), timeout=5000)
    return view


def double_click(widget: QWidget, rect: QRect) -> None:
    """A person's double click: Qt 6's QTest.mouseDClick is only its second click."""
    for click in (QTest.mouseClick, QTest.mouseDClick):
        click(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())


def cell(view: CallbacksView, callback_id: int, column: int,
         role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    model = view.model
    number = next(n for n, row in enumerate(model.rows) if row["id"] == callback_id)
    return model.data(model.index(number, column), role)


def test_check_ins_show_the_day_the_trend_and_why_worse_the_alarming_first(
        qtbot: Any, window: AgentWindow, hub: ScriptedHub) -> None:
    view = pushed(qtbot, window, hub, callbacks())
    # red declarations and alarming check-ins (worse, or red), orange, then the overdue and
    # the check-ins missed, then the others by due
    assert [row["id"] for row in view.model.rows] == [6, 11, 10, 5, 3, 12, 1, 13]
    assert cell(view, 10, REASON) == "Theo dõi tại nhà — ngày 5 (lần 5)\n" \
        "Xấu đi: SpO2 97 → 95; phân loại Xanh → Cam; dấu hiệu nguy hiểm 0 → 1"
    assert cell(view, 10, REASON, Qt.ItemDataRole.ForegroundRole) == RED
    assert cell(view, 10, TRIAGE) == "Cam\nSpO2 95 ↓ (97)\nNhịp thở 19 ↑ · 38.5 °C"
    assert cell(view, 10, TRIAGE, LEVEL_ROLE) == "orange"
    assert cell(view, 10, NOTE) == ""  # the hub's "Theo dõi tại nhà": the reason says it
    assert cell(view, 10, WHO) == "Nguyễn Văn Bảy, 76 tuổi\nXã Tân Thuận"  # the patient
    assert cell(view, 11, TRIAGE) == "Đỏ\nSpO2 93\nNhịp thở 24 · 38.9 °C"  # nothing before
    assert cell(view, 11, TRIAGE, LEVEL_ROLE) == "red"
    assert cell(view, 12, REASON) == "Theo dõi tại nhà — ngày 3 (lần 5)\nlỡ hẹn 1 lần"
    assert cell(view, 12, REASON, Qt.ItemDataRole.ForegroundRole) == RED
    assert cell(view, 13, REASON) == "Theo dõi tại nhà (lần 5)"  # no positive date known
    assert cell(view, 13, TRIAGE) == "Xanh\nSpO2 98 ↑ (97)\nNhịp thở 18 · 37.8 °C"
    assert cell(view, 13, REASON, Qt.ItemDataRole.ForegroundRole) is None
    # the declarations and the other callbacks read as before
    assert cell(view, 6, TRIAGE) == "Đỏ\nSpO2 91%\n2 dấu hiệu nguy hiểm"
    assert cell(view, 6, REASON) == "Tờ khai trực tuyến\nKB-7K3M-9Q2P"
    assert cell(view, 1, REASON) == "Theo dõi" and cell(view, 1, TRIAGE) == ""
    assert window.tabs.tabText(1) == "Gọi lại (8) — 1 quá hạn"
    window.set_language("en")
    try:
        assert cell(view, 10, REASON) == "Home monitoring — day 5 (check-in 5)\n" \
            "Worse: SpO2 97 → 95; triage Green → Orange; danger signs 0 → 1"
        assert cell(view, 10, TRIAGE) == "Orange\nSpO2 95 ↓ (97)\nBreathing 19 ↑ · 38.5 °C"
        assert cell(view, 12, REASON) == "Home monitoring — day 3 (check-in 5)\nmissed 1"
    finally:
        window.set_language("vi")


def test_a_late_check_in_moves_up_with_the_overdue_and_the_list_fits_1366(
        qtbot: Any, window: AgentWindow, hub: ScriptedHub) -> None:
    late = summary(35, level="green", worsening=False, reasons=[], alert=False, overdue=True)
    found = readings()
    worse = summary(36, level="yellow", reasons=["SpO2 99 → 97"],  # 68 years old: yellow
                    last={**found[1], "spo2": 97, "level": "yellow"},
                    previous={**found[0], "spo2": 99, "level": "yellow"})
    yesterday = check_in(16, -26 * 60, summary(37, level="green", worsening=False,
                                                reasons=[], alert=False, overdue=True))
    yesterday["phone"] = "+84981711751"  # as the hub sends it (bold: overdue)
    many = [check_in(20 + n, 120 + n, summary(40 + n, level="green", worsening=False,
                                              reasons=[], alert=False)) for n in range(14)]
    view = pushed(qtbot, window, hub, [owed(1, 40, "follow_up"), check_in(14, 90, late),
                                       check_in(15, 100, worse), *callbacks()[4:6],
                                       yesterday, *many])
    # worse at any level is called first; then late before on time
    assert [row["id"] for row in view.model.rows][:6] == [11, 10, 15, 16, 14, 1]
    assert cell(view, 15, TRIAGE) == "Vàng\nSpO2 97 ↓ (99)\nNhịp thở 18 · 37.8 °C"
    assert cell(view, 14, REASON) == "Theo dõi tại nhà — ngày 5 (lần 5)\nquá hạn"
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(view.view.isVisible, timeout=2000)
    for language in ("en", "vi"):  # a full list (its scroll bar), a due date of yesterday
        window.set_language(language)
        QApplication.processEvents()
        assert view.view.verticalScrollBar().maximum() > 0
        assert view.view.horizontalScrollBar().maximum() == 0, language


def test_the_episode_opens_from_a_check_in_with_its_chart_and_readings(
        qtbot: Any, window: AgentWindow, hub: ScriptedHub) -> None:
    hub.answer("episode_get", {"episode": episode_view()})
    view = pushed(qtbot, window, hub, callbacks())
    window.tabs.setCurrentWidget(view)
    assert not view.episode_button.isEnabled()  # nothing chosen yet
    view.view.selectRow(5)  # the missed check-in (12): its episode is 33
    assert view.episode_button.isEnabled()
    view.view.selectRow(0)  # a declaration: no episode
    assert not view.episode_button.isEnabled()
    row = next(n for n, r in enumerate(view.model.rows) if r["id"] == 10)
    qtbot.waitUntil(lambda: view.view.visualRect(view.model.index(row, REASON)).isValid(),
                    timeout=2000)
    double_click(view.view.viewport(), view.view.visualRect(view.model.index(row, REASON)))
    qtbot.waitUntil(lambda: view.episodes.dialog is not None and
                    view.episodes.dialog.episode is not None, timeout=5000)
    dialog = view.episodes.dialog
    assert [(r["episode_id"], r["case_id"]) for r in hub.of("episode_get")] == [(31, None)]
    assert dialog.isVisible() and dialog.windowTitle() == "Theo dõi tại nhà — Nguyễn Văn Bảy"
    assert dialog.who.text() == \
        "Nguyễn Văn Bảy · sinh năm 1950 (76 tuổi) · Xã Tân Thuận · F0-2026-000112"
    assert dialog.facts.text().startswith(
        "Đang theo dõi · ngày 5 (dương tính ngày 08/03/2026) · kiểm tra lúc 08:00, 16:00 "
        "(2 lần/ngày) · đã ghi 5 lần kiểm tra · lần tới 12/03/2026 09:41")
    assert dialog.reasons.text() == "Xấu đi: SpO2 95 → 93; nhịp thở 19 → 24; phân loại Cam → " \
        "Đỏ; dấu hiệu nguy hiểm 1 → 2"
    assert dialog.badge.text() == "Đỏ"
    chart = dialog.chart
    assert [chart.lines[key].count() for key in ("spo2", "respiratory_rate", "temperature")] \
        == [5, 5, 4]  # day 3's web check-in took no temperature
    assert {level: dots.count() for level, dots in chart.levels.items()} == \
        {"green": 3, "yellow": 0, "orange": 1, "red": 1}
    assert chart.alerts.count() == 1  # the red check-in, the last
    days = [point.x() for point in chart.lines["spo2"].points()]
    assert [int(day) for day in days] == [1, 2, 3, 4, 5]
    assert chart.lines["spo2"].at(3).y() == 95 and chart.levels["orange"].at(0).x() == days[3]
    assert chart.spo2_axis.min() <= 88 and chart.spo2_axis.max() == 100
    table = dialog.readings
    assert table.rowCount() == 5
    newest = [table.data(table.index(0, c)) for c in range(table.columnCount())]
    assert newest == ["12/03 07:41", "5", "Cuộc gọi", "93", "24", "38.9", "Đỏ", "2", ""]
    assert table.data(table.index(0, table.LEVEL_COLUMN), LEVEL_ROLE) == "red"
    oldest = [table.data(table.index(4, c)) for c in range(3)]
    assert oldest == ["08/03 09:41", "1", "Tờ khai"]
    assert table.data(table.index(2, 5)) == ""  # no temperature on day 3
    view.view.selectRow(row)
    view.episode_button.click()  # the same window again, read again
    qtbot.waitUntil(lambda: len(hub.of("episode_get")) == 2, timeout=5000)
    assert view.episodes.dialog is dialog


def test_ending_sends_the_state_chosen_after_a_confirmation_and_shows_a_refusal(
        qtbot: Any, window: AgentWindow, hub: ScriptedHub) -> None:
    hub.answer("episode_get", {"episode": episode_view()})
    hub.answer("episode_close", m.Error(code="conflict", message="already ended"))
    hub.answer("callback_list", {"callbacks": []})
    dialog = window.callbacks_view.episodes.open(episode_id=31)
    qtbot.waitUntil(lambda: dialog.episode is not None, timeout=5000)
    assert dialog.close_button.isVisible() and dialog.state_box.currentIndex() == -1
    dialog.close_button.click()  # no outcome chosen: nothing is sent
    assert dialog.message.text() == "Hãy chọn kết quả theo dõi trước."
    assert [dialog.state_box.itemText(n) for n in range(dialog.state_box.count())] == [
        "Đã khỏi", "Chuyển cơ sở y tế", "Tử vong", "Mất liên lạc"]
    dialog.state_box.setCurrentIndex(dialog.state_box.findData("facility"))
    dialog.note.setText("Chuyển Bệnh viện Đa khoa Cà Mau, SpO2 91")
    seen = answer_dialog("Quay lại")  # the nurse steps back: nothing is sent
    dialog.close_button.click()
    assert seen == ["Kết thúc theo dõi tại nhà cho Nguyễn Văn Bảy với kết quả “Chuyển cơ sở y "
                    "tế”? Các lần kiểm tra còn hẹn sẽ bị hủy."]
    answer_dialog("Kết thúc theo dõi")
    dialog.close_button.click()
    qtbot.waitUntil(lambda: "Người khác" in dialog.message.text(), timeout=5000)
    (sent,) = hub.of("episode_close")
    assert (sent["episode_id"], sent["state"], sent["note"]) == (
        31, "facility", "Chuyển Bệnh viện Đa khoa Cà Mau, SpO2 91")
    assert dialog.message.text() == "Người khác đã làm việc này trước. (already ended)"
    assert "#c62828" in dialog.message.styleSheet() and dialog.close_button.isEnabled()
    assert dialog.episode is not None and dialog.episode["state"] == "active"
    hub.answer("episode_close", lambda asked: {"episode": episode_view(
        state=asked["state"], ended_at=iso(NOW), end_note=asked["note"])})
    answer_dialog("Kết thúc theo dõi")
    dialog.close_button.click()
    qtbot.waitUntil(lambda: dialog.episode is not None and
                    dialog.episode["state"] == "facility", timeout=5000)
    assert dialog.message.text() == "Đã kết thúc theo dõi: Chuyển cơ sở y tế."
    assert dialog.ended.text() == "Kết thúc lúc 12/03/2026 09:41: Chuyển cơ sở y tế — " \
        "Chuyển Bệnh viện Đa khoa Cà Mau, SpO2 91"
    assert not dialog.close_button.isVisible()  # an ended episode is not ended twice
    qtbot.waitUntil(lambda: bool(hub.of("callback_list")), timeout=5000)  # its calls go


def test_an_episode_the_hub_does_not_find_or_refuses_says_so(
        qtbot: Any, window: AgentWindow, hub: ScriptedHub) -> None:
    hub.answer("episode_get", {"episode": episode_view()})
    dialog: EpisodeDialog = window.callbacks_view.episodes.open(episode_id=31)
    qtbot.waitUntil(lambda: dialog.episode is not None, timeout=5000)
    hub.answer("episode_get", {"episode": None})
    assert window.callbacks_view.episodes.open(case_id=77) is dialog  # another patient
    assert dialog.episode is None and dialog.who.text() == ""  # not under the last one's name
    qtbot.waitUntil(lambda: "Đang tải" not in dialog.message.text(), timeout=5000)
    assert dialog.message.text() == "Người bệnh này chưa có đợt theo dõi tại nhà."
    assert hub.of("episode_get")[1]["case_id"] == 77 and dialog.episode is None
    assert dialog.readings.rowCount() == 0 and dialog.chart.lines["spo2"].count() == 0
    assert not dialog.close_button.isVisible()
    hub.answer("episode_get", m.Error(code="forbidden", message="not your topic"))
    window.callbacks_view.episodes.open(episode_id=31)
    qtbot.waitUntil(lambda: "quyền" in dialog.message.text(), timeout=5000)
    assert dialog.message.text() == \
        "Bạn không có quyền thực hiện thao tác này. (not your topic)"


def test_the_screen_pop_says_the_caller_is_monitored_and_opens_the_chart(
        qtbot: Any, window: AgentWindow, hub: ScriptedHub,
        session_data: dict[str, Any]) -> None:
    hub.answer("episode_get", {"episode": episode_view()})
    found = readings()
    episode = summary(check_ins=3, last=found[3], previous=found[2])
    hub.send(screen_pop(session_data, episode=episode))
    view = window.screen_pop_view
    qtbot.waitUntil(lambda: view.pop is not None, timeout=5000)
    banner = view.episode_banner
    assert banner.isVisible()
    assert banner.text.text() == "Đang theo dõi tại nhà: ngày 5 · SpO2 95 ↓ · lần kiểm tra 4 " \
        "— Xấu đi: SpO2 97 → 95; phân loại Xanh → Cam; dấu hiệu nguy hiểm 0 → 1"
    assert banner.text.textFormat() == Qt.TextFormat.PlainText
    assert "#fde2e1" in banner.styleSheet()  # worse: in red
    banner.button.click()
    qtbot.waitUntil(lambda: view.episodes.dialog is not None and
                    view.episodes.dialog.episode is not None, timeout=5000)
    assert hub.of("episode_get")[0]["episode_id"] == 31
    assert view.episodes.dialog.chart.lines["spo2"].count() == 5
    window.resize(1366, 768)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    assert banner.button.width() >= banner.button.sizeHint().width()
    calm = summary(level="green", worsening=False, reasons=[], alert=False, day=None,
                   last=found[2], previous=found[1])
    banner.set_episode(calm)
    assert banner.text.text() == "Đang theo dõi tại nhà: SpO2 97 ↓ · lần kiểm tra 5"
    assert "#e3f2fd" in banner.styleSheet()
    view.clear()
    assert not banner.isVisible()


def test_a_caller_not_monitored_has_no_banner(
        qtbot: Any, window: AgentWindow, hub: ScriptedHub,
        session_data: dict[str, Any]) -> None:
    hub.send(screen_pop(session_data))
    view = window.screen_pop_view
    qtbot.waitUntil(lambda: view.pop is not None, timeout=5000)
    assert view.pop.episode is None and not view.episode_banner.isVisible()
    assert view.history_view.isVisible()


def test_the_monitoring_requests_a_read_waits_for_the_link_an_end_does_not(
        qtbot: Any, connection: HubConnection, scripted: ScriptedHub) -> None:
    answers: list[Any] = []
    connection.episode_close(31, "recovered", "", answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=2000)
    assert answers[0].code == "offline"  # an end is the nurse's act now, or not at all
    for _ in range(3):
        connection.monitoring_cohort(answers.append)  # only the newest waits
    connection.episode_get(answers.append, episode_id=31)
    qtbot.waitUntil(lambda: len(answers) == 3, timeout=2000)
    assert [a.code for a in answers[1:]] == ["superseded", "superseded"]
    with qtbot.waitSignal(connection.snapshot, timeout=5000):
        connection.login(scripted.address, "lan", "mat-khau-dai-1")
    qtbot.waitUntil(lambda: len(scripted.received) == 3, timeout=5000)
    assert [(r["type"], r.get("episode_id")) for r in scripted.received] == [
        ("login", None), ("monitoring_cohort", None), ("episode_get", 31)]
