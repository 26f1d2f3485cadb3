"""Screenshots of home-treatment monitoring (issue 19) through the real widgets: the nurse's
callbacks with check-in rows (day of illness, last readings and their trend, why worse), one
patient's episode window (five days, worse on day 4: the chart, the readings, the end), and the
lead's "home monitoring" tab (by commune, and the patients). The windows ask their questions
(episode_get, monitoring_cohort) through HubConnection's own methods; a sample connection answers
them with realistic data shaped as db/monitoring_views.py shapes the hub's replies.

    .venv/bin/python scripts/screenshots_monitoring.py [--out docs/screenshots] [--language vi|en]

Without a display it runs itself again under xvfb-run (Debian's xvfb), as scripts/screenshots.py
does; QT_QPA_PLATFORM=offscreen works too."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from xvfb_rerun import rerun_under_xvfb, settle  # noqa: E402 - scripts/ is on the path

NOW = datetime(2026, 3, 12, 2, 41, 35, tzinfo=UTC)  # 09:41 in Cà Mau, day 5 of the episode
LOCAL = timedelta(hours=7)
TODAY = date(2026, 3, 12)
F0 = "f0_home_care"


def at(day: int, clock: str) -> str:
    """A time in Cà Mau on the `day`th of the five days shown (1: 08/03/2026, 5: today,
    12/03), as the wire carries it."""
    hours, minutes = (int(part) for part in clock.split(":"))
    local = datetime(2026, 3, 7 + day, hours, minutes, tzinfo=UTC)
    return (local - LOCAL).isoformat()


def reading(day: int, clock: str, spo2: float | None, rate: int | None,
            temperature: float | None, level: str, flags: int = 0,
            source: str = "call") -> dict[str, Any]:
    return {"at": at(day, clock), "source": source, "spo2": spo2, "respiratory_rate": rate,
            "temperature": temperature, "level": level, "red_flags": flags,
            "negative_test": False}


def summary(episode_id: int, day: int | None, done: list[dict[str, Any]],
            reasons: tuple[str, ...] = (), **changes: Any) -> dict[str, Any]:
    """An episode's line (db/monitoring_views.py summary) from its readings, oldest first."""
    last = done[-1] if done else None
    return {"id": episode_id, "state": "active", "level": last["level"] if last else None,
            "worsening": bool(reasons), "reasons": list(reasons),
            "alert": bool(reasons) or (last or {}).get("level") == "red", "missed": 0,
            "overdue": False, "times": ["09:00"] if (last or {}).get("level") == "green"
            else ["08:00", "16:00"], "day": day, "positive_date": (
                TODAY - timedelta(days=day - 1)).isoformat() if day else None,
            "check_ins": len(done), "next_due_at": at(5, "16:00"),
            "last_check_in_at": last["at"] if last else None, "last": last,
            "previous": done[-2] if len(done) > 1 else None, "started_at": done[0]["at"]
            if done else at(1, "10:20"), "ended_at": None, **changes}


# -- (b) one patient: five days, worse on day 4, better this morning ---------------------

EPISODE = [reading(1, "10:20", 97, 18, 38.4, "green", source="declaration"),
           reading(2, "09:05", 97, 18, 37.9, "green"),
           reading(3, "09:12", 98, 17, 37.4, "green", source="web"),
           reading(4, "09:08", 94, 22, 38.6, "red", 2),  # worse: the lead was alerted
           reading(4, "13:05", 95, 21, 38.1, "red", 2),  # the recheck within four hours
           reading(5, "08:06", 96, 19, 37.6, "orange", 1)]


def episode_view() -> dict[str, Any]:
    return {**summary(241, 5, EPISODE, next_due_at=at(5, "16:00")), "topic": F0,
            "person_name": "Lê Văn Hùng", "birth_year": 1981, "unit": "Xã Tân Thuận",
            "case_id": 241, "case_code": "F0-2026-000241", "end_note": None,
            "readings": EPISODE}


