"""The login window. Real widgets offscreen, fed with the protocol's own message objects
(protocol.messages) as HubConnection's signals would deliver them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from desktop.connection import HubConnection
from desktop.i18n import Translations
from desktop.windows import LoginWindow
from desktop.windows.login import CERT_KEY, SERVER_KEY, USER_KEY
from tests.support.desktop_windows import closed_port

# -- login -------------------------------------------------------------------------------

def test_login_checks_the_fields_before_connecting(qtbot: Any, connection: HubConnection,
                                                   settings: QSettings,
                                                   translations: Translations) -> None:
    login = LoginWindow(connection, settings, translations)
    qtbot.addWidget(login)
    assert login.windowTitle() == "Đường dây nóng 1022 — đăng nhập"
    login.fill(server="127.0.0.1:8443", username="", password="")
    login.submit()
    assert login.error_text == "Nhập tên đăng nhập."
    login.fill(username="lan")
    login.submit()
    assert login.error_text == "Nhập mật khẩu."
    login.fill(server="ws://10.1.2.3:8443", password="mat-khau-dai-1")
    login.submit()
    assert "ws://" in login.error_text and "127.0.0.1" in login.error_text
    assert connection.state == "offline" and settings.value(SERVER_KEY) is None


def test_login_remembers_the_server_and_says_why_it_failed(
        qtbot: Any, connection: HubConnection, settings: QSettings,
        translations: Translations) -> None:
    login = LoginWindow(connection, settings, translations)
    qtbot.addWidget(login)
    address = f"127.0.0.1:{closed_port()}"  # nothing listens there
    login.fill(server=address, username="lan", password="mat-khau-dai-1")
    with qtbot.waitSignal(connection.login_failed, timeout=5000) as failed:
        login.submit()
    assert failed.args[0].code == "offline"
    assert login.error_text.startswith("Không kết nối được máy chủ:")
    assert settings.value(SERVER_KEY) == address and settings.value(USER_KEY) == "lan"
    assert "mat-khau" not in Path(settings.fileName()).read_text(encoding="utf-8") \
        if Path(settings.fileName()).exists() else True
    settings.sync()
    again = LoginWindow(HubConnection(), settings, translations)
    qtbot.addWidget(again)
    again.fill(password="x")
    assert again._server.text() == address and again._username.text() == "lan"
    assert again._password.hasFocus() or not again.isVisible()


def test_login_refuses_a_certificate_file_without_a_certificate(
        qtbot: Any, connection: HubConnection, settings: QSettings,
        translations: Translations, tmp_path: Path) -> None:
    bogus = tmp_path / "hub.crt"
    bogus.write_text("not a certificate\n")
    settings.setValue(CERT_KEY, str(bogus))
    login = LoginWindow(connection, settings, translations)
    qtbot.addWidget(login)
    login.fill(server="127.0.0.1:8443", username="lan", password="mat-khau-dai-1")
    login.submit()
    assert login.error_text == "Tệp chứng chỉ không chứa chứng chỉ PEM nào."
    assert connection.state == "offline"
