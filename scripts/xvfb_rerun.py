"""What the screenshot scripts share: run again under xvfb-run (Debian's xvfb) without a
display, and let Qt settle before a grab."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable


def rerun_under_xvfb(screen: str, offscreen_ok: bool = True) -> int | None:
    """None when there is a display (or, with `offscreen_ok`, Qt draws offscreen): go on.
    Else this script's exit code, run again on a virtual `screen` ("1366x768x24"), or 2 when
    xvfb-run is missing."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or (
            offscreen_ok and os.environ.get("QT_QPA_PLATFORM") == "offscreen"):
        return None
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        print("no display and no xvfb-run: apt-get install -y xvfb", file=sys.stderr)
        return 2
    return subprocess.call([xvfb, "-a", "-s", f"-screen 0 {screen}", sys.executable,
                            *sys.argv])


def settle(until: Callable[[], bool] = lambda: True, rounds: int = 400) -> None:
    """Run Qt's events until `until()` holds (at most `rounds` × 10 ms), then a few more so
    what it changed is painted."""
    from PySide6.QtWidgets import QApplication

    for _ in range(rounds):
        QApplication.processEvents()
        if until():
            break
        time.sleep(0.01)
    for _ in range(20):
        QApplication.processEvents()