# -- (a) the nurse's callbacks --------------------------------------------------------------

def callback(callback_id: int, phone: str, due: str, reason: str = "follow_up",
             **fields: Any) -> dict[str, Any]:
    return {"id": callback_id, "phone": phone, "topic": F0, "reason": reason, "state": "open",
            "due_at": at(5, due), "attempts": 0, "note": None, "last_result": None,
            "last_attempt_at": None, "declaration": None, "episode": None, **fields}


def check_in(callback_id: int, phone: str, due: str, episode: dict[str, Any],
             **fields: Any) -> dict[str, Any]:
    return callback(callback_id, phone, due, note="Theo dõi tại nhà", episode=episode,
                    **fields)


def declaration(callback_id: int, phone: str, due: str, level: str, name: str, year: int,
                unit: str, receipt: str, flags: list[str], spo2: float | None) -> dict[str, Any]:
    return callback(callback_id, phone, due, "declaration", declaration={
        "id": callback_id + 900, "receipt": receipt, "full_name": name, "birth_year": year,
        "level": level, "unit": unit, "received_at": at(5, "09:20"), "source": "web",
        "red_flags": flags, "spo2": spo2})


def due_list() -> list[dict[str, Any]]:
    red = [reading(3, "09:10", 97, 18, 38.0, "yellow"), reading(4, "09:02", 96, 19, 38.2,
                                                                 "orange", 1),
           reading(5, "08:04", 93, 24, 38.5, "red", 2)]
    worse = [reading(4, "09:15", 97, 18, 37.8, "green"), reading(5, "08:12", 95, 19, 37.9,
                                                                 "orange", 1)]
    missed = [reading(2, "09:00", 98, 17, 37.6, "green"), reading(3, "09:05", 98, 16, 37.2,
                                                                  "green")]
    elderly = [reading(4, "16:02", 97, 18, 37.6, "yellow"), reading(5, "08:01", 97, 18, 37.2,
                                                                     "yellow")]
    better = [reading(4, "09:00", 97, 19, 37.9, "green"), reading(5, "09:02", 98, 18, 37.3,
                                                                  "green")]
    return [
        check_in(51, "0913 482 115", "09:45", summary(301, 5, red, (
            "SpO2 96 → 93", "respiratory rate 19 → 24", "triage orange → red",
            "danger signs 1 → 2"))),
        declaration(52, "0290 3834 112", "09:35", "red", "Nguyễn Thị Hồng Nhung", 1958,
                    "Xã Tân Thuận", "KB7K3M9Q2P", ["dyspnoea", "chest_pain"], 91),
        check_in(53, "0946 550 128", "10:00", summary(302, 4, worse, (
            "SpO2 97 → 95", "triage green → orange", "danger signs 0 → 1"))),
        declaration(54, "0919 204 736", "10:05", "orange", "Lê Thị Ánh Tuyết", 1972,
                    "Xã Đất Mũi", "KB3C5D7F9G", ["dyspnoea"], None),
        check_in(55, "0387 612 940", "09:00", summary(303, 3, missed, missed=1,
                                                       overdue=True), attempts=3,
                 last_result="NO_ANSWER", last_attempt_at=at(5, "09:20")),
        callback(56, "0918 223 447", "09:16", "abandoned", attempts=1,
                 note="Gọi lúc 09:14, chờ 2 phút rồi gác máy", last_result="NO_ANSWER",
                 last_attempt_at=at(5, "09:25")),
        check_in(57, "0971 338 205", "16:00", summary(304, 6, elderly)),
        check_in(58, "0834 771 062", "10:30", summary(305, 8, better)),
        callback(59, "0945 120 883", "11:30", note="Hẹn gọi lại báo kết quả xét nghiệm"),
    ]


# -- (c) the lead's cohort ------------------------------------------------------------------

