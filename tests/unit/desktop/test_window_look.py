"""The link's state, the language, the layout at 1366×768, and the translation files. Real
widgets offscreen, fed with the protocol's own message objects (protocol.messages) as
HubConnection's signals would deliver them."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QWidget,
)

from desktop import app as desktop_app
from desktop.connection import HubConnection
from desktop.i18n import Translations
from desktop.i18n.__main__ import QM_FILE, TS_FILE, release, update
from desktop.windows import AgentWindow
from desktop.windows.labels import error_text
from protocol import messages as m
from protocol.errors import ErrorCode, LocalCode
from tests.support.desktop_windows import CALL_UUID, NOW, agent_view, iso, screen_pop

# -- the link, the language, the layout ----------------------------------------------------

def test_connection_state_is_always_shown_in_colour(window: AgentWindow,
                                                    connection: HubConnection) -> None:
    label = window.status_bar.connection_label
    assert label.text() == "● Mất kết nối" and "#c62828" in label.styleSheet()
    for state, text, colour in (("connecting", "● Đang kết nối…", "#b26a00"),
                                ("connected", "● Đã kết nối", "#1b7f3b"),
                                ("reconnecting", "● Đang kết nối lại…", "#b26a00"),
                                ("offline", "● Mất kết nối", "#c62828")):
        connection.state_changed.emit(state)
        assert label.text() == text and colour in label.styleSheet()
        assert label.isVisible()


def test_every_error_code_reads_in_the_agents_language(translations: Translations) -> None:
    """Every code of protocol.errors, the hub's and the connection's own (but `superseded`,
    which is never shown): a sentence in Vietnamese, the hub's English words at most in
    brackets after it."""
    shown = [*ErrorCode, *(c for c in LocalCode if c is not LocalCode.SUPERSEDED)]
    for code in shown:
        text = error_text(code, "the hub's words")
        assert not text.startswith("the hub's words"), code
    assert error_text("internal", "") == "Máy chủ gặp sự cố nên chưa làm được; vui lòng thử lại."


def test_what_callers_send_shows_as_text_never_as_markup(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    """An outside caller chooses their caller-ID name, and the web form's fields are typed by
    anyone: `<b style=…>` must be shown as it was sent, not restyle the pop (QLabel's default
    AutoText would render it)."""
    markup = "<b style='font-size:60pt;color:red'>ĐỎ</b>"
    pop = screen_pop(session_data)
    call = pop.call.model_copy(update={"caller_name": markup})
    declaration = {**(pop.declaration or {}), "address_detail": markup, "full_name": None}
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available"), callbacks=[]))
    window.show_screen_pop(screen_pop(session_data, call=call, declaration=declaration,
                                      draft={}))  # no name on record: the caller ID's
    shown = [window.call_panel.name_label] + [
        label for label in window.screen_pop_view.declaration_box.findChildren(QLabel)
        if label.text() == markup]
    assert window.call_panel.name_label.text() == markup and len(shown) == 2
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in shown)


def test_english_can_be_chosen_and_vietnamese_comes_back(
        window: AgentWindow, session_data: dict[str, Any], settings: QSettings) -> None:
    window.show_screen_pop(screen_pop(session_data))
    window.language_actions["en"].trigger()
    assert window.status_bar.status_label.text() == "Available"
    assert window.tabs.tabText(0) == "Current call"
    assert window.call_panel.topic_label.text() == \
        "Advice and support for COVID-19 patients (F0) treated at home"
    assert window.screen_pop_view.history.headerData(0, Qt.Orientation.Horizontal) == "Time"
    assert window.save_action.text() == "Save case (Ctrl+S)"
    assert window.screen_pop_view.form_host.form.values()["full_name"] == \
        "Nguyễn Thị Hồng Nhung"  # the form is rebuilt in English with what was typed
    assert settings.value("ui/language") == "en"
    window.set_language("vi")
    assert window.status_bar.status_label.text() == "Sẵn sàng"
    assert window.menuBar().actions()[0].text() == "&Trạng thái"


def _inside(widget: QWidget, window: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


def test_the_screen_pop_fits_1366_by_768(qtbot: Any, window: AgentWindow,
                                         session_data: dict[str, Any]) -> None:
    window.show_screen_pop(screen_pop(session_data, open_case={
        "id": 311, "code": "F0-2026-000087", "status": "follow_up", "version": 2}))
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid=CALL_UUID,
                                        acw_until=iso(NOW + timedelta(seconds=60))))
    window.resize(1366, 768)
    qtbot.wait(50)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    assert (window.width(), window.height()) == (1366, 768)
    bar, panel, view = window.status_bar, window.call_panel, window.screen_pop_view
    for widget in (bar.status_label, bar.time_label, bar.calls_label, bar.connection_label,
                   panel.caller_label, panel.acw_label, view.history_view, view.form_host,
                   view.message, view.declaration_box):
        assert widget.isVisible() and _inside(widget, window), widget
    save = next(b for b in view.findChildren(QPushButton) if "Ctrl+S" in b.text())
    assert _inside(save, window) and save.width() >= save.sizeHint().width()
    assert panel.caller_label.width() >= panel.caller_label.sizeHint().width()


# -- the application and its translation files --------------------------------------------

def test_the_app_says_so_when_there_is_no_display() -> None:
    if not desktop_app.sys.platform.startswith("linux"):
        pytest.skip("only Linux needs a display server")
    assert not desktop_app.display_available({})
    assert desktop_app.display_available({"DISPLAY": ":0"})
    assert desktop_app.display_available({"QT_QPA_PLATFORM": "offscreen"})


def test_every_string_is_translated_and_the_qm_is_up_to_date(tmp_path: Path) -> None:
    """The committed .ts has every tr() string of desktop/ translated, and the committed .qm
    is what pyside6-lrelease makes of it (`python -m desktop.i18n update` fixes both)."""
    ts = tmp_path / "hotline_vi.ts"
    ts.write_bytes(TS_FILE.read_bytes())
    update(ts)
    text = ts.read_text(encoding="utf-8")
    assert 'type="unfinished"' not in text, "new strings: run python -m desktop.i18n update"
    assert text == TS_FILE.read_text(encoding="utf-8"), "the .ts is not lupdate's output"
    qm = tmp_path / "hotline_vi.qm"
    release(ts, qm)
    assert qm.read_bytes() == QM_FILE.read_bytes(), "run python -m desktop.i18n release"


def test_lupdate_and_lrelease_come_with_pyside6() -> None:
    from desktop.i18n.__main__ import tool

    for name in ("pyside6-lupdate", "pyside6-lrelease"):
        assert subprocess.run([tool(name), "-version"], capture_output=True).returncode == 0
