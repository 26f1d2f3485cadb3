"""How the desktop application ends. The real `callcenter desktop`: closing the window logs out
and shows the login, as before. The demo's (`callcenter demo`): its nurse has no password to
type, so closing the window, or logging out, ends the application. And SIGINT / SIGTERM are
handled on Qt's event loop, not as a KeyboardInterrupt in whichever slot runs."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop import app as desktop_app
from desktop.connection import HubConnection
from desktop.i18n import Translations
from tests.support.qt_windows import add_window


@pytest.fixture
def exits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """QApplication.exit's calls (the tests' application must live on)."""
    calls: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(calls.append))
    return calls


def _logged_in(qtbot: Any, connection: HubConnection, settings: QSettings,
               translations: Translations, session_data: dict[str, Any],
               demo: bool) -> desktop_app.DesktopApp:
    desktop = desktop_app.DesktopApp(connection, settings, translations, demo=demo)
    qtbot.addWidget(desktop.login_window)
    desktop.start()
    connection.username = "lan"
    connection.logged_in.emit(session_data)
    window = desktop.agent_window
    assert window is not None and window.isVisible() and not desktop.login_window.isVisible()
    add_window(qtbot, window)
    return desktop


def test_closing_the_window_goes_back_to_the_login(
        qtbot: Any, connection: HubConnection, settings: QSettings,
        translations: Translations, session_data: dict[str, Any], exits: list[int]) -> None:
    desktop = _logged_in(qtbot, connection, settings, translations, session_data, demo=False)
    window = desktop.agent_window
    assert window is not None
    window.close()
    assert not window.isVisible() and desktop.login_window.isVisible()
    assert exits == []


def test_closing_the_demos_window_ends_the_demo(
        qtbot: Any, connection: HubConnection, settings: QSettings,
        translations: Translations, session_data: dict[str, Any], exits: list[int]) -> None:
    desktop = _logged_in(qtbot, connection, settings, translations, session_data, demo=True)
    window = desktop.agent_window
    assert window is not None
    window.close()
    assert exits == [0]
    assert not window.isVisible() and not desktop.login_window.isVisible()
    assert window.quitting  # closed as the application quitting: nothing asked


def test_logging_out_of_the_demo_ends_it(
        qtbot: Any, connection: HubConnection, settings: QSettings,
        translations: Translations, session_data: dict[str, Any], exits: list[int]) -> None:
    desktop = _logged_in(qtbot, connection, settings, translations, session_data, demo=True)
    window = desktop.agent_window
    assert window is not None
    window.logout_requested.emit()
    assert exits == [0] and not desktop.login_window.isVisible()


def test_a_signal_is_handled_on_the_event_loop(qtbot: Any) -> None:
    caught: list[int] = []
    before = signal.getsignal(signal.SIGINT)
    with desktop_app.signals_call(caught.append, [signal.SIGINT, signal.SIGTERM]):
        os.kill(os.getpid(), signal.SIGINT)  # no KeyboardInterrupt
        os.kill(os.getpid(), signal.SIGTERM)  # nor the end of the process
        qtbot.waitUntil(lambda: caught == [signal.SIGINT, signal.SIGTERM], timeout=2000)
    assert signal.getsignal(signal.SIGINT) is before
