"""The login window's layout: a narrow form centred in whatever room the window has (a
maximised login does not stretch its fields over the screen), nothing taking room that has
nothing to say (no blank rows), no row over another, and the progress bar only while a login
is on its way."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtWidgets import QWidget

from desktop.connection import HubConnection
from desktop.i18n import Translations
from desktop.windows import LoginWindow
from tests.support.desktop_windows import closed_port

MAX_FORM_WIDTH = 560  # px, on a 1366-wide screen


def _rect(login: LoginWindow, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(login, QPoint(0, 0)), widget.size())


def _rows(login: LoginWindow) -> list[QWidget]:
    """What is on screen, top to bottom."""
    widgets = [login._title, login._server, login._username, login._password,
               login._certificate, login._language, login._error, login._progress,
               login._status, login._submit]
    return [w for w in widgets if w.isVisible()]


def _login(qtbot: Any, connection: HubConnection, settings: QSettings,
           translations: Translations) -> LoginWindow:
    login = LoginWindow(connection, settings, translations)
    qtbot.addWidget(login)
    login.fill(server="127.0.0.1:8443", username="lan", ca_file="/tmp/hub.crt")
    return login


def test_a_maximised_login_keeps_its_form_narrow_and_centred(
        qtbot: Any, connection: HubConnection, settings: QSettings,
        translations: Translations) -> None:
    login = _login(qtbot, connection, settings, translations)
    login.resize(1366, 768)
    login.show()
    qtbot.waitExposed(login)
    rows = [_rect(login, w) for w in _rows(login)]
    left, right = min(r.left() for r in rows), max(r.right() for r in rows)
    top, bottom = min(r.top() for r in rows), max(r.bottom() for r in rows)
    assert right - left <= MAX_FORM_WIDTH, (left, right)
    assert abs((left + right) / 2 - 1366 / 2) < 20  # centred across
    assert abs((top + bottom) / 2 - 768 / 2) < 40  # and down
    assert login._server.width() < MAX_FORM_WIDTH


def test_no_blank_rows_and_no_row_over_another(
        qtbot: Any, connection: HubConnection, settings: QSettings,
        translations: Translations) -> None:
    login = _login(qtbot, connection, settings, translations)
    login.show()
    qtbot.waitExposed(login)
    gap = _rect(login, login._submit).top() - _rect(login, login._language).bottom()
    assert gap <= 16, gap  # no empty error or status line between them
    login.show_message("Phiên làm việc đã hết hạn; vui lòng đăng nhập lại. (session expired) "
                       "— a long message that takes two lines or three in a narrow window")
    qtbot.waitUntil(lambda: login._error.isVisible())
    login.resize(login.minimumSizeHint())
    for size in ((login.width(), login.height()), (1366, 768)):
        login.resize(*size)
        qtbot.wait(0)
        rows = [_rect(login, w) for w in _rows(login)]
        for above, below in pairwise(rows):
            assert above.bottom() < below.top(), (size, above, below)


def test_the_progress_shows_only_while_a_login_is_on_its_way(
        qtbot: Any, connection: HubConnection, settings: QSettings,
        translations: Translations) -> None:
    login = _login(qtbot, connection, settings, translations)
    login.fill(server=f"127.0.0.1:{closed_port()}", password="mat-khau-dai-1", ca_file="")
    login.show()
    qtbot.waitExposed(login)
    assert not login._progress.isVisible()
    with qtbot.waitSignal(connection.login_failed, timeout=5000):
        login.submit()
        assert login._progress.isVisible() and login._status.isVisible()
    assert not login._progress.isVisible() and not login._status.isVisible()
    login.fill(password="mat-khau-dai-1")
    login.submit()
    assert login._progress.isVisible()
    connection.close()  # given up without a word: the application quitting, a logout
    qtbot.waitUntil(lambda: not login._progress.isVisible(), timeout=2000)
    assert login._submit.isEnabled()
