"""The real agent window on the real hotline: simulator → daemon → hub (TLS) → AgentWindow, in
two processes over real sockets. A key-1 call pops on the nurse within a second of the switch
bridging it, she types the case, saves it, and the case and its changes are in the database;
the same with the hub going down while the form is half typed: nothing is lost."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from db.models import Call, Case, CaseChange
from desktop.windows import AgentWindow
from protocol import messages as m
from tests.support.demo_backend import Demo


def _type(qtbot: Any, window: AgentWindow, field: str, text: str) -> None:
    """Key by key into the form's field, as the nurse types (Vietnamese included, which
    QTest.keyClicks cannot send)."""
    editor = window.screen_pop_view.form_host.form.findChild(QLineEdit, f"field_{field}")
    assert editor is not None, field
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(editor, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                     char))


def _choose(window: AgentWindow, field: str, code: str) -> None:
    combo = window.screen_pop_view.form_host.form.findChild(QComboBox, f"field_{field}")
    combo.setCurrentIndex(combo.findData(code))


def _pop_after_bridge(qtbot: Any, window: AgentWindow, demo: Demo) -> float:
    """Places a key-1 call; returns the seconds from bridge-agent-start to the pop."""
    received: list[tuple[float, m.ScreenPop]] = []
    window._connection.screen_pop.connect(lambda pop: received.append((time.time(), pop)))
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.agent.status == "Available", timeout=10_000)
    demo.call("0912345678", "1", talk=600)
    qtbot.waitUntil(lambda: window.screen_pop_view.form_host.form is not None, timeout=30_000)
    at, pop = received[0]
    assert pop.call.topic == "f0_home_care" and pop.call.caller_number == "+84912345678"
    return at - datetime.fromisoformat(pop.call.answered_at or "").timestamp()


def _database(demo: Demo) -> Session:
    return Session(create_engine(demo.database))


def test_a_call_pops_within_a_second_and_the_case_is_saved(qtbot: Any, window: AgentWindow,
                                                          demo: Demo) -> None:
    assert _pop_after_bridge(qtbot, window, demo) < 1.0
    _type(qtbot, window, "full_name", "Nguyễn Thị Hồng Nhung")
    _type(qtbot, window, "spo2", "97")
    _choose(window, "outcome", "advised_home")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.screen_pop_view.message.text().startswith("Case F0-"),
                    timeout=10_000)
    with _database(demo) as s:
        case = s.scalars(select(Case)).one()
        assert case.form_data["full_name"] == "Nguyễn Thị Hồng Nhung"
        assert case.form_data["spo2"] == 97 and case.caller_phone == "+84912345678"
        assert s.scalar(select(func.count()).select_from(CaseChange).where(
            CaseChange.case_id == case.id)) >= 3
        assert s.scalars(select(Call.case_id)).one() == case.id
    assert window.agent.status == "Available"


def test_the_hub_going_down_mid_form_loses_nothing(qtbot: Any, window: AgentWindow,
                                                   demo: Demo) -> None:
    _pop_after_bridge(qtbot, window, demo)
    _type(qtbot, window, "full_name", "Trần Văn Bình")
    demo.hub_stop()
    qtbot.waitUntil(lambda: window._connection.state != "connected", timeout=10_000)
    _type(qtbot, window, "spo2", "95")  # she goes on typing with the link down
    _choose(window, "outcome", "follow_up")
    window.screen_pop_view.form_host.form.editor("follow_up_on").set_value("2026-12-10")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.screen_pop_view.message.text().startswith("Offline")
    demo.hub_start()
    qtbot.waitUntil(lambda: window.screen_pop_view.message.text().startswith("Case F0-"),
                    timeout=20_000)
    with _database(demo) as s:
        case = s.scalars(select(Case)).one()
    assert case.form_data["full_name"] == "Trần Văn Bình" and case.form_data["spo2"] == 95
    assert case.form_data["outcome"] == "follow_up"
