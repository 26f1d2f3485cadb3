"""The real hotline behind a desktop under test: `callcenter demo --headless --control` in a
subprocess (simulator → daemon → hub over TLS with its development certificate), steered on its
standard input. The Qt tests run in this process; gevent runs in that one."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

W = TypeVar("W")

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Demo:
    process: subprocess.Popen[str]
    host: str
    port: int
    ca: str
    username: str
    password: str
    database: str
    web: str | None = None  # the public form's address (with web=True)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _say(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def call(self, number: str, key: str, talk: float = 30.0) -> None:
        """A simulated caller dials 1022 and presses `key` (talk: simulated seconds)."""
        self._say(f"call {number} {key} {talk}")

    def hub_stop(self) -> None:
        """The hub goes down: every desktop's link drops (the daemon runs on)."""
        self._say("hub stop")

    def hub_start(self) -> None:
        self._say("hub start")

    def clock(self, days: float) -> None:
        """The home-treatment plans' clock `days` ahead of now (what is due then is owed)."""
        self._say(f"clock {days}")


@contextlib.contextmanager
def running_demo(tmp_path: Path, lead: bool = False, web: bool = False) -> Iterator[Demo]:
    """The demo with its nurse's account for the desktop (with `lead`: its lead's, an admin;
    the day starts empty); with `web`, its public declaration form too."""
    ready = tmp_path / "ready.json"
    who = ["--desktop-user", "truong", "--lead", "--no-history", "--staff", "0"] if lead \
        else ["--desktop-user", "lan", "--no-history"]
    command = [sys.executable, "-c", "from callcenter.cli.main import main; main()",
               "demo", "--headless", "--quiet", "--rate", "0", *who,
               "--ready-file", str(ready), "--control", *([] if web else ["--no-web"])]
    log = (tmp_path / "demo.log").open("w")  # a file, not a pipe nobody empties
    process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, text=True,
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while not (ready.exists() and ready.stat().st_size):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the demo did not start: {(tmp_path / 'demo.log').read_text()}")
        time.sleep(0.05)
    data = json.loads(ready.read_text())
    try:
        yield Demo(process, data["host"], data["port"], data["ca"], data["username"],
                   data["password"], data["database"], data.get("web"))
    finally:
        with contextlib.suppress(OSError):
            process.stdin.close()  # the end of its input stops the demo
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextlib.contextmanager
def window_on(qtbot: Any, demo: Demo, settings_path: Path,
              make: Callable[[Any, dict[str, Any], Any], W]) -> Iterator[W]:
    """The window `make(connection, login data, settings)` builds once the demo's desktop
    user has logged in over a real HubConnection (the demo's certificate pinned), shown; the
    connection closed afterwards."""
    from PySide6.QtCore import QSettings

    from desktop.connection import HubConnection
    from tests.support.qt_windows import add_window

    connection = HubConnection(reconnect_base=0.2, reconnect_cap=1.0)
    connection.pin_certificate(demo.ca)
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    windows: list[W] = []
    connection.logged_in.connect(lambda data: windows.append(make(connection, data,
                                                                  settings)))
    connection.login(demo.address, demo.username, demo.password)
    qtbot.waitUntil(lambda: bool(windows), timeout=15_000)
    add_window(qtbot, windows[0])
    windows[0].show()
    try:
        yield windows[0]
    finally:
        connection.close()
