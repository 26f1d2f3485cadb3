"""The daily report written at the end of each shift (`[reports] folder`, `shift_ends`): at
each end, the report of the shift's days — from the day the shift began to the day it ended,
so the night shift's report holds the evening before — as XLSX, audited. Missed ends (the
daemon was down) are not written afterwards: `callcenter report daily` makes any of them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

import gevent

from callcenter.reports.catalogue import Request, headings, run
from callcenter.reports.export import xlsx_bytes
from db.audit import record
from rules.daily import next_time_of_day

log = logging.getLogger(__name__)


def next_end(now: datetime, ends: Sequence[str], zone: tzinfo) -> datetime:
    """The first shift end strictly after `now`, in UTC (pure)."""
    return next_time_of_day([time.fromisoformat(e) for e in ends], now, zone)


def shift_days(end: datetime, ends: Sequence[str], zone: tzinfo) -> tuple[date, date]:
    """The local days the shift that ends at `end` covers: from the end before it (its start)
    to `end` (pure)."""
    times = sorted(time.fromisoformat(e) for e in ends)
    local = end.astimezone(zone)
    starts = [datetime.combine(local.date() + timedelta(days=d), t, zone)
              for d in (-1, 0) for t in times]
    start = max(s for s in starts if s < local)
    last = (local - timedelta(microseconds=1)).date()
    return start.date(), last


def write_shift_report(session: Any, folder: Path, end: datetime, ends: Sequence[str],
                       zone: tzinfo) -> Path:
    first, last = shift_days(end, ends, zone)
    request = Request(first, last, "hour", "topic")
    sheets = run(session, "daily", request, zone)
    title, subtitle = headings("daily", request, zone)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bao-cao-{last}-ca-{end.astimezone(zone):%H%M}.xlsx"
    path.write_bytes(xlsx_bytes(sheets, title, subtitle))
    record(session, "daemon", "report.export", "daily", file=str(path), format="xlsx",
           first=first.isoformat(), last=last.isoformat(), shift_end=end.isoformat())
    return path


def write_forever(db: Callable[..., Any], folder: Path, ends: Sequence[str],
                  zone: tzinfo) -> None:
    """Sleeps to each shift's end, then writes its report (the database work in the pool)."""
    while True:
        end = next_end(datetime.now(UTC), ends, zone)
        gevent.sleep(max(0.0, (end - datetime.now(UTC)).total_seconds()))
        try:
            path = db(write_shift_report, folder, end, ends, zone)
            log.info("reports: the shift ending %s written to %s", end.isoformat(), path)
        except Exception:
            log.exception("reports: writing the shift's report failed")
