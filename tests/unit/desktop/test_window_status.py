"""The status bar and the session menu. Real widgets offscreen, fed with the protocol's own
message objects (protocol.messages) as HubConnection's signals would deliver them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
)

from desktop.connection import HubConnection
from desktop.windows import AgentWindow
from protocol import messages as m
from tests.support.desktop_windows import NOW, Clock, agent_view, iso, screen_pop, sent

# -- status ------------------------------------------------------------------------------

def test_status_changes_update_the_bar_and_time_in_status_ticks(
        qtbot: Any, window: AgentWindow, clock: Clock) -> None:
    bar = window.status_bar
    assert bar.status_label.text() == "Sẵn sàng"
    assert bar.calls_label.text() == "Cuộc gọi hôm nay: 7"
    assert bar.time_label.text() == "Thời gian trạng thái: 12:00"
    window.apply_agent_status(m.AgentStatus(seq=3, agent=agent_view(
        "On Break", reason="meal", since=iso(NOW), calls_today=7)))
    assert bar.status_label.text() == "Tạm nghỉ — Nghỉ ăn"
    assert "#b26a00" in bar.status_label.styleSheet()
    assert window.status_actions.on_break.isChecked()
    assert not window.status_actions.available.isChecked()
    clock.advance(65)
    qtbot.waitUntil(lambda: bar.time_label.text() == "Thời gian trạng thái: 1:05",
                    timeout=3000)


def test_status_keys_ask_the_hub(qtbot: Any, window: AgentWindow,
                                 connection: HubConnection) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.keyClick(window, Qt.Key.Key_F4)
    assert [(r.status, r.reason) for r in sent(connection, m.SetStatus)] == \
        [("Logged Out", None)]  # offline, only the newest status waits for the link
    qtbot.keyClick(window, Qt.Key.Key_F3)
    menu = window.status_actions.reasons_menu
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    assert [a.text() for a in menu.actions()][:2] == ["Nghỉ ăn", "Nghỉ giải lao"]
    menu.actions()[2].trigger()  # Họp
    assert [(r.status, r.reason) for r in sent(connection, m.SetStatus)] == \
        [("On Break", "meeting")]
    assert window.status_actions.available.isChecked()  # until the hub says otherwise


def test_the_session_menu_logs_out(qtbot: Any, window: AgentWindow) -> None:
    session_menu = window.menuBar().actions()[-1].menu()
    assert window.logout_action in session_menu.actions()
    with qtbot.waitSignal(window.logout_requested, timeout=1000):
        window.logout_action.trigger()


def test_f4_in_a_list_opens_the_list_and_does_not_log_the_agent_out(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any],
        connection: HubConnection) -> None:
    """F4 is Qt's key for a combo box's list (and Windows'); F4 elsewhere is Logged Out."""
    window.show_screen_pop(screen_pop(session_data))
    view = window.screen_pop_view
    outcome = view.form_host.form.findChild(QComboBox, "field_outcome")
    for combo in (outcome, view._status):
        combo.setFocus()
        qtbot.waitUntil(combo.hasFocus)
        qtbot.keyClick(combo, Qt.Key.Key_F4)
        assert combo.view().isVisible()
        combo.hidePopup()
    assert sent(connection, m.SetStatus) == []  # still taking calls
    name = view.form_host.form.editor("full_name").focus_widget()
    name.setFocus()
    qtbot.waitUntil(name.hasFocus)
    qtbot.keyClick(name, Qt.Key.Key_F4)
    assert [r.status for r in sent(connection, m.SetStatus)] == ["Logged Out"]
