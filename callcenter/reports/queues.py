"""The queues' numbers over any period: offered, answered, abandoned (short abandons apart),
timed out, service level, abandon rate, speed of answer, longest wait, talk and handle time —
per topic, agency or agent, by hour, day, week or month in the site's time zone.

The legs are classified in SQL exactly as the lead's board classifies them one by one
(`callcenter/lead/tally.py` `leg_counts`; a test holds the two to the same legs), summed by UTC
hour, topic and agent in the database, then rolled up into local periods here; the rates are
`Counts.figures`, the board's own formulas. So a number means the same on the board, in the
app's Reports tab, on the command line and in the daily export."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any, Literal

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from callcenter.lead.tally import TIMED_OUT, Counts
from callcenter.reports.periods import (
    Grouping,
    bucket_seconds,
    bucket_start,
    local_range,
    period_key,
)
from callcenter.reports.sql import bucket, seconds_between
from db.models import Agency, Agent, CallLeg, Topic
from rules.board import board_rules

By = Literal["topic", "agency", "agent", "all"]
NOBODY = "—"  # the group of legs no agent took (for the agent and agency groupings)


@dataclass
class Stats:
    """One period × group: the board's counts, and the longest wait (a maximum, not a sum)."""

    counts: Counts = field(default_factory=Counts)
    longest_wait: float = 0.0  # seconds: answered legs' wait, or how long a leaver waited

    def figures(self) -> dict[str, Any]:
        c = self.counts
        return {**c.figures(), "longest_wait_seconds": round(self.longest_wait, 1),
                "avg_talk_seconds": None if not c.talked else round(
                    c.talk_us / c.talked / 1e6, 1),
                "avg_wrap_seconds": None if not c.wrapped else round(
                    c.wrap_us / c.wrapped / 1e6, 1)}


def leg_sums(session: Session, first: date, last: date, zone: tzinfo,
             grouping: Grouping = "hour", by: By | None = None) -> list[Any]:
    """Per bucket (UTC hour, or quarter hour), topic and agent: the legs' counts and sums —
    grouped only by what the report shows (no bucket for a total, the topic only by topic, the
    agent only by agent or agency: a month by topic is 2,000 groups, not 9,000); a key left
    out reads as NULL (the bucket: the first)."""
    start, end = local_range(first, last, zone)
    seconds = bucket_seconds(zone, start, end)
    topics = list(session.scalars(select(Topic)))
    target = case({t.id: t.service_level_seconds for t in topics}, value=CallLeg.topic_id,
                  else_=20) if topics else literal(20)
    short = case({t.id: board_rules(t.rules).short_abandon_seconds for t in topics},
                 value=CallLeg.topic_id, else_=5) if topics else literal(5)
    wait = seconds_between(session, CallLeg.queued_at, CallLeg.answered_at)
    stay = seconds_between(session, CallLeg.queued_at, CallLeg.ended_at)
    talk = seconds_between(session, CallLeg.answered_at, CallLeg.ended_at)
    wrap = seconds_between(session, CallLeg.ended_at, CallLeg.wrap_ended_at)
    answered = CallLeg.answered_at.is_not(None)
    wrapped = and_(answered, CallLeg.ended_at.is_not(None), CallLeg.wrap_ended_at.is_not(None))
    left = and_(CallLeg.answered_at.is_(None), CallLeg.ended_at.is_not(None))
    timed_out = and_(left, CallLeg.cause.in_(sorted(TIMED_OUT)))
    moved = and_(left, CallLeg.cause == "MOVED")
    gave_up = and_(left, or_(CallLeg.cause.is_(None),
                             CallLeg.cause.not_in([*sorted(TIMED_OUT), "MOVED"])))

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    slot = bucket(session, CallLeg.queued_at, seconds)
    keys = [slot] if grouping != "total" else []
    topic = CallLeg.topic_id if by in (None, "topic") else literal(None)
    agent = CallLeg.agent_id if by in (None, "agent", "agency") else literal(None)
    keys += [k for k, wanted in ((CallLeg.topic_id, by in (None, "topic")),
                                 (CallLeg.agent_id, by in (None, "agent", "agency"))) if wanted]
    query = select(
        (slot if grouping != "total" else func.min(slot)).label("slot"),
        topic.label("topic_id"), agent.label("agent_id"), func.count().label("offered"),
        count(answered).label("answered"),
        count(and_(answered, wait <= target)).label("in_target"),
        count(and_(gave_up, stay >= short)).label("abandoned"),
        count(and_(gave_up, stay < short)).label("short_abandoned"),
        count(timed_out).label("timed_out"), count(moved).label("moved"),
        count(and_(CallLeg.answered_at.is_(None), CallLeg.ended_at.is_(None))).label("waiting"),
        func.sum(case((answered, wait), else_=0)).label("wait_s"),
        func.max(case((answered, wait), (left, stay), else_=0)).label("longest"),
        count(and_(answered, CallLeg.ended_at.is_not(None))).label("talked"),
        func.sum(case((and_(answered, CallLeg.ended_at.is_not(None)), talk), else_=0))
        .label("talk_s"),
        count(wrapped).label("wrapped"), func.sum(case((wrapped, wrap), else_=0))
        .label("wrap_s"),
    ).where(CallLeg.queued_at >= start, CallLeg.queued_at < end)
    if keys:
        query = query.group_by(*keys)
    return [(row, seconds) for row in session.execute(query) if row.offered]


