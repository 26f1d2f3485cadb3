"""The agent desktop application: the login window, then the agent window (or, for a team
lead or an admin, the lead window), on one HubConnection; back to the login when the session
ends — or, in the demo, the end when the window closes. Ctrl-C (SIGINT), SIGTERM and SIGHUP
end it as closing it would."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import platformdirs
from PySide6.QtCore import QEvent, QObject, QSettings, QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop.connection import HubConnection
from desktop.drafts import DraftStore
from desktop.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translations
from desktop.windows import LEAD_ROLES, AgentWindow, LeadWindow, LoginWindow
from desktop.windows.labels import error_text
from desktop.windows.login import LANGUAGE_KEY
from protocol.messages import Error

ORGANIZATION, APPLICATION = "Hotline1022", "desktop"
# What ends the application as closing its window would (no KeyboardInterrupt in a Qt slot).
QUIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callcenter desktop",
                                     description="The agent desktop of the 1022 hotline.")
    parser.add_argument("--server", help="the hub's address, host:port (default: the last one)")
    parser.add_argument("--username", help="fill in the username")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input and "
                             "log in at once (with --username)")
    parser.add_argument("--ca-file", help="trust this PEM certificate for the hub (a "
                                          "development hub's self-signed certificate)")
    parser.add_argument("--language", choices=LANGUAGES, help="vi (default) or en")
    parser.add_argument("--login-file", type=Path,
                        help="log in at once with the JSON file `callcenter demo` writes "
                             "(host, port, ca, username, password)")
    parser.add_argument("--drafts", type=Path, default=None,
                        help="where local drafts of cases are kept (default: the user's "
                             "data folder)")
    return parser


def read_login_file(path: Path) -> dict[str, str]:
    """server, username, password and ca_file from the demo's ready file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"server": f"{data['host']}:{data['port']}", "username": str(data["username"]),
            "password": str(data["password"]), "ca_file": str(data.get("ca") or "")}


def drafts_folder() -> Path:
    return Path(platformdirs.user_data_dir("hotline1022", appauthor=False)) / "drafts"


def display_available(environ: dict[str, str] | None = None) -> bool:
    """Whether a window can be shown here (on Linux: an X or Wayland display, or a Qt platform
    chosen explicitly, such as offscreen)."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return True
    return any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


@contextlib.contextmanager
def signals_call(handler: Callable[[int], None],
                 signals: Sequence[int] = QUIT_SIGNALS) -> Iterator[None]:
    """While the block runs, these signals call `handler(signal number)` from Qt's event loop
    (on this, the main thread), instead of raising KeyboardInterrupt (SIGINT) in whichever
    slot runs, or killing the process with nothing saved (SIGTERM, SIGHUP). Python runs a
    handler only when it runs Python code, and Qt's loop may wait in C++ for a long time: the
    signal's number written to a socket (signal.set_wakeup_fd) wakes it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are the main thread's
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

    def drain() -> None:  # Python ran the handlers before this; the bytes only woke us
        with contextlib.suppress(OSError):
            while reader.recv(64):
                pass

    def caught(signum: int, _frame: FrameType | None) -> None:
        QTimer.singleShot(0, lambda: handler(signum))

    notifier.activated.connect(drain)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    previous = {number: signal.signal(number, caught) for number in signals}
    try:
        yield
    finally:
        for number, before in previous.items():
            signal.signal(number, before)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        reader.close()
        writer.close()


