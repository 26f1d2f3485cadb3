"""The lead window's queues board, its red alert and the wallboard. Real widgets offscreen, fed
with LeadBoard pushes (protocol.messages) whose rows the hub's own builder made
(callcenter.lead.board), as HubConnection.lead_board would deliver them."""

from __future__ import annotations

import re
import wave
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from desktop.connection import HubConnection
from desktop.i18n import Translations
from desktop.windows import LeadWindow
from desktop.windows.lead_alerts import Bell, RedAlert, chime
from desktop.windows.lead_models import HubClock, intraday, queue_level
from tests.support.desktop_windows import (
    NOW,
    Clock,
    busy_board,
    calm_board,
    iso,
    lead_board,
    open_lead_window,
    with_queue,
)

F0 = "f0_home_care"  # its rules (topics.toml): waiting 3 / 6, longest wait 45 / 90 s,
# service level 85 / 75 %, abandon 5 / 8 %


@pytest.fixture
def rings() -> list[int]:
    return []


@pytest.fixture
def lead_window(qtbot: Any, connection: HubConnection, settings: QSettings,
                translations: Translations, clock: Clock, rings: list[int]) -> LeadWindow:
    return open_lead_window(qtbot, connection, settings, translations, clock,
                            bell=lambda: rings.append(1))


def test_a_tile_shows_the_numbers_of_its_topic(lead_window: LeadWindow) -> None:
    board = with_queue(calm_board(), F0, waiting=2, oldest_joined_at=iso(NOW - timedelta(
        seconds=34)), offered=120, answered=101, abandoned=6, short_abandoned=2, timed_out=1,
        service_level_pct=88.6, abandon_pct=5.2, asa_seconds=14.2, aht_seconds=None,
        callbacks_owed=4, callbacks_overdue=1,
        agents={"available": 2, "ringing": 0, "talking": 3, "wrap_up": 1, "on_break": 1,
                "logged_out": 4})
    lead_window.apply_board(lead_board(board))
    tile = lead_window.queues_board.tiles[F0]
    shown = {name: metric.value.text() for name, metric in tile.metrics.items()}
    assert shown == {"waiting": "2", "longest_wait": "0:34", "service_level": "89%",
                     "offered": "120", "answered": "101", "abandoned": "6", "abandon_pct": "5%",
                     "asa": "0:14", "aht": "—", "timed_out": "1", "callbacks": "4",
                     "overdue": "1"}
    assert tile.metrics["abandoned"].note.text() == "+2 bỏ ngay"
    assert tile.metrics["service_level"].note.text() == "trả lời trong 20 giây"
    assert tile.metrics["waiting"].caption.text() == "Đang chờ"
    assert tile.title.text() == "1 · Tư vấn và hỗ trợ điều trị F0 tại nhà"
    assert tile.agents["talking"].text() == "3  Đang đàm thoại"
    assert tile.agents["logged_out"].text() == "4  Đã đăng xuất"
    assert tile.level == "amber" and tile.level_label.text() == "Cảnh báo"  # abandon 5.2 %
    assert list(lead_window.queues_board.tiles) == [F0, "epidemic_report", "public_services"]


