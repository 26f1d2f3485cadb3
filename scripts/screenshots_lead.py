"""Screenshots of the lead window on the live demo: `callcenter demo --lead`'s switch, daemon
and hub in a process of their own (24 agents, 20 callers a simulated minute, the day so far
seeded), the real lead window logged in to it; after WAIT seconds, each tab at 1366×768 and
the wallboard full screen at 1920×1080.

    .venv/bin/python scripts/screenshots_lead.py [--out docs/screenshots] [--wait 60]
        [--language vi|en]

Without a display it runs itself again under xvfb-run (a 1920×1080 screen)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from xvfb_rerun import rerun_under_xvfb  # noqa: E402 - scripts/ is on the path

TABS = ("lead_queues", "lead_agents", "lead_waiting", "lead_intraday")


def shoot(out: Path, wait: float, language: str) -> int:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from callcenter.demo_desktop import backend_command, wait_ready
    from desktop.app import DesktopApp, read_login_file
    from desktop.connection import HubConnection
    from desktop.i18n import Translations

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hotline1022-shots-") as tmp:
        ready, log = Path(tmp) / "ready.json", Path(tmp) / "backend.log"
        with log.open("wb") as sink:
            backend = subprocess.Popen(
                backend_command(ready, 20.0, 10.0, 1, lead=True, staff=18), stdout=sink,
                stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            wait_ready(ready, backend, log)
            login = read_login_file(ready)
            app = QApplication(["screenshots"])
            translations = Translations(app)
            translations.apply(language)
            settings = QSettings(str(Path(tmp) / "desktop.ini"), QSettings.Format.IniFormat)
            connection = HubConnection(app, ca_file=login["ca_file"])
            desktop = DesktopApp(connection, settings, translations)
            desktop.login_window.fill(**login)
            desktop.start()
            desktop.login_window.submit()
            failed: list[str] = []

            def settle() -> None:
                for _ in range(30):
                    app.processEvents()

            def take() -> None:
                window = desktop.lead_window
                if window is None:
                    failed.append("no lead window (the login failed?)")
                    app.quit()
                    return
                window.resize(1366, 768)
                views = [window.queues_board, window.agents_view, window.waiting_view,
                         window.intraday_view, window.audit_view]
                for view, name in zip(views, [*TABS, "lead_audit"], strict=True):
                    if view is None:
                        continue
                    window.tabs.setCurrentWidget(view)
                    settle()
                    window.grab().save(str(out / f"{name}.png"))
                window.wallboard_action.setChecked(True)
                settle()
                if window.wallboard is not None:
                    window.wallboard.resize(1920, 1080)
                    settle()
                    window.wallboard.grab().save(str(out / "lead_wallboard.png"))
                board = window.board
                print(f"screenshots: {len(board['agents'])} agents, {len(board['waiting'])} "
                      f"callers waiting, {len(board['queues'])} topics → {out}")
                app.quit()

            QTimer.singleShot(int(wait * 1000), take)
            app.exec()
            connection.close()
            if failed:
                print(f"screenshots: {failed[0]}; see {log}", file=sys.stderr)
                return 1
            return 0
        finally:
            backend.terminate()
            backend.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--wait", type=float, default=60.0,
                        help="real seconds of the busy hour before the pictures")
    parser.add_argument("--language", choices=("vi", "en"), default="vi")
    args = parser.parse_args()
    rerun = rerun_under_xvfb("1920x1080x24", offscreen_ok=False)  # the demo's real window
    if rerun is not None:
        return rerun
    return shoot(args.out, args.wait, args.language)


if __name__ == "__main__":
    raise SystemExit(main())