class DesktopApp(QObject):
    """Which window is up: the login, or the logged-in user's window — the agent window, or
    the lead window for a team lead or an admin.

    Attributes:
        login_window: always there.
        agent_window: the agent window, once an agent logged in.
        lead_window: the lead window, once a lead or an admin logged in.
        demo: the demo's desktop: the session is the whole run — closing the window or
            logging out ends the application (the demo's user has no password to type).
    """

    def __init__(self, connection: HubConnection, settings: QSettings,
                 translations: Translations, drafts: DraftStore | None = None,
                 parent: QObject | None = None, *, demo: bool = False) -> None:
        super().__init__(parent)
        self._connection, self._settings = connection, settings
        self._translations, self._drafts = translations, drafts
        self.demo, self._quitting = demo, False
        self.login_window = LoginWindow(connection, settings, translations)
        self.agent_window: AgentWindow | None = None
        self.lead_window: LeadWindow | None = None
        connection.logged_in.connect(self._on_logged_in)
        connection.session_lost.connect(self._on_session_lost)
        app = QApplication.instance()
        if app is None:
            raise RuntimeError("make the QApplication before the DesktopApp")
        app.aboutToQuit.connect(self._on_quit)

    @property
    def window(self) -> AgentWindow | LeadWindow | None:
        """The logged-in user's window (there is one at most)."""
        return self.lead_window or self.agent_window

    def start(self) -> None:
        self.login_window.show()

    def _on_logged_in(self, data: dict[str, Any]) -> None:
        agent = data.get("agent") if isinstance(data.get("agent"), dict) else {}
        role = str((agent or {}).get("role") or "")
        window = self._lead_window(data, role) if role in LEAD_ROLES else \
            self._agent_window(data)
        self.login_window.hide()
        if self.demo:
            window.removeEventFilter(self)
            window.installEventFilter(self)  # its closing ends the demo
        window.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and watched is self.window and \
                not self._quitting:  # the demo's window: closed, the demo is over
            self.quit()
            return True
        return super().eventFilter(watched, event)

    def quit(self) -> None:
        """End the application as closing its last window does: the logged-in window saves
        its draft and logs out, asking nothing (the application is quitting), every window
        closes, and the event loop ends."""
        if self._quitting:
            return
        self._quitting = True
        window = self.window
        if window is not None:
            window.quitting = True
            window.close()
        self.login_window.close()
        for widget in QApplication.topLevelWidgets():  # a wallboard, a dialog left open
            if isinstance(widget, QWidget) and widget.isVisible():
                widget.close()
        QApplication.exit(0)  # also the loops of modal dialogs, which quit() leaves running

    def _agent_window(self, data: dict[str, Any]) -> AgentWindow:
        self._drop_lead_window()
        window = self.agent_window
        same_agent = window is not None and window.agent.username == self._connection.username
        if window is not None and not same_agent:
            window.save_draft(stop=True)  # the other agent's form, before it goes
            window.deleteLater()
            window = None
        if window is None:  # the same agent again keeps their window, and what they typed
            window = AgentWindow(self._connection, data, self._settings, self._translations,
                                 drafts=self._drafts)
            window.logout_requested.connect(self._on_logout)
            self.agent_window = window
        return window

    def _lead_window(self, data: dict[str, Any], role: str) -> LeadWindow:
        if self.agent_window is not None:
            self.agent_window.save_draft(stop=True)
            self.agent_window.hide()
            self.agent_window.deleteLater()
            self.agent_window = None
        window = self.lead_window
        if window is not None and (window.username != self._connection.username or
                                   window.role != role):
            self._drop_lead_window()  # another lead, or what they may see changed
            window = None
        if window is None:  # the same lead again keeps their window (the board comes whole)
            window = LeadWindow(self._connection, data, self._settings, self._translations)
            window.logout_requested.connect(self._on_logout)
            self.lead_window = window
        return window

    def _drop_lead_window(self) -> None:
        if self.lead_window is not None:
            self.lead_window.quitting = True
            self.lead_window.hide()
            self.lead_window.deleteLater()
            self.lead_window = None

    def _on_session_lost(self, error: Error) -> None:
        if self._quitting:
            return
        self.login_window.show_message(error_text(error.code, error.message))
        self.login_window.show()
        if self.window is not None:
            self.window.hide()

    def _on_quit(self) -> None:
        if self.window is not None:
            self.window.quitting = True  # its closing asks nothing now

    def _on_logout(self) -> None:
        self._connection.logout()
        if self.window is not None:
            self.window.hide()
        if self.demo or self._quitting:  # nobody to log in again: the end
            self.quit()
            return
        self.login_window.show_message("")
        self.login_window.show()


@dataclass(frozen=True)
class DemoRun:
    """How `callcenter demo` (callcenter.demo_desktop) runs the desktop: the session is the
    whole run (DesktopApp.demo), and

    Attributes:
        quit_after: seconds, then the end (`--duration`).
        stop_when: asked twice a second; true: the end (the demo's backend stopped).
        logged_in: told who logged in, once their window is up.
    """

    quit_after: float | None = None
    stop_when: Callable[[], bool] | None = None
    logged_in: Callable[[str], None] | None = None


def main(argv: Sequence[str] | None = None, *, demo: DemoRun | None = None) -> int:
    """`callcenter desktop`: run the agent desktop until its last window closes, or SIGINT,
    SIGTERM or SIGHUP (exit code 0); `demo`: as the demo runs it."""
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if not display_available():
        print("callcenter desktop: no display here (set DISPLAY, or run under Xvfb)",
              file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "desktop"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    settings = QSettings()
    translations = Translations(app)
    translations.apply(args.language or str(settings.value(LANGUAGE_KEY, DEFAULT_LANGUAGE)))
    login = {"server": args.server, "username": args.username, "ca_file": args.ca_file,
             "password": sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None}
    try:
        if args.login_file:
            login.update(read_login_file(args.login_file))
        connection = HubConnection(app, ca_file=login["ca_file"])
        drafts = DraftStore(args.drafts or drafts_folder())
    except (OSError, ValueError, KeyError) as exc:
        print(f"callcenter desktop: {exc}", file=sys.stderr)
        return 2
    desktop = DesktopApp(connection, settings, translations, drafts, demo=demo is not None)
    desktop.login_window.fill(**login)
    timers = _demo_timers(app, desktop, connection, demo, login) if demo is not None else []
    with signals_call(lambda _signum: desktop.quit()):
        desktop.start()
        if login["password"] and login["username"]:
            desktop.login_window.submit()
        for timer in timers:
            timer.start()
        code = app.exec()
    for timer in timers:
        timer.stop()
    connection.close()
    return code


def _demo_timers(app: QObject, desktop: DesktopApp, connection: HubConnection, demo: DemoRun,
                 login: dict[str, Any]) -> list[QTimer]:
    """The demo's hooks on the application; the timers to start with the event loop."""
    # the session lost (expired): the demo's login filled in again, one click away
    connection.session_lost.connect(lambda _error: desktop.login_window.fill(**login))
    if demo.logged_in is not None:
        told = demo.logged_in
        connection.logged_in.connect(lambda _data: told(connection.username))
    timers = []
    if demo.quit_after is not None:
        timers.append(QTimer(app, singleShot=True, interval=int(demo.quit_after * 1000)))
        timers[-1].timeout.connect(desktop.quit)
    if demo.stop_when is not None:
        stop_when = demo.stop_when

        def poll() -> None:
            if stop_when():
                desktop.quit()

        timers.append(QTimer(app, interval=500))
        timers[-1].timeout.connect(poll)
    return timers