def test_the_longest_wait_counts_up_and_turns_the_tile_red_with_one_ring(
        qtbot: Any, lead_window: LeadWindow, clock: Clock, rings: list[int]) -> None:
    board = with_queue(calm_board(), F0, waiting=1,
                       oldest_joined_at=iso(NOW - timedelta(seconds=80)))
    lead_window.apply_board(lead_board(board))
    tile = lead_window.queues_board.tiles[F0]
    assert tile.level == "amber" and tile.metrics["longest_wait"].value.text() == "1:20"
    assert rings == [] and not lead_window.windowTitle().startswith("⚠")
    clock.advance(11)  # 91 s: past the red mark, with no push from the hub
    qtbot.waitUntil(lambda: tile.level == "red", timeout=3000)
    assert tile.metrics["longest_wait"].value.text() == "1:31"
    assert "#c62828" in tile.metrics["longest_wait"].value.styleSheet()
    assert rings == [1]
    assert lead_window.windowTitle().startswith("⚠ BÁO ĐỘNG: chủ đề 1 — ")
    assert lead_window.tabs.tabText(0) == "⚠ Hàng chờ (1)"
    assert lead_window.alert_label.text() == "⚠ BÁO ĐỘNG: chủ đề 1"
    clock.advance(5)
    qtbot.waitUntil(lambda: tile.metrics["longest_wait"].value.text() == "1:36", timeout=3000)
    assert rings == [1]  # once when it turns red, not every second
    lead_window.apply_board(lead_board(with_queue(board, F0, waiting=0,
                                                  oldest_joined_at=None), full=False))
    assert tile.level == "green" and lead_window.tabs.tabText(0) == "Hàng chờ"
    assert not lead_window.windowTitle().startswith("⚠")
    lead_window.apply_board(lead_board(with_queue(board, F0, waiting=6), full=False))
    assert tile.level == "red" and rings == [1, 1]  # red again: a new alert


@pytest.mark.parametrize(("values", "metric"), [
    ({"waiting": 6}, "waiting"), ({"service_level_pct": 75.0}, "service_level_pct"),
    ({"abandon_pct": 8.0}, "abandon_pct")])
def test_each_threshold_crossed_by_a_push_is_red(lead_window: LeadWindow, values: dict[str, Any],
                                                 metric: str, rings: list[int]) -> None:
    lead_window.apply_board(lead_board(calm_board()))
    assert lead_window.queues_board.tiles[F0].level == "green" and rings == []
    lead_window.apply_board(lead_board(with_queue(calm_board(), F0, oldest_joined_at=iso(NOW),
                                                  **values), full=False))
    found = queue_level(lead_window.board["queues"][F0], NOW)
    assert found.metrics[metric] == "red" and found.level == "red"
    assert lead_window.queues_board.tiles[F0].level == "red" and rings == [1]


def test_the_sound_is_muted_by_the_lead_or_by_the_topics_rules(
        qtbot: Any, connection: HubConnection, settings: QSettings, translations: Translations,
        clock: Clock, lead_window: LeadWindow, rings: list[int]) -> None:
    red = with_queue(calm_board(), F0, waiting=7)
    lead_window.mute_action.trigger()
    assert settings.value("lead/mute_red_sound") == "true"
    lead_window.apply_board(lead_board(red))
    assert lead_window.alert.red == [F0] and rings == []  # shown, not rung
    again: list[int] = []
    later = open_lead_window(qtbot, connection, settings, translations, clock,
                             bell=lambda: again.append(1))
    assert later.mute_action.isChecked()  # remembered
    later.mute_action.trigger()
    later.apply_board(lead_board(with_queue(red, F0, rules={"sound_on_red": False})))
    assert later.alert.red == [F0] and again == []  # this topic asks for no sound
    later.apply_board(lead_board(with_queue(red, "public_services", waiting=9), full=False))
    assert again == [1]


def test_times_count_on_the_hubs_clock(lead_window: LeadWindow, clock: Clock) -> None:
    """A PC a minute slow still shows the wait the hub measures."""
    board = with_queue(calm_board(), F0, waiting=1,
                       oldest_joined_at=iso(NOW - timedelta(seconds=10)))
    lead_window.apply_board(lead_board(board, server_time=NOW + timedelta(seconds=60)))
    assert lead_window.queues_board.tiles[F0].metrics["longest_wait"].value.text() == "1:10"
    hub = HubClock(clock)
    hub.observe(iso(NOW + timedelta(seconds=30)))
    hub.observe(iso(NOW + timedelta(seconds=30.4)))  # a push late on the wire: no step back
    assert hub.now() == NOW + timedelta(seconds=30)
    # a switch clock ahead of the hub's (the demo's simulated one): its newest time is a floor
    ahead = with_queue(board, F0, oldest_joined_at=iso(NOW + timedelta(seconds=100)))
    ahead["agents"] = {k: {**a, "since": iso(NOW + timedelta(seconds=130))}
                       for k, a in ahead["agents"].items()}
    lead_window.apply_board(lead_board(ahead))
    assert lead_window.queues_board.tiles[F0].metrics["longest_wait"].value.text() == "0:30"


