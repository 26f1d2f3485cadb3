"""The calls', callbacks' and cases' reports and the heat map (callcenter/reports/activity.py,
cases.py, queues.py heatmap_rows) on SQLite and PostgreSQL, on a hand-built night around a
local midnight in Cà Mau, with values worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.reports.activity import activity_rows
from callcenter.reports.cases import case_rows, unit_rows
from callcenter.reports.queues import heatmap_rows
from db.cases import CaseFields, create_case
from db.engine import transaction
from db.models import Call, Callback, CallLeg, Declaration, Topic

CA_MAU = ZoneInfo("Asia/Ho_Chi_Minh")
T = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)  # 23:30 on Thursday 3 December in Cà Mau
NEXT = T + timedelta(hours=1)  # 00:30 on Friday the 4th


@pytest.fixture
def night(seeded: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(seeded) as s:
        f0 = s.scalars(select(Topic).where(Topic.key == "f0_home_care")).one()
        clerk = s.scalars(select(Topic).where(Topic.key == "public_services")).one()
        for n, (at, result, topic) in enumerate([
                (T, "ivr_hangup", None), (T, "ivr_hangup", None), (T, "no_agent", f0),
                (T, "overflow", f0), (NEXT, "ivr_hangup", None), (NEXT, "answered", clerk)]):
            s.add(Call(uuid=f"c{n}", caller_number="+84912000001", started_at=at,
                       result=result, topic_id=topic.id if topic else None))
        s.flush()
        transferred = s.scalars(select(Call).where(Call.uuid == "c5")).one()
        for seq, topic in ((1, f0), (2, clerk)):  # moved from topic 1 to topic 3
            s.add(CallLeg(call_id=transferred.id, seq=seq, member_uuid=f"m{seq}",
                          topic_id=topic.id, queued_at=NEXT + timedelta(minutes=seq),
                          answered_at=NEXT + timedelta(minutes=seq, seconds=5),
                          ended_at=NEXT + timedelta(minutes=5), cause="Terminated"))
        s.add_all([
            Callback(phone="+84912000002", topic_id=f0.id, reason="abandoned", state="done",
                     created_at=T, updated_at=T, last_attempt_at=T + timedelta(minutes=20),
                     attempts=1),
            Callback(phone="+84912000003", topic_id=f0.id, reason="requested",
                     state="failed", created_at=T, updated_at=T, attempts=3,
                     last_attempt_at=NEXT),
            Callback(phone="+84912000004", topic_id=f0.id, reason="abandoned", state="open",
                     created_at=NEXT, updated_at=NEXT)])
        for at, level, outcome, unit in ((T, "red", "escalated_115", "32167"),
                                         (T, "green", "advised_home", "32167"),
                                         (NEXT, "green", "advised_home", None)):
            create_case(s, f0, CaseFields(form={"outcome": outcome, "triage_level": level,
                                                "admin_unit": unit} if unit else
                                          {"outcome": outcome, "triage_level": level}),
                        None, at)
        s.add(Declaration(received_at=NEXT, full_name="Lê Văn Tư", phone="+84912000005",
                          admin_unit_code="32167", topic_id=f0.id, payload={}))
    return seeded


def test_calls_and_callbacks_by_day_and_topic(night: sessionmaker[Session]) -> None:
    with night() as s:
        rows = activity_rows(s, date(2026, 12, 3), date(2026, 12, 4), "day", CA_MAU)
    table = {(r["period"], r["group"]): r for r in rows}
    assert table[("2026-12-03", "—")]["ivr_hangups"] == 2  # hung up in the menu
    assert table[("2026-12-04", "—")]["ivr_hangups"] == 1  # after midnight, local
    third = table[("2026-12-03", "f0_home_care")]
    assert (third["no_agent"], third["overflow"]) == (1, 1)
    assert (third["callbacks_owed"], third["callback_requests"]) == (2, 1)
    assert (third["callbacks_reached"], third["avg_reach_minutes"]) == (1, 20.0)
    fourth = table[("2026-12-04", "f0_home_care")]
    assert (fourth["callbacks_owed"], fourth["callbacks_failed"]) == (1, 1)
    assert table[("2026-12-04", "public_services")]["transfers"] == 1


def test_cases_by_triage_and_by_unit(night: sessionmaker[Session]) -> None:
    with night() as s:
        levels = case_rows(s, date(2026, 12, 3), date(2026, 12, 4), "total", "triage_level",
                           CA_MAU)
        third = case_rows(s, date(2026, 12, 3), date(2026, 12, 3), "day", "outcome", CA_MAU)
        units = unit_rows(s, date(2026, 12, 3), date(2026, 12, 4), CA_MAU)
    assert [(r["triage_level"], r["cases"]) for r in levels] == [("green", 2), ("red", 1)]
    assert [(r["outcome"], r["cases"]) for r in third] == [("advised_home", 1),
                                                           ("escalated_115", 1)]
    first = units[0]
    assert (first["unit_code"], first["cases_f0_home_care"], first["declarations"],
            first["total"]) == ("32167", 2, 1, 3)
    assert first["unit"] and first["former"]  # the 2025 unit, and those merged into it
    assert units[1]["unit_code"] == "—" and units[1]["cases_f0_home_care"] == 1


def test_the_heat_map_is_by_local_weekday_and_hour(night: sessionmaker[Session]) -> None:
    with night() as s:
        grid = heatmap_rows(s, date(2026, 11, 30), date(2026, 12, 6), CA_MAU)
    friday = grid[4]
    assert friday["weekday"] == 5 and friday["00"] == 2  # both legs at 00:31 and 00:32
    assert sum(v for row in grid for k, v in row.items() if k != "weekday") == 2
