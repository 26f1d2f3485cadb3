"""The daily report at the end of each shift (callcenter/reports/shifts.py): when the next end
is, which days a shift's report covers (the night shift holds the evening before), and the file
written and audited, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.config import ReportSettings
from callcenter.reports.shifts import next_end, shift_days, write_shift_report
from db.engine import transaction
from db.models import AuditLog
from tests.unit.reports.test_queue_report import day  # noqa: F401 - the hand-built legs

CA_MAU = ZoneInfo("Asia/Ho_Chi_Minh")
ENDS = ["07:00", "15:00", "23:00"]


def _local(d: int, h: int, m: int = 0) -> datetime:
    return datetime(2026, 12, d, h, m, tzinfo=CA_MAU)


@pytest.mark.parametrize(("now", "end"), [
    (_local(3, 6, 59), _local(3, 7)), (_local(3, 7), _local(3, 15)),
    (_local(3, 23, 30), _local(4, 7))])
def test_the_next_shift_end(now: datetime, end: datetime) -> None:
    assert next_end(now, ENDS, CA_MAU) == end.astimezone(UTC)


def test_the_days_a_shift_covers() -> None:
    assert shift_days(_local(4, 7), ENDS, CA_MAU) == (date(2026, 12, 3), date(2026, 12, 4))
    assert shift_days(_local(4, 15), ENDS, CA_MAU) == (date(2026, 12, 4), date(2026, 12, 4))
    assert shift_days(_local(4, 0), ["00:00", "12:00"], CA_MAU) == (date(2026, 12, 3),
                                                                    date(2026, 12, 3))


def test_a_bad_shift_end_is_named() -> None:
    with pytest.raises(ValueError, match="'7h' is not a time HH:MM"):
        ReportSettings(shift_ends=["7h"])


def test_the_night_shifts_report_is_written_and_audited(
        day: sessionmaker[Session], tmp_path: Path) -> None:  # noqa: F811
    with transaction(day) as s:
        path = write_shift_report(s, tmp_path / "bao-cao", _local(4, 7), ENDS, CA_MAU)
    assert path.name == "bao-cao-2026-12-04-ca-0700.xlsx"
    book = openpyxl.load_workbook(path)
    cells = [c.value for row in book["Hàng chờ"].iter_rows() for c in row]
    assert "2026-12-03 23" in cells and "2026-12-04 00" in cells  # both days of the night
    with day() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "report.export")).one()
    assert (entry.actor, entry.detail["first"], entry.detail["last"]) == (
        "daemon", "2026-12-03", "2026-12-04")