UNITS = {"32167": "Xã Tân Thuận", "32248": "Xã Đất Mũi", "32098": "Xã Sông Đốc",
         "32152": "Xã Đầm Dơi", "32191": "Xã Năm Căn"}
NURSES = ("Trần Ngọc Lan", "Nguyễn Thị Hạnh", "Phạm Thị Yến")


def calm(before: float, last: float, rate: int = 17, level: str = "green"
         ) -> list[dict[str, Any]]:
    """Two quiet check-ins: yesterday's and this morning's."""
    return [reading(4, "09:00", before, rate + 1, 37.6, level),
            reading(5, "09:00", last, rate, 37.1, level)]


def cohort() -> dict[str, Any]:
    people = [  # name, year, unit, day, readings, reasons, changes
        ("Phạm Văn Tư", 1956, "32248", 6, [reading(4, "16:00", 95, 19, 38.0, "orange", 1),
                                            reading(5, "08:00", 92, 26, 38.7, "red", 2)],
         ("SpO2 95 → 92", "respiratory rate 19 → 26", "triage orange → red",
          "danger signs 1 → 2"), {}),
        ("Lê Văn Hùng", 1981, "32167", 5, EPISODE[-2:], (), {"level": "orange"}),
        ("Nguyễn Thị Bé Ba", 1949, "32167", 4, [reading(3, "16:00", 97, 18, 37.8, "yellow"),
                                                 reading(4, "08:00", 95, 19, 38.1, "orange", 1)],
         ("SpO2 97 → 95", "triage yellow → orange"), {}),
        ("Trương Thị Lệ", 1990, "32098", 3, calm(98, 98)[:1], (), {"overdue": True,
                                                                    "missed": 1}),
        ("Huỳnh Văn Sáu", 1962, "32152", 7, calm(97, 97, 18, "yellow"), (), {
            "overdue": True, "next_due_at": at(5, "08:00"), "times": ["08:00", "16:00"]}),
        ("Đặng Thị Kim Loan", 1985, "32191", 2, calm(98, 97)[:1], (), {}),
        ("Võ Minh Trí", 2001, "32098", 4, calm(98, 99, 16), (), {}),
        ("Lý Thị Hương", 1975, "32152", 9, calm(97, 98), (), {}),
        ("Châu Văn Lực", 1968, "32191", 5, calm(97, 97, 18), (), {}),
        ("Ngô Thị Thu", 1993, "32248", 8, calm(98, 98, 16), (), {
            "next_due_at": at(6, "09:00")}),
        ("Mai Văn Dũng", 1959, "32167", 12, calm(98, 99, 16), (), {
            "state": "recovered", "ended_at": at(4, "10:30"), "next_due_at": None}),
        ("Tô Thị Hạnh", 1947, "32152", 9, [reading(3, "08:00", 93, 26, 38.9, "red", 2)], (), {
            "state": "facility", "ended_at": at(3, "09:10"), "next_due_at": None}),
    ]
    patients = []
    for n, (name, year, unit, day, done, reasons, changes) in enumerate(people):
        line = summary(400 + n, day, done, reasons, **changes)
        line.update({"person_name": name, "birth_year": year, "unit_code": unit,
                     "unit": UNITS[unit], "case_code": f"F0-2026-{300 + n:06d}",
                     "nurse": NURSES[n % 3],
                     "due_today": line["state"] == "active" and line["next_due_at"] is not None
                     and line["next_due_at"] < at(6, "00:00")})
        patients.append(line)
    return {"units": by_unit(patients), "patients": patients, "days": 30}


