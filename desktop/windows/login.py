"""The login window: server address, username, password, and the pinned certificate of a
development hub. Address, username and certificate are remembered with QSettings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection, hub_url
from desktop.i18n import Translations
from desktop.windows.labels import error_text, plain_text
from protocol.messages import Error

SERVER_KEY, USER_KEY, CERT_KEY = "login/server", "login/username", "login/ca_file"
LANGUAGE_KEY = "ui/language"
LANGUAGE_NAMES = (("vi", "Tiếng Việt"), ("en", "English"))  # each in its own language
CARD_WIDTH = 480  # px: the form's width, whatever the window's


def language_menu(owner: QObject, menu: QMenu, current: str,
                  choose: Callable[[str], None]) -> dict[str, QAction]:
    """The language choices of a window's menu, one checked: code → its action."""
    group = QActionGroup(owner, exclusionPolicy=QActionGroup.ExclusionPolicy.Exclusive)
    actions: dict[str, QAction] = {}
    for code, name in LANGUAGE_NAMES:
        made = group.addAction(QAction(name, owner, checkable=True))
        made.setChecked(code == current)
        made.triggered.connect(lambda _=False, c=code: choose(c))
        menu.addAction(made)
        actions[code] = made
    return actions


class LoginWindow(QWidget):
    """Asks who the agent is and connects; shows progress while the hub is reached.

    Signals:
        submitted(str, str): the server address and username of a login attempt.
    """

    submitted = Signal(str, str)

    def __init__(self, connection: HubConnection, settings: QSettings,
                 translations: Translations | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection, self._settings = connection, settings
        self._translations = translations
        self._build()
        self._server.setText(str(settings.value(SERVER_KEY, "127.0.0.1:8443")))
        self._username.setText(str(settings.value(USER_KEY, "")))
        self._certificate.setText(str(settings.value(CERT_KEY, "")))
        connection.login_failed.connect(self.show_failure)
        connection.logged_in.connect(self._on_logged_in)
        connection.state_changed.connect(self._on_state)
        self.retranslate()
        (self._password if self._username.text() else self._username).setFocus()

    def _build(self) -> None:
        """The form as a card of a fixed width, centred in the window whatever its size (a
        maximised login does not stretch the fields over the screen); the error and the
        progress take room only while they have something to say."""
        self._title = QLabel()
        self._title.setObjectName("loginTitle")
        self._title.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self._server, self._username = QLineEdit(), QLineEdit()
        self._password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self._certificate = QLineEdit()
        self._browse = QPushButton()
        self._browse.clicked.connect(self._choose_certificate)
        cert_row = QHBoxLayout()
        cert_row.addWidget(self._certificate, 1)
        cert_row.addWidget(self._browse)
        self._language = QComboBox()
        for code, name in LANGUAGE_NAMES:
            self._language.addItem(name, code)
        if self._translations is not None:
            self._language.setCurrentIndex(max(0, self._language.findData(
                self._translations.language)))
        self._language.currentIndexChanged.connect(self._on_language)
        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._labels = [QLabel() for _ in range(5)]
        fields: tuple[QWidget | QLayout, ...] = (self._server, self._username, self._password,
                                                 cert_row, self._language)
        for label, field in zip(self._labels, fields, strict=True):
            self._form.addRow(label, field)
        self._error = plain_text(QLabel(wordWrap=True))
        self._error.setObjectName("loginError")
        self._error.setStyleSheet("color: #c62828;")
        self._error.setVisible(False)
        self._progress = QProgressBar(minimum=0, maximum=0, textVisible=False)
        self._progress.setMaximumHeight(8)
        self._status = plain_text(QLabel(wordWrap=True))
        self.busy_box = QWidget()  # the progress and what it waits for: only while connecting
        busy_layout = QVBoxLayout(self.busy_box)
        busy_layout.setContentsMargins(0, 0, 0, 0)
        busy_layout.addWidget(self._progress)
        busy_layout.addWidget(self._status)
        self.busy_box.setVisible(False)
        self._submit = QPushButton(default=True, autoDefault=True)
        self._submit.clicked.connect(self.submit)
        for field in (self._server, self._username, self._password):
            field.returnPressed.connect(self.submit)
        self.card = QWidget()
        self.card.setObjectName("loginCard")
        self.card.setFixedWidth(CARD_WIDTH)
        card = QVBoxLayout(self.card)
        card.setContentsMargins(0, 0, 0, 0)
        card.addWidget(self._title)
        card.addSpacing(6)
        card.addLayout(self._form)
        card.addWidget(self._error)
        card.addWidget(self.busy_box)
        card.addSpacing(6)
        card.addWidget(self._submit, 0, Qt.AlignmentFlag.AlignRight)
        layout = QGridLayout(self)  # the card in the middle, the room around it empty
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(self.card, 1, 1, Qt.AlignmentFlag.AlignCenter)
        for edge in (0, 2):
            layout.setRowStretch(edge, 1)
            layout.setColumnStretch(edge, 1)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Hotline 1022 — log in"))
        self._title.setText(self.tr("Hotline 0290 1022"))
        texts = (self.tr("Server"), self.tr("Username"), self.tr("Password"),
                 self.tr("Server certificate"), self.tr("Language"))
        for label, text in zip(self._labels, texts, strict=True):
            label.setText(text)
        self._server.setPlaceholderText(self.tr("host:port, e.g. hub.example.vn:8443"))
        self._certificate.setPlaceholderText(self.tr("optional (PEM file)"))
        self._certificate.setToolTip(
            self.tr("only for a server with its own certificate (PEM file)"))
        self._browse.setText(self.tr("Choose…"))
        self._submit.setText(self.tr("Log in"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @property
    def error_text(self) -> str:
        return self._error.text()

    def fill(self, server: str | None = None, username: str | None = None,
             password: str | None = None, ca_file: str | None = None) -> None:
        """Put values in the fields (the command line's --server/--username, the demo)."""
        for field, value in ((self._server, server), (self._username, username),
                             (self._password, password), (self._certificate, ca_file)):
            if value is not None:
                field.setText(value)

    @Slot()
    def submit(self) -> None:
        """Check the fields, remember them, and ask the connection to log in."""
        problem = self._problem()
        if problem:
            self._say(problem)
            return
        server, username = self._server.text().strip(), self._username.text().strip()
        try:
            self._connection.pin_certificate(self._certificate.text().strip() or None)
        except ValueError:
            self._say(self.tr("The certificate file holds no PEM certificate."))
            return
        self._settings.setValue(SERVER_KEY, server)
        self._settings.setValue(USER_KEY, username)
        self._settings.setValue(CERT_KEY, self._certificate.text().strip())
        self._say("")
        self._busy(True, self.tr("Connecting to %1…").replace("%1", server))
        password = self._password.text()
        self._password.clear()
        self.submitted.emit(server, username)
        self._connection.login(server, username, password)

    def _problem(self) -> str:
        if not self._server.text().strip():
            return self.tr("Enter the server address.")
        try:
            hub_url(self._server.text())
        except ValueError:
            return self.tr("The server address is not valid (host:port; plain ws:// "
                           "only to 127.0.0.1).")
        if not self._username.text().strip():
            return self.tr("Enter your username.")
        if not self._password.text():
            return self.tr("Enter your password.")
        return ""

    @Slot(Error)
    def show_failure(self, error: Error) -> None:
        self._busy(False)
        if error.code == "offline":
            text = self.tr("Cannot reach the server: %1").replace("%1", error.message)
        else:
            text = error_text(error.code, error.message)
        self._say(text)
        self._password.setFocus()

    def show_message(self, text: str) -> None:
        """A note from elsewhere (the session expired) above the fields."""
        self._busy(False)
        self._say(text)

    def _on_logged_in(self, _data: dict[str, Any]) -> None:
        self._busy(False)

    def _on_state(self, state: str) -> None:
        if not self.connecting:
            return
        if state == "connected":
            self._status.setText(self.tr("Logging in…"))
        elif state == "offline":  # given up without a word (closed, logged out meanwhile)
            self._busy(False)

    @property
    def connecting(self) -> bool:
        """A login is on its way (the progress shows)."""
        return not self.busy_box.isHidden()

    def _say(self, text: str) -> None:
        self._error.setText(text)
        self._error.setVisible(bool(text))

    def _busy(self, busy: bool, text: str = "") -> None:
        self.busy_box.setVisible(busy)
        self._status.setText(text)
        for field in (self._server, self._username, self._password, self._submit,
                      self._certificate, self._browse):
            field.setEnabled(not busy)

    def _choose_certificate(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Server certificate"), "",
                                              self.tr("Certificates (*.pem *.crt)"))
        if path:
            self._certificate.setText(path)

    def _on_language(self, _index: int) -> None:
        language = str(self._language.currentData())
        if self._translations is not None:
            self._translations.apply(language)
        self._settings.setValue(LANGUAGE_KEY, language)