def test_intraday_numbers_sum_over_topics_or_follow_one() -> None:
    board = busy_board()
    day = intraday(board["today"], board["last_week"])
    assert sum(day.offered) == sum(q["offered"] for q in board["queues"].values())
    f0 = intraday(board["today"], board["last_week"], F0)
    assert sum(f0.answered) == board["queues"][F0]["answered"]
    rows = [r for r in board["today"].values() if r["topic"] == F0]
    first = min(rows, key=lambda r: r["quarter"])
    assert f0.service_level[first["quarter"]] == first["service_level_pct"]
    assert day.offered[:28] == [0] * 28  # nothing before 07:00
    assert sum(day.last_week_offered) == sum(r["offered"] for r in board["last_week"].values())


# -- the wallboard -------------------------------------------------------------------------

def test_the_wallboard_opens_with_f11_shows_the_queues_and_leaves_with_esc(
        qtbot: Any, lead_window: LeadWindow) -> None:
    board = with_queue(busy_board(), F0, waiting=7, answered=131, abandoned=9)
    lead_window.apply_board(lead_board(board))
    qtbot.keyClick(lead_window, Qt.Key.Key_F11)
    wall = lead_window.wallboard
    assert wall is not None and wall.isVisible()
    assert wall.geometry() == lead_window.screen().geometry()  # the whole screen (one here)
    assert lead_window.wallboard_action.isChecked()
    tile = wall.tiles[F0]
    assert tile.values["waiting"].text() == "7" and tile.values["answered"].text() == "131"
    assert tile.values["abandoned"].text() == "9" and tile.values["talking"].text() == "3"
    assert tile.level == "red" and tile.level_label.text() == "BÁO ĐỘNG"
    assert tile.captions["available"].text() == "ĐTV sẵn sàng"
    lead_window.apply_board(lead_board(with_queue(board, F0, waiting=1), full=False))
    assert tile.values["waiting"].text() == "1"
    qtbot.keyClick(wall, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: lead_window.wallboard is None, timeout=2000)
    assert not lead_window.wallboard_action.isChecked()


def test_the_wallboard_shows_no_names_and_no_phone_numbers(lead_window: LeadWindow) -> None:
    board = busy_board()
    lead_window.apply_board(lead_board(board))
    lead_window.wallboard_action.trigger()
    wall = lead_window.wallboard
    assert wall is not None
    texts = wall.texts()
    names = [a["full_name"] for a in board["agents"].values()] + [lead_window.full_name]
    callers = [w["caller"] for w in board["waiting"].values()] + [
        a["call"]["caller"] for a in board["agents"].values() if a["call"]]
    assert len(names) == 25 and len(callers) > 15
    for text in texts:
        assert not any(name in text for name in names), text
        assert not any(caller in text or caller[:4] in text for caller in callers), text
        public = text.replace("1022", "")  # the hotline's own number, on every poster
        assert "•" not in text and not re.search(r"\d{4}", public), text  # no number at all
        assert "nv0" not in text and "truong" not in text  # no usernames either
    assert any("Tư vấn và hỗ trợ điều trị F0 tại nhà" in text for text in texts)


def test_the_alert_sound_never_fails_where_there_is_no_sound_device(
        qtbot: Any, settings: QSettings, tmp_path: Any) -> None:
    """The real bell (a chime made on the spot, QtMultimedia), with whatever audio this
    machine has — none, on a test runner: it falls back to the system beep, and says nothing."""
    path = chime(tmp_path / "chime.wav")
    with wave.open(str(path)) as made:
        assert (made.getnchannels(), made.getframerate()) == (2, 44_100)
        assert 0.45 < made.getnframes() / made.getframerate() < 0.55
    alert = RedAlert(settings)  # no bell given: the real one
    alert.ring()
    bell = alert.findChild(Bell)
    assert bell is not None
    qtbot.waitUntil(lambda: bell.settled, timeout=5_000)  # loaded, or failed to
    alert.ring()
    assert alert.rings == 2
