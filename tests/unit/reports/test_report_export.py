"""`callcenter report` on SQLite and PostgreSQL: the daily report as XLSX (opened again: the
sheets, Vietnamese headers, the numbers worked out by hand, a chart in each sheet) and as CSV
(UTF-8 with a byte-order mark), audited."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.cli.main import main
from db.models import AuditLog
from tests.unit.reports.test_activity_report import night  # noqa: F401 - calls, cases
from tests.unit.reports.test_queue_report import day  # noqa: F401 - the hand-built legs


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLCENTER_CONFIG", raising=False)
    monkeypatch.setenv("CALLCENTER_DATABASE__URL", db_url)
    monkeypatch.setattr(sys, "stdin", None)
    return lambda *args: main(list(args))


def table_top_row(sheet: Any) -> int:
    """The row (1-based) of the table's headers: under the title and the chart."""
    return next(r for r in range(1, 40) if sheet.cell(r, 1).value in ("Kỳ", "Xã, phường"))


def test_the_daily_report_as_a_workbook(cli, day: sessionmaker[Session],  # noqa: F811
                                        night: sessionmaker[Session],  # noqa: F811
                                        tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.xlsx"
    assert cli("report", "daily", "--from", "2026-12-03", "--to", "2026-12-04",
               "--out", str(out)) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Hàng chờ", "Điện thoại viên", "Thời gian làm việc",
                               "Cuộc gọi và gọi lại",
                               "Kết quả xử lý", "Phân loại nguy cơ", "Trạng thái hồ sơ",
                               "Xã, phường", "Giờ cao điểm"]
    queues = book["Hàng chờ"]
    top = table_top_row(queues)
    headers = [c.value for c in queues[top] if c.value is not None]
    assert headers[:5] == ["Kỳ", "Nhóm", "Cuộc gọi đến", "Đã trả lời", "Bỏ máy"]
    rows = {r[0].value: [c.value for c in r] for r in queues.iter_rows(min_row=top + 1)
            if r[0].value}
    third = rows["2026-12-03"]
    assert third[1] == "Tư vấn và hỗ trợ điều trị F0 tại nhà"  # the topic by its name
    # offered, answered, abandoned, short, timed out: the legs of test_queue_report (the
    # transferred call of test_activity_report falls on the 4th)
    assert third[2:7] == [5, 2, 1, 1, 1]
    assert third[headers.index("Mức phục vụ (%)")] == 25.0
    with zipfile.ZipFile(out) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 8  # a chart on each sheet (the heat map: a colour scale instead)
    units = book["Xã, phường"]
    first_unit = units.cell(table_top_row(units) + 1, 1).value
    assert first_unit and first_unit != "—"  # the commune with most first
    with day() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "report.export")).one()
    assert entry.target == "daily" and entry.detail["format"] == "xlsx"


def test_a_report_as_csv_opens_right_in_excel(cli, day: sessionmaker[Session],  # noqa: F811
                                             tmp_path: Path) -> None:
    out = tmp_path / "hang-cho.csv"
    assert cli("report", "queues", "--from", "2026-12-03", "--group-by", "hour",
               "--by", "agent", "--out", str(out)) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Kỳ,Nhóm,Cuộc gọi đến,Đã trả lời")
    assert "2026-12-03 23,lan,1,1," in "\n".join(lines)  # (agents by username)


def test_a_report_as_png_charts(cli, day: sessionmaker[Session],  # noqa: F811
                                night: sessionmaker[Session],  # noqa: F811
                                tmp_path: Path) -> None:
    out = tmp_path / "bieu-do.png"
    assert cli("report", "daily", "--from", "2026-12-03", "--to", "2026-12-04",
               "--out", str(out)) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
    assert (width, height) == (1600, 420 * 5)  # 9 panels with a chart, two a line
