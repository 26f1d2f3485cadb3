"""Screenshots of the agent window at 1366×768: idle, and with a screen-pop.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--language vi|en]
    .venv/bin/python scripts/screenshots.py --hub 127.0.0.1:8443 --username nurse1 \
        --password-stdin [--ca-file hub.crt]      # the same, from a real hub

Without a display it runs itself again under xvfb-run (Debian's xvfb). The offline pictures are
built from real protocol objects (protocol.messages) with the shipped topics and units,
fed to the window's slots exactly as HubConnection's signals would; with --hub the window is
fed by a logged-in HubConnection and the screen-pop is whatever call the hub puts through."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from xvfb_rerun import rerun_under_xvfb  # noqa: E402 - scripts/ is on the path

NOW = datetime(2026, 3, 12, 2, 41, 35, tzinfo=UTC)  # 09:41 in Cà Mau


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def ago(**delta: float) -> str:
    return iso(NOW - timedelta(**delta))


def session_data() -> dict[str, Any]:
    """A login reply's data, as the hub sends it, from db/seed's topics and units."""
    from db.topics import read_topics_file
    from db.units import read_units_csv

    spec = read_topics_file(ROOT / "db" / "seed" / "topics.toml")
    topics = [{"key": t.key, "name_vi": t.name_vi, "name_en": t.name_en,
               "form_schema": t.form, "rules": t.rules, "acw_seconds": t.acw_seconds,
               "outcomes": [o.model_dump() for o in t.outcomes]} for t in spec.topic]
    units = [{"code": u.code, "name": u.name, "kind": u.kind,
              "former": [name for name, _part in u.former]}
             for u in read_units_csv(ROOT / "db" / "seed" / "ca_mau_units_2025.csv")]
    agent = agent_view("Available", since=ago(minutes=12, seconds=8), calls_today=7)
    return {"token": "t" * 32, "agent": agent.model_dump(), "expires_at": iso(NOW),
            "units": units, "topics": topics}


def agent_view(status: str, **fields: Any) -> Any:
    from protocol.messages import AgentView

    return AgentView(username="dieuduong.lan", full_name="Trần Ngọc Lan", role="nurse",
                     status=status, state=fields.pop("state", "Waiting"),
                     topics=["f0_home_care"], **fields)


def callbacks() -> list[dict[str, Any]]:
    return [
        {"id": 41, "phone": "0918 223 447", "topic": "f0_home_care", "reason": "abandoned",
         "due_at": ago(minutes=25), "attempts": 1, "note": "Gọi lúc 09:14, chờ 2 phút rồi gác máy",
         "last_result": "NO_ANSWER", "last_attempt_at": ago(minutes=40)},
        {"id": 42, "phone": "0290 3834 112", "topic": "f0_home_care", "reason": "declaration",
         "due_at": ago(minutes=3), "attempts": 0, "note": "Tờ khai F0 trên cổng, có bệnh nền"},
        {"id": 43, "phone": "0946 550 128", "topic": "f0_home_care", "reason": "follow_up",
         "due_at": ago(minutes=-40), "attempts": 0, "note": "Theo dõi SpO2 ngày thứ 5"},
    ]


def idle_snapshot() -> Any:
    from protocol.messages import Snapshot

    return Snapshot(seq=1, agent=agent_view("Available", since=ago(minutes=12, seconds=8),
                                            calls_today=7), callbacks=callbacks())


def screen_pop() -> Any:
    from protocol.messages import CallView, ScreenPop

    topic = next(t for t in session_data()["topics"] if t["key"] == "f0_home_care")
    call = CallView(uuid="6f1c2a9e-5b1d-4c8e-9a57-0c3d2e1f4b7a", call_id=5120,
                    caller_number="0912 345 678", caller_name="Nguyễn Thị Hồng Nhung",
                    topic="f0_home_care", queued_at=ago(minutes=3, seconds=5),
                    answered_at=ago(minutes=2, seconds=13), waited_seconds=52)
    history = [
        {"kind": "case", "id": 311, "at": ago(days=2, hours=3), "topic": "f0_home_care",
         "code": "F0-2026-000087", "status": "follow_up",
         "summary": "Sốt 38,5°C, ho; SpO2 97%. Hẹn gọi lại theo dõi sau 2 ngày."},
        {"kind": "call", "id": 5004, "at": ago(days=2, hours=3, minutes=6),
         "topic": "f0_home_care", "status": "answered", "summary": "Đàm thoại 6:41"},
        {"kind": "call", "id": 4987, "at": ago(days=2, hours=4), "topic": "f0_home_care",
         "status": "abandoned", "summary": "Gác máy sau 1:52 chờ"},
        {"kind": "declaration", "id": 77, "at": ago(days=3), "status": None,
         "summary": "Tờ khai F0 qua cổng thông tin"},
        {"kind": "case", "id": 198, "at": ago(days=190), "topic": "public_services",
         "code": "HC-2025-004512", "status": "closed",
         "summary": "Hỏi thủ tục cấp lại giấy khai sinh cho con"},
    ]
    declaration = {"id": 77, "received_at": ago(days=3), "source": "web",
                   "full_name": "Nguyễn Thị Hồng Nhung", "phone": "0912345678",
                   "birth_year": 1987, "sex": "female", "admin_unit_code": "32152",
                   "address_detail": "Ấp Tân Long, số nhà 45", "positive_date": "2026-03-09",
                   "test_type": "rapid_antigen", "symptoms": "sốt, ho, đau họng"}
    open_case = {"id": 311, "code": "F0-2026-000087", "status": "follow_up",
                 "topic": "f0_home_care", "version": 2, "updated_at": ago(days=2, hours=3),
                 "notes": "Hẹn gọi lại sau 2 ngày để theo dõi SpO2."}
    draft = {  # as the hub builds it: the open case's form, then what the declaration adds
        "full_name": "Nguyễn Thị Hồng Nhung", "birth_year": 1987, "sex": "female",
        "pregnant": False, "admin_unit": "32152", "address_detail": "Ấp Tân Long, số nhà 45",
        "positive_date": "2026-03-09", "test_type": "rapid_antigen", "illness_day": 4,
        "vaccine_doses": 3, "comorbidities": ["hypertension"], "spo2": 95,
        "respiratory_rate": 22, "pulse": 96, "temperature": 38.2,
        "symptoms": ["fever", "cough", "fatigue"]}
    return ScreenPop(seq=2, call=call, topic=topic, history=history,
                     declaration=declaration, open_case=open_case, draft=draft)


def build_window(language: str) -> tuple[Any, Any]:
    from PySide6.QtCore import QSettings

    from desktop.connection import HubConnection
    from desktop.i18n import Translations
    from desktop.windows import AgentWindow

    app = _app()
    translations = Translations(app)
    translations.apply(language)
    settings = QSettings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "hotline-shots.ini"),
                         QSettings.Format.IniFormat)
    connection = HubConnection(app)
    window = AgentWindow(connection, session_data(), settings, translations, clock=lambda: NOW)
    return window, connection


def _app() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["screenshots"])


def grab(window: Any, path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(20):
        QApplication.processEvents()
    window.grab().save(str(path))
    hint = window.minimumSizeHint()
    print(f"{path}: {window.width()}×{window.height()} (smallest it can be: "
          f"{hint.width()}×{hint.height()})")


def offline(out: Path, language: str) -> None:
    window, _connection = build_window(language)
    window.setGeometry(0, 0, 1366, 768)
    window.show()
    window.show_connection_state("connected")  # as the hub's link would say
    window.apply_snapshot(idle_snapshot())
    grab(window, out / "agent_idle.png")
    agent = agent_view("Available", state="In a queue call", since=ago(minutes=2, seconds=13),
                       calls_today=8)
    window.apply_agent(agent)
    window.show_screen_pop(screen_pop())
    grab(window, out / "agent_screen_pop.png")


def live(out: Path, language: str, args: argparse.Namespace) -> None:
    """Log in to a real hub and take the same two pictures from its pushes."""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from desktop.connection import HubConnection
    from desktop.i18n import Translations
    from desktop.windows import AgentWindow

    app = _app()
    translations = Translations(app)
    translations.apply(language)
    connection = HubConnection(app, ca_file=args.ca_file)
    loop, holder = QEventLoop(), {}

    def logged_in(data: dict[str, Any]) -> None:
        window = AgentWindow(connection, data, QSettings(), translations)
        window.setGeometry(0, 0, 1366, 768)
        window.show()
        holder["window"] = window
        QTimer.singleShot(1500, loop.quit)

    connection.logged_in.connect(logged_in)
    connection.login_failed.connect(lambda e: (print(f"login failed: {e.message}"),
                                               loop.quit()))
    connection.login(args.hub, args.username, sys.stdin.readline().rstrip("\r\n"))
    loop.exec()
    if "window" not in holder:
        raise SystemExit(1)
    grab(holder["window"], out / "agent_idle.png")
    connection.screen_pop.connect(lambda _pop: QTimer.singleShot(1000, loop.quit))
    QTimer.singleShot(int(args.wait * 1000), loop.quit)
    print(f"waiting up to {args.wait:.0f} s for a call to pop…")
    loop.exec()
    grab(holder["window"], out / "agent_screen_pop.png")
    connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--language", choices=("vi", "en"), default="vi")
    parser.add_argument("--hub", help="log in to this hub (host:port) instead of sample data")
    parser.add_argument("--username")
    parser.add_argument("--password-stdin", action="store_true")
    parser.add_argument("--ca-file")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for a pop")
    args = parser.parse_args(argv)
    rerun = rerun_under_xvfb("1366x768x24")
    if rerun is not None:
        return rerun
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.hub:
        live(args.out, args.language, args)
    else:
        offline(args.out, args.language)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
