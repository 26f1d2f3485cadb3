"""The screenshot scripts without a display: run again under xvfb-run (Debian's xvfb)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


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
