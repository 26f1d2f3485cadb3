"""The lead's "home monitoring" tab: the cohort by commune and its patients, read with
`monitoring_cohort` when the tab is shown and every 30 s while it is, a commune chosen keeps its
patients, a double click opens the episode. A real LeadWindow offscreen on a HubConnection
logged in to the scripted hub (tests/support/scripted_hub.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from desktop.connection import HubConnection
from desktop.i18n import Translations
from desktop.models import LEVEL_ROLE
from desktop.windows import LeadWindow
from desktop.windows.lead_monitoring import MonitoringView
from protocol import messages as m
from tests.support.desktop_windows import NOW, Clock, iso, open_lead_window
from tests.support.scripted_hub import ScriptedHub
from tests.unit.desktop.test_window_monitoring import (
    double_click,
    episode_view,
    readings,
    summary,
)

RED = QColor("#c62828")
TAN_THUAN, DAT_MUI, SONG_DOC = "32167", "32248", "32098"


def patient(episode_id: int, name: str, unit: tuple[str, str], **changes: Any) -> dict[str, Any]:
    """A patient's line of the cohort (db/monitoring_views.py cohort)."""
    return {**summary(episode_id, **changes), "person_name": name, "birth_year": 1960,
            "unit_code": unit[0], "unit": unit[1], "case_code": f"F0-2026-{episode_id:06d}",
            "nurse": "Trần Ngọc Lan", "due_today": True}


def cohort() -> dict[str, Any]:
    found = readings()
    tan_thuan, dat_mui, song_doc = (TAN_THUAN, "Xã Tân Thuận"), (DAT_MUI, "Xã Đất Mũi"), \
        (SONG_DOC, "Xã Sông Đốc")
    calm = {"level": "green", "worsening": False, "reasons": [], "alert": False,
            "last": found[2], "previous": found[1]}
    return {"days": 30, "units": [
        {"unit_code": TAN_THUAN, "unit": "Xã Tân Thuận", "active": 2, "due_today": 2,
         "overdue": 1, "worsening": 1, "recovered": 0, "facility": 0},
        {"unit_code": DAT_MUI, "unit": "Xã Đất Mũi", "active": 1, "due_today": 1,
         "overdue": 0, "worsening": 1, "recovered": 1, "facility": 0},
        {"unit_code": SONG_DOC, "unit": "Xã Sông Đốc", "active": 1, "due_today": 0,
         "overdue": 0, "worsening": 0, "recovered": 0, "facility": 0}],
        "patients": [
            patient(41, "Lê Thị Mai", tan_thuan, **calm, overdue=True, missed=2),
            patient(42, "Nguyễn Văn Bảy", tan_thuan),  # worse: SpO2 97 → 93
            patient(43, "Phạm Văn Tư", dat_mui, level="red", last=found[4],
                    previous=found[3], reasons=["SpO2 95 → 93", "respiratory rate 19 → 24"]),
            patient(44, "Võ Thị Hoa", song_doc, **calm,
                    next_due_at=iso(NOW + timedelta(hours=6))),
            patient(45, "Đỗ Văn Năm", dat_mui, **calm, state="recovered",
                    ended_at=iso(NOW - timedelta(days=2)), next_due_at=None)]}


@pytest.fixture
def lead(qtbot: Any, connection: HubConnection, settings: QSettings,
         translations: Translations, clock: Clock, scripted: ScriptedHub) -> LeadWindow:
    """A lead window whose connection is logged in to the scripted hub."""
    scripted.answer("monitoring_cohort", cohort())
    with qtbot.waitSignal(connection.snapshot, timeout=5000):
        connection.login(scripted.address, "truong", "mat-khau-dai-1")
    return open_lead_window(qtbot, connection, settings, translations, clock,
                            bell=lambda: None)


def shown(qtbot: Any, lead: LeadWindow) -> MonitoringView:
    view = lead.monitoring_view
    lead.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.patients.rowCount() == 5, timeout=5000)
    return view


def texts(model: Any, row: int) -> list[str]:
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]