def by_unit(patients: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The communes' counts, as db/monitoring_views.py cohort adds them up."""
    units: dict[str, dict[str, Any]] = {}
    for line in patients:
        counts = units.setdefault(line["unit_code"], {
            "unit_code": line["unit_code"], "unit": line["unit"], "active": 0, "due_today": 0,
            "overdue": 0, "worsening": 0, "recovered": 0, "facility": 0})
        if line["state"] == "active":
            counts["active"] += 1
            counts["due_today"] += line["due_today"]
            counts["overdue"] += line["overdue"]
            counts["worsening"] += bool(line["worsening"] or line["alert"])
        elif line["state"] in ("recovered", "facility"):
            counts[line["state"]] += 1
    return sorted(units.values(), key=lambda u: (-u["overdue"], -u["worsening"], -u["active"],
                                                 u["unit"]))


# -- the windows ----------------------------------------------------------------------------

def sample_connection(app: Any) -> Any:
    """A HubConnection whose requests the sample data answers (a moment later, as a hub)."""
    from PySide6.QtCore import QTimer

    from desktop.connection import HubConnection
    from protocol.messages import Reply

    replies: dict[str, Callable[[], dict[str, Any]]] = {
        "episode_get": lambda: {"episode": episode_view()},
        "monitoring_cohort": cohort, "callback_list": lambda: {"callbacks": due_list()}}

    class Sample(HubConnection):
        def request(self, kind: type, callback: Any = None, **fields: Any) -> str:
            message = kind(id=self._new_id(), **fields)
            data = replies.get(message.type, dict)()
            if callback is not None:
                QTimer.singleShot(50, lambda: callback(Reply(type=message.type, id=message.id,
                                                             data=data)))
            return message.id

    return Sample(app)


def grab(widget: Any, path: Path) -> None:
    settle()
    widget.grab().save(str(path))
    hint = widget.minimumSizeHint()
    print(f"{path}: {widget.width()}×{widget.height()} (smallest it can be: "
          f"{hint.width()}×{hint.height()})")


def shoot(out: Path, language: str) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from screenshots import agent_view, session_data

    from desktop.i18n import Translations
    from desktop.windows import AgentWindow, LeadWindow
    from protocol.messages import LeadBoard, Snapshot

    app = QApplication.instance() or QApplication(["screenshots"])
    translations = Translations(app)
    translations.apply(language)
    settings = QSettings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "hotline-shots.ini"),
                         QSettings.Format.IniFormat)
    connection = sample_connection(app)
    window = AgentWindow(connection, session_data(), settings, translations, clock=lambda: NOW)
    window.setGeometry(0, 0, 1366, 768)
    window.show()
    window.show_connection_state("connected")
    window.apply_snapshot(Snapshot(seq=1, agent=agent_view(
        "Available", since=(NOW - timedelta(minutes=12)).isoformat(), calls_today=7),
        callbacks=due_list()))
    window.tabs.setCurrentWidget(window.callbacks_view)
    grab(window, out / "monitoring_due_list.png")
    dialog = window.callbacks_view.episodes.open(episode_id=241)
    settle(lambda: dialog.episode is not None)
    grab(dialog, out / "monitoring_episode_chart.png")
    dialog.close()
    lead_agent = {"username": "truong", "full_name": "Huỳnh Văn Trường", "role": "lead",
                  "status": "Logged Out", "state": "Waiting"}
    lead = LeadWindow(connection, {"token": "t" * 32, "agent": lead_agent, "topics": [],
                                   "units": []}, settings, translations, clock=lambda: NOW,
                      bell=lambda: None)
    lead.setGeometry(0, 0, 1366, 768)
    lead.show()
    lead.show_connection_state("connected")
    lead.apply_board(LeadBoard(full=True, server_time=NOW.isoformat(), day="2026-03-12"))
    lead.tabs.setCurrentWidget(lead.monitoring_view)
    settle(lambda: lead.monitoring_view.patients.rowCount() > 0)
    grab(lead, out / "monitoring_lead_cohort.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--language", choices=("vi", "en"), default="vi")
    args = parser.parse_args(argv)
    rerun = rerun_under_xvfb("1920x1080x24")
    if rerun is not None:
        return rerun
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    args.out.mkdir(parents=True, exist_ok=True)
    shoot(args.out, args.language)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
