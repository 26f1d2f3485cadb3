"""The agents' time (callcenter/reports/agents.py) on SQLite and PostgreSQL: a nurse's evening
across a local midnight in Cà Mau, her statuses cut at the day's bound, her talk and after-call
work from her legs; occupancy and utilisation worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.reports.agents import agent_time_rows, split
from db.engine import transaction
from db.models import Agent, AgentStatusLog
from tests.unit.reports.test_queue_report import day  # noqa: F401 - the hand-built legs

CA_MAU = ZoneInfo("Asia/Ho_Chi_Minh")
LOCAL_22 = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # 22:00 on the 3rd in Cà Mau


def test_an_evening_across_midnight(day: sessionmaker[Session]) -> None:  # noqa: F811
    with transaction(day) as s:
        lan = s.scalars(select(Agent.id).where(Agent.username == "lan")).one()
        for minutes, status, reason, source in (
                (0, "Available", None, "desktop"), (90, "On Break", "meal", "desktop"),
                (135, "Available", None, "desktop"), (150, "On Break", None, "switch"),
                (155, "Available", None, "desktop"), (180, "Logged Out", None, "desktop")):
            s.add(AgentStatusLog(agent_id=lan, at=LOCAL_22 + timedelta(minutes=minutes),
                                 status=status, reason=reason, source=source))
    with day() as s:
        rows = agent_time_rows(s, date(2026, 12, 3), date(2026, 12, 4), "day", CA_MAU)
        fourth_only = agent_time_rows(s, date(2026, 12, 4), date(2026, 12, 4), "day", CA_MAU)
    lan_rows = {r["period"]: r for r in rows if r["group"] == "lan"}
    third, fourth = lan_rows["2026-12-03"], lan_rows["2026-12-04"]
    # the 3rd: 22:00–24:00 staffed, a meal 23:30–24:00; she answered at 23:00: 120 s talk
    # and 30 s after-call work
    assert (third["staffed_hours"], third["available_hours"]) == (2.0, 1.5)
    assert third["break_meal_minutes"] == 30.0 and third["answered"] == 1
    assert third["occupancy_pct"] == round(100 * 150 / 5400, 1)  # 2.8
    assert third["utilisation_pct"] == round(100 * 150 / 7200, 1)  # 2.1
    # the 4th: 00:00–01:00 staffed; the meal until 00:15, a 5-minute break the switch set
    # after calls not answered (00:30); 300 s talk at 00:05
    assert (fourth["staffed_hours"], fourth["break_minutes"]) == (1.0, 20.0)
    assert fourth["break_other_minutes"] == 5.0 and fourth["no_answer_breaks"] == 1
    assert fourth["occupancy_pct"] == round(100 * 300 / 2400, 1)  # 12.5
    # read alone, the 4th starts in the meal break that began the evening before
    (alone,) = [r for r in fourth_only if r["group"] == "lan"]
    assert alone["break_meal_minutes"] == 15.0 and alone["staffed_hours"] == 1.0


def test_an_interval_is_cut_at_local_bounds() -> None:
    since = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 23:30 on 30 November, local
    until = since + timedelta(hours=1)
    assert list(split(since, until, "month", CA_MAU)) == [("2026-11", 1800.0),
                                                          ("2026-12", 1800.0)]
    assert list(split(since, until, "hour", CA_MAU)) == [("2026-11-30 23", 1800.0),
                                                         ("2026-12-01 00", 1800.0)]