def test_the_cohort_by_commune_and_its_patients_the_most_urgent_first(
        qtbot: Any, lead: LeadWindow, scripted: ScriptedHub) -> None:
    view = lead.monitoring_view
    assert lead.tabs.tabText(lead.tabs.indexOf(view)) == "Theo dõi tại nhà"
    assert not view.timer.isActive() and view.read_at is None  # not read while out of sight
    view = shown(qtbot, lead)
    assert len(scripted.of("monitoring_cohort")) == 1
    units = view.units_proxy
    header = [units.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert header == ["Xã, phường", "Đang theo dõi", "Đến hạn hôm nay", "Quá hạn", "Xấu đi",
                      "Đã khỏi", "Chuyển cơ sở y tế"]
    assert [texts(units, n) for n in range(3)] == [  # the overdue first
        ["Xã Tân Thuận", "2", "2", "1", "1", "0", "0"],
        ["Xã Đất Mũi", "1", "1", "0", "1", "1", "0"],
        ["Xã Sông Đốc", "1", "0", "0", "0", "0", "0"]]
    colour = Qt.ItemDataRole.ForegroundRole
    assert units.index(0, 3).data(colour) == RED and units.index(0, 4).data(colour) == RED
    assert units.index(1, 3).data(colour) is None and units.index(1, 4).data(colour) == RED
    assert units.index(2, 4).data(colour) is None
    assert view.summary.text() == "4 người bệnh đang theo dõi tại nhà · 3 đến hạn kiểm tra " \
        "hôm nay · 1 quá hạn · 2 xấu đi — cập nhật lúc 09:41:35"
    patients = view.patients_proxy
    assert [patients.index(n, 1).data() for n in range(5)] == [
        "Phạm Văn Tư", "Nguyễn Văn Bảy", "Lê Thị Mai", "Võ Thị Hoa", "Đỗ Văn Năm"]
    # alarming (red, then worse), late, the others, the ended one
    assert texts(patients, 0) == ["F0-2026-000043", "Phạm Văn Tư", "1960", "Xã Đất Mũi", "5",
                                  "Đỏ", "93 ↓ (95)", "09:41", "", "Trần Ngọc Lan",
                                  "SpO2 95 → 93; nhịp thở 19 → 24"]
    assert patients.index(0, 5).data(LEVEL_ROLE) == "red"
    assert patients.index(0, 6).data(colour) == RED
    assert texts(patients, 2)[5:9] == ["Xanh", "97 ↓ (98)", "09:41", "quá hạn · lỡ hẹn 2 lần"]
    assert patients.index(2, 8).data(colour) == RED
    assert texts(patients, 3)[7] == "15:41" and patients.index(3, 6).data(colour) is None
    assert texts(patients, 4)[7] == "Đã khỏi · 10/03"
    assert view._patients_title.text() == "Người bệnh (5), cần chú ý nhất lên trước"


def test_a_commune_chosen_keeps_its_patients(qtbot: Any, lead: LeadWindow) -> None:
    view = shown(qtbot, lead)
    assert not view.all_button.isEnabled()
    view.units_view.selectRow(1)  # Xã Đất Mũi
    patients = view.patients_proxy
    assert sorted(patients.index(n, 1).data() for n in range(patients.rowCount())) == [
        "Phạm Văn Tư", "Đỗ Văn Năm"]
    assert view._patients_title.text() == "Người bệnh ở Xã Đất Mũi (2)"
    assert view.all_button.isEnabled()
    view.filter_box.setText("nam")  # and by words, accents ignored
    assert [patients.index(n, 1).data() for n in range(patients.rowCount())] == ["Đỗ Văn Năm"]
    view.filter_box.clear()
    view.all_button.click()
    assert patients.rowCount() == 5 and view.patients_proxy.unit is None
    lead.resize(1366, 768)
    QApplication.processEvents()
    assert view.patients_view.horizontalScrollBar().maximum() == 0  # every column in sight
    assert view.units_view.horizontalScrollBar().maximum() == 0


def test_it_is_read_again_while_in_sight_and_not_after(
        qtbot: Any, lead: LeadWindow, scripted: ScriptedHub) -> None:
    view = shown(qtbot, lead)
    assert view.timer.isActive() and view.timer.interval() == 30_000
    view.timer.setInterval(50)  # the 30 s, shortened
    qtbot.waitUntil(lambda: len(scripted.of("monitoring_cohort")) >= 3, timeout=5000)
    changed = cohort()
    changed["units"][0]["overdue"] = 2
    scripted.answer("monitoring_cohort", changed)
    qtbot.waitUntil(lambda: view.units.rows[TAN_THUAN]["overdue"] == 2, timeout=5000)
    lead.tabs.setCurrentWidget(lead.queues_board)
    assert not view.timer.isActive()
    before = len(scripted.of("monitoring_cohort"))
    view.refresh_button.click()  # the button reads at once, in sight or not
    qtbot.waitUntil(lambda: len(scripted.of("monitoring_cohort")) == before + 1, timeout=5000)


def test_a_refusal_is_said_and_a_patient_opens_with_a_double_click(
        qtbot: Any, lead: LeadWindow, scripted: ScriptedHub) -> None:
    scripted.answer("episode_get", {"episode": episode_view(id=42)})
    view = shown(qtbot, lead)
    row = next(n for n in range(5) if view.patients_proxy.index(n, 1).data() ==
               "Nguyễn Văn Bảy")
    qtbot.waitUntil(lambda: view.patients_view.visualRect(
        view.patients_proxy.index(row, 1)).isValid(), timeout=2000)
    double_click(view.patients_view.viewport(),
                 view.patients_view.visualRect(view.patients_proxy.index(row, 1)))
    qtbot.waitUntil(lambda: view.episodes.dialog is not None and
                    view.episodes.dialog.episode is not None, timeout=5000)
    assert scripted.of("episode_get")[0]["episode_id"] == 42
    assert view.episodes.dialog.readings.rowCount() == 5
    scripted.answer("monitoring_cohort", m.Error(code="forbidden", message="leads only"))
    view.refresh_button.click()
    qtbot.waitUntil(lambda: "quyền" in view.summary.text(), timeout=5000)
    assert view.summary.text().endswith(
        "— Bạn không có quyền thực hiện thao tác này. (leads only)")
    assert "#c62828" in view.summary.styleSheet()
    assert view.patients.rowCount() == 5  # what was read stays
