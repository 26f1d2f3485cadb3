"""The queues report (callcenter/reports/queues.py) on SQLite and PostgreSQL, on hand-built
legs around a local midnight in Cà Mau (UTC+7: 17:00 UTC is 00:00 local), with values worked
out by hand; and the SQL's classification held to the board's, leg by leg."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.lead.tally import Counts, LegFacts, leg_counts
from callcenter.reports.queues import labels, leg_sums, queue_rows, roll_up
from db.engine import transaction
from db.models import Agent, Call, CallLeg, Topic

CA_MAU = ZoneInfo("Asia/Ho_Chi_Minh")
T = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # 23:00 on 3 December in Cà Mau

# (minutes after T the caller joined, seconds waited, seconds talked or None, cause, agent);
# lan wraps up her first call in 30 s (after-call work: until she takes calls again)
# topic f0_home_care: service level target 20 s, short abandons under 5 s
LEGS = [
    (0, 10, 120, "Terminated", "lan"),   # 23:00 local, answered in 10 s, talked 2 min
    (5, 30, 60, "Terminated", "mai"),    # answered in 30 s: outside the 20 s target
    (20, 45, None, "BREAK_OUT", None),   # hung up after 45 s waiting: abandoned
    (30, 3, None, "BREAK_OUT", None),    # after 3 s: a short abandon
    (50, 120, None, "NO_AGENT_TIMEOUT", None),  # timed out
    (65, 15, 300, "Terminated", "lan"),  # 00:05 local on the 4th: the next day
    (70, 8, None, None, None),           # 00:10 on the 4th: still waiting
]


@pytest.fixture
def day(seeded: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(seeded) as s:
        topic = s.scalars(select(Topic).where(Topic.key == "f0_home_care")).one()
        agents = {}
        for username, name in (("lan", "Nguyễn Thị Lan"), ("mai", "Trần Thị Mai")):
            agent = Agent(username=username, full_name=name, role="nurse", password_hash="-")
            s.add(agent)
            s.flush()
            agents[username] = agent.id
        for n, (minutes, waited, talked, cause, who) in enumerate(LEGS):
            joined = T + timedelta(minutes=minutes)
            answered = joined + timedelta(seconds=waited) if talked is not None else None
            ended = (answered + timedelta(seconds=talked)) if answered and talked else \
                (joined + timedelta(seconds=waited) if cause else None)
            call = Call(uuid=f"call-{n}", caller_number=f"+8491200000{n}",
                        started_at=joined - timedelta(seconds=20), queued_at=joined,
                        topic_id=topic.id)
            s.add(call)
            s.flush()
            s.add(CallLeg(call_id=call.id, seq=1, member_uuid=f"m-{n}", topic_id=topic.id,
                          agent_id=agents.get(who or ""), queued_at=joined,
                          answered_at=answered, ended_at=ended, cause=cause,
                          wrap_ended_at=ended + timedelta(seconds=30) if n == 0 else None))
    return seeded


def test_a_day_by_topic_worked_by_hand(day: sessionmaker[Session]) -> None:
    with day() as s:
        rows = queue_rows(s, date(2026, 12, 3), date(2026, 12, 4), "day", "topic", CA_MAU)
    third, fourth = rows
    assert (third["period"], third["group"]) == ("2026-12-03", "f0_home_care")
    assert (third["offered"], third["answered"], third["abandoned"], third["short_abandoned"],
            third["timed_out"]) == (5, 2, 1, 1, 1)
    # service level: 1 answered in 20 s ÷ (2 answered + 1 abandoned + 1 timed out)
    assert third["service_level_pct"] == 25.0 and third["abandon_pct"] == 25.0
    assert third["asa_seconds"] == 20.0  # (10 + 30) ÷ 2
    assert third["longest_wait_seconds"] == 120.0  # the one who timed out
    # handle time: talk (120 + 60) ÷ 2, plus after-call work 30 ÷ 1 wrapped
    assert third["avg_talk_seconds"] == 90.0 and third["avg_wrap_seconds"] == 30.0
    assert third["aht_seconds"] == 120.0
    assert (fourth["period"], fourth["offered"], fourth["answered"]) == ("2026-12-04", 2, 1)
    assert fourth["service_level_pct"] == 100.0  # the one still waiting is not counted yet


def test_by_agent_and_by_hour(day: sessionmaker[Session]) -> None:
    with day() as s:
        agents = queue_rows(s, date(2026, 12, 3), date(2026, 12, 3), "total", "agent", CA_MAU)
        hours = queue_rows(s, date(2026, 12, 3), date(2026, 12, 4), "hour", "all", CA_MAU)
    by_agent = {r["group"]: r for r in agents}
    assert (by_agent["lan"]["answered"], by_agent["mai"]["answered"]) == (1, 1)
    assert by_agent["—"]["offered"] == 3 and by_agent["—"]["answered"] == 0  # nobody took
    assert [(r["period"], r["offered"]) for r in hours] == [
        ("2026-12-03 23", 5), ("2026-12-04 00", 2)]


def test_the_sql_classifies_each_leg_as_the_board_does(day: sessionmaker[Session]) -> None:
    with day() as s:
        board = Counts()
        for leg in s.scalars(select(CallLeg)):
            us = lambda t: None if t is None else int(t.timestamp() * 1e6)  # noqa: E731
            board.add(leg_counts(LegFacts(leg.member_uuid, "f0_home_care", us(leg.queued_at),
                                          us(leg.answered_at), us(leg.ended_at), leg.cause),
                                 20, 5))
        table = roll_up(leg_sums(s, date(2026, 12, 3), date(2026, 12, 4), CA_MAU), "total",
                        "all", CA_MAU, labels(s))
    (stats,) = table.values()
    # the board folds after-call work apart (from the agent's state), not with the legs
    board.wrapped, board.wrap_us = 1, 30_000_000
    assert stats.counts == board
