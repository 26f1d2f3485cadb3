"""A screenshot of the lead's "Reports" tab (issue 14) through the real widgets, on a report
made as the hub makes it: a demo database (SQLite, callcenter.demo.prepare_database with the
demo's staff and lead) filled with a week of simulated calls (callcenter.demo_history, one day
at a time, the answered ones given to an agent of their topic) and the demo's patients
(callcenter.demo_patients: cases in the communes), then callcenter.reports.catalogue.run,
headings and sheet_payload — what ReportDesk.run sends. The lead window asks report_run through
HubConnection's own method; a sample connection answers it with that report.

    .venv/bin/python scripts/screenshots_reports.py [--out docs/screenshots] [--language vi|en]
        [--every-sheet DIR]

The picture: the summary report (Báo cáo tổng hợp) of the last 7 days by day and topic, its
first sheet (the queues) as table and chart, at 1366×768 → reports_tab.png. With --every-sheet,
each sheet of the report is saved in DIR too (to look at them). Without a display it runs
itself again under xvfb-run, as scripts/screenshots.py does; QT_QPA_PLATFORM=offscreen works
too."""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from xvfb_rerun import rerun_under_xvfb, settle  # noqa: E402 - scripts/ is on the path

NOW = datetime(2026, 3, 12, 2, 41, 35, tzinfo=UTC)  # 09:41 in Cà Mau
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST, LAST = date(2026, 3, 6), date(2026, 3, 12)  # "the last 7 days" on NOW


def report_data(folder: Path) -> dict[str, Any]:
    """The daily report of FIRST … LAST by day and topic, as the hub's report_run answers."""
    from sqlalchemy import select

    from callcenter.demo import prepare_database, staff
    from callcenter.demo_history import seed_history
    from callcenter.demo_patients import seed_patients
    from callcenter.reports.catalogue import Request, headings, run, sheet_payload
    from db.engine import make_engine, make_sessionmaker, transaction
    from db.models import Agent, CallLeg, Topic

    url = f"sqlite:///{folder / 'reports.db'}"
    prepare_database(url, extra_staff=18, lead=True)
    sessions = make_sessionmaker(make_engine(url))
    rng = random.Random(14)  # simulated work, not a secret
    with transaction(sessions) as session:
        day = FIRST
        while day <= LAST:  # each day whole (today until now); a week before it comes too
            end = datetime.combine(day + timedelta(days=1), time(0), ZONE) - timedelta(
                seconds=1)
            seed_history(session, min(end.astimezone(UTC), NOW), ZONE, seed=day.toordinal())
            day += timedelta(days=1)
        seed_patients(session, NOW, ZONE)
        topics = {t.key: t.id for t in session.scalars(select(Topic))}
        agents = {a.username: a.id for a in session.scalars(select(Agent))}
        by_topic: dict[int, list[int]] = {}
        for username, _name, _role, _extension, topic in staff(18):
            by_topic.setdefault(topics[topic], []).append(agents[username])
        for leg in session.scalars(select(CallLeg).where(CallLeg.answered_at.is_not(None))):
            staffed = by_topic.get(leg.topic_id or 0)
            leg.agent_id = rng.choice(staffed) if staffed else None
            if leg.ended_at is not None:  # after-call work: the handle time
                leg.wrap_ended_at = leg.ended_at + timedelta(seconds=rng.uniform(20, 120))
    with transaction(sessions) as session:
        wanted = Request(FIRST, LAST, "day", "topic")
        sheets = run(session, "daily", wanted, ZONE)
        title, subtitle = headings("daily", wanted, ZONE)
    return {"title": title, "subtitle": subtitle, "sheets": [sheet_payload(s) for s in sheets]}


def sample_connection(app: Any, data: dict[str, Any]) -> Any:
    """A HubConnection whose report_run the report answers (a moment later, as a hub)."""
    from PySide6.QtCore import QTimer

    from desktop.connection import HubConnection
    from protocol.messages import Reply

    class Sample(HubConnection):
        def request(self, kind: type, callback: Any = None, **fields: Any) -> str:
            message = kind(id=self._new_id(), **fields)
            answer = data if message.type == "report_run" else {}
            if callback is not None:
                QTimer.singleShot(50, lambda: callback(Reply(type=message.type, id=message.id,
                                                             data=answer)))
            return message.id

    return Sample(app)


def shoot(out: Path, language: str, every_sheet: Path | None) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop.i18n import Translations
    from desktop.windows import LeadWindow
    from protocol.messages import LeadBoard

    with tempfile.TemporaryDirectory(prefix="hotline1022-reports-") as tmp:
        data = report_data(Path(tmp))
        app = QApplication.instance() or QApplication(["screenshots"])
        translations = Translations(app)
        translations.apply(language)
        settings = QSettings(str(Path(tmp) / "desktop.ini"), QSettings.Format.IniFormat)
        lead_agent = {"username": "truong", "full_name": "Huỳnh Văn Trường", "role": "lead",
                      "status": "Logged Out", "state": "Waiting"}
        lead = LeadWindow(sample_connection(app, data), {"token": "t" * 32, "agent": lead_agent,
                                                         "topics": [], "units": []},
                          settings, translations, clock=lambda: NOW, bell=lambda: None)
        lead.setGeometry(0, 0, 1366, 768)
        lead.show()
        lead.show_connection_state("connected")
        lead.apply_board(LeadBoard(full=True, server_time=NOW.isoformat(), day="2026-03-12"))
        view = lead.reports_view
        lead.tabs.setCurrentWidget(view)
        view.report_box.setCurrentIndex(view.report_box.findData("daily"))
        view.quick_buttons["week"].click()
        view.show_button.click()
        settle(lambda: view.result is not None)
        lead.grab().save(str(out / "reports_tab.png"))
        hint = lead.minimumSizeHint()
        rows = sum(len(s["rows"]) for s in data["sheets"])
        print(f"{out / 'reports_tab.png'}: {lead.width()}×{lead.height()} (smallest it can be: "
              f"{hint.width()}×{hint.height()}); {len(data['sheets'])} sheets, {rows} rows")
        if every_sheet is not None:
            every_sheet.mkdir(parents=True, exist_ok=True)
            for n in range(view.sheets.count()):
                view.sheets.setCurrentIndex(n)
                settle()
                lead.grab().save(str(every_sheet / f"reports_sheet_{n + 1}.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--language", choices=("vi", "en"), default="vi")
    parser.add_argument("--every-sheet", type=Path, default=None)
    args = parser.parse_args(argv)
    rerun = rerun_under_xvfb("1920x1080x24")
    if rerun is not None:
        return rerun
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    args.out.mkdir(parents=True, exist_ok=True)
    shoot(args.out, args.language, args.every_sheet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
