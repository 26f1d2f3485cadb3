"""The callbacks tab and the history search. Real widgets offscreen, fed with the protocol's own
message objects (protocol.messages) as HubConnection's signals would deliver them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QPushButton,
)

from desktop.connection import HubConnection
from desktop.windows import AgentWindow
from desktop.windows.search import search_terms
from protocol import messages as m
from tests.support.desktop_windows import NOW, agent_view, iso, sent

# -- callbacks and search ----------------------------------------------------------------

def callback_rows() -> list[dict[str, Any]]:
    return [
        {"id": 43, "phone": "0946550128", "topic": "f0_home_care", "reason": "follow_up",
         "due_at": iso(NOW + timedelta(minutes=40)), "attempts": 0, "note": None},
        {"id": 41, "phone": "0918223447", "topic": "f0_home_care", "reason": "abandoned",
         "due_at": iso(NOW - timedelta(minutes=25)), "attempts": 1, "note": "chờ 2 phút",
         "last_result": "USER_BUSY", "last_attempt_at": iso(NOW - timedelta(minutes=40))},
    ]


def test_callbacks_tab_highlights_overdue_and_dials_with_one_click(
        qtbot: Any, window: AgentWindow, connection: HubConnection) -> None:
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available"),
                                     callbacks=callback_rows()))
    view = window.callbacks_view
    assert window.tabs.currentWidget() is view  # between calls the callbacks are in front
    assert window.tabs.tabText(1) == "Gọi lại (2) — 1 quá hạn"
    model = view.model
    assert [row["id"] for row in model.rows] == [41, 43]  # the overdue one first
    assert model.data(model.index(0, 0)).endswith("— quá hạn")
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(0, 4)) == "Gác máy khi đang chờ"
    assert model.data(model.index(0, 7)).startswith("Máy bận · ")  # how the last try went
    assert model.data(model.index(1, 7)) == ""
    button = view.buttons[41]
    assert isinstance(button, QPushButton) and button.text() == "Gọi lại"
    with qtbot.waitSignal(connection.reply_received, timeout=2000) as answer:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert answer.args[0].code == "offline"  # a dial is never queued for later
    assert view.message.text().startswith("Chưa kết nối được với máy chủ.")
    window.show_callbacks(m.Callbacks(seq=2, callbacks=callback_rows()[:1]))
    assert window.tabs.tabText(1) == "Gọi lại (1)"
    new = {**callback_rows()[1], "id": 44, "phone": "0907111222", "state": "open"}
    window.show_callbacks(m.Callbacks(seq=3, changed_only=True, callbacks=[
        {**callback_rows()[0], "state": "dialing"}, new]))  # a colleague dials 43; 44 is owed
    assert [row["id"] for row in model.rows] == [44] and 44 in view.buttons


def test_history_search_by_phone_or_case_code(window: AgentWindow,
                                              connection: HubConnection,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert search_terms(" f0-2026-000087 ") == {"case_code": "F0-2026-000087"}
    assert search_terms("0912 345.678") == {"phone": "0912345678"}
    view = window.search_view
    view.field.setText("0912 345 678")
    view.search()
    (asked,) = sent(connection, m.HistorySearch)
    assert asked.phone == "0912345678" and asked.case_code is None
    answers: list[Any] = []
    monkeypatch.setattr(connection, "history_search",
                        lambda callback, **terms: answers.append(callback) or "r")
    view.field.setText("F0-2026-000087")
    view.search()
    answers[0](m.Reply(type="history_search", id="r", data={"items": [
        {"kind": "case", "id": 1, "at": iso(NOW - timedelta(days=9)), "code": "F0-2026-000001"},
        {"kind": "case", "id": 2, "at": iso(NOW), "code": "F0-2026-000087"}]}))
    assert [row["code"] for row in view.results.rows] == ["F0-2026-000087", "F0-2026-000001"]
    assert view.message.text() == "2 kết quả"
