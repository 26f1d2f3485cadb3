"""Reports through the hub over TLS (SQLite and PostgreSQL): a lead reads the daily report's
sheets and takes it as a workbook, both audited; a nurse may do neither; a period the wrong way
round is refused."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from db.models import AuditLog
from tests.support.hotline import with_hub
from tests.unit.reports.test_queue_report import day  # noqa: F401 - the hand-built legs

PASSWORD = "mat-khau-dai-1"


@pytest.fixture
def line(day: sessionmaker[Session], tmp_path: Path):  # noqa: F811
    with transaction(day) as s:
        add_agent(s, NewAgent("y-ta", "Đỗ Thị Y", "nurse", PASSWORD, agency="CDC",
                              sip_extension="1011"))
        set_queues(s, "y-ta", [parse_membership("f0_home_care")])
        add_agent(s, NewAgent("truong", "Huỳnh Văn Trường", "lead", PASSWORD, agency="CDC",
                              sip_extension="2001"))
    hotline = with_hub(day, tmp_path, agents_on_switch=2)
    yield hotline
    hotline.close()


def test_a_lead_reads_and_exports_a_report_a_nurse_may_not(line) -> None:
    nurse, lead = (line.logged_in(u, PASSWORD) for u in ("y-ta", "truong"))
    asked = {"name": "daily", "first": "2026-12-03", "last": "2026-12-04"}
    assert nurse.request("report_run", **asked)["code"] == "forbidden"
    reply = lead.request("report_run", **asked)["data"]
    queues = reply["sheets"][0]
    assert queues["name"] == "Hàng chờ" and queues["chart"]["kind"] == "column"
    third = next(r for r in queues["rows"] if r["period"] == "2026-12-03")
    assert (third["offered"], third["service_level_pct"]) == (5, 25.0)
    assert [c["vi"] for c in queues["columns"]][:3] == ["Kỳ", "Nhóm", "Cuộc gọi đến"]
    exported = lead.request("report_export", format="xlsx", **asked)["data"]
    assert exported["filename"] == "bao-cao-daily-2026-12-03-2026-12-04.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(exported["content_b64"])))
    assert book.sheetnames[0] == "Hàng chờ"
    assert lead.request("report_run", name="queues", first="2026-12-04",
                        last="2026-12-03")["code"] == "invalid"
    with line.sessions() as s:
        actions = list(s.scalars(select(AuditLog.action).where(
            AuditLog.action.like("report.%"))))
    assert sorted(actions) == ["report.export", "report.read"]  # (audits are batched)