def roll_up(sums: Iterable[Any], grouping: Grouping, by: By, zone: tzinfo,
            names: Mapping[str, Mapping[int, str]]) -> dict[tuple[str, str], Stats]:
    """The hourly sums as periods × groups (pure). `names`: topic, agent and agency labels
    by id, and each agent's agency (`agent_agency`)."""
    table: dict[tuple[str, str], Stats] = {}
    for row, seconds in sums:
        period = period_key(bucket_start(int(row.slot), seconds), grouping, zone)
        stats = table.setdefault((period, _group(row, by, names)), Stats())
        stats.counts.add(Counts(
            offered=row.offered, answered=row.answered or 0,
            answered_in_target=row.in_target or 0, abandoned=row.abandoned or 0,
            short_abandoned=row.short_abandoned or 0, timed_out=row.timed_out or 0,
            moved=row.moved or 0, waiting=row.waiting or 0,
            wait_us=round(float(row.wait_s or 0) * 1e6), talked=row.talked or 0,
            talk_us=round(float(row.talk_s or 0) * 1e6), wrapped=row.wrapped or 0,
            wrap_us=round(float(row.wrap_s or 0) * 1e6)))
        stats.longest_wait = max(stats.longest_wait, float(row.longest or 0))
    return dict(sorted(table.items()))


def _group(row: Any, by: By, names: Mapping[str, Mapping[int, str]]) -> str:
    if by == "topic":
        return names["topic"].get(row.topic_id, NOBODY)
    if by == "agent":
        return names["agent"].get(row.agent_id, NOBODY)
    if by == "agency":
        agency = names["agent_agency"].get(row.agent_id)
        return names["agency"].get(int(agency), NOBODY) if agency else NOBODY
    return "all"


def labels(session: Session) -> dict[str, dict[int, str]]:
    """What the groups are called: topics by key, agents by username, agencies by code."""
    return {"topic": dict(session.execute(select(Topic.id, Topic.key)).all()),
            "agent": dict(session.execute(select(Agent.id, Agent.username)).all()),
            "agent_agency": {a: str(g) for a, g in session.execute(
                select(Agent.id, Agent.agency_id)) if g is not None},
            "agency": dict(session.execute(select(Agency.id, Agency.code)).all())}


def queue_rows(session: Session, first: date, last: date, grouping: Grouping, by: By,
               zone: tzinfo) -> list[dict[str, Any]]:
    """The report's rows: period, group, and the figures."""
    table = roll_up(leg_sums(session, first, last, zone, grouping, by), grouping, by, zone,
                    labels(session))
    return [{"period": period, "group": group, **stats.figures()}
            for (period, group), stats in table.items()]


def heatmap_rows(session: Session, first: date, last: date, zone: tzinfo
                 ) -> list[dict[str, Any]]:
    """Calls offered to the queues by local weekday (1 Monday … 7 Sunday) and hour: one row
    per weekday, a column per hour ("00" … "23")."""
    grid = [[0] * 24 for _ in range(7)]
    for row, seconds in leg_sums(session, first, last, zone, "hour", "all"):
        local = bucket_start(int(row.slot), seconds).astimezone(zone)
        grid[local.isoweekday() - 1][local.hour] += int(row.offered)
    return [{"weekday": day + 1, **{f"{hour:02d}": grid[day][hour] for hour in range(24)}}
            for day in range(7)]
