"""The agents' time over any period, from `agent_status_log` and their queue legs: staffed
(logged in), available, on break by reason, talking and wrapping up; occupancy and utilisation;
and the breaks mod_callcenter imposed after calls not answered.

- staffed: time in any status but Logged Out; available: in Available (mod_callcenter keeps
  an agent Available while talking: the status says they take calls, the state what they do);
- occupancy = (talk + after-call work) ÷ available time: how busy the time offered to callers
  was; utilisation = (talk + after-call work) ÷ staffed time, breaks included.
Talk and after-call work count in the period the leg was answered in; the status intervals are
cut at the periods' bounds (local time)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from callcenter.reports.periods import Grouping, local_range, period_key
from callcenter.reports.queues import labels, leg_sums, roll_up
from db.models import AgentStatusLog

LOGGED_OUT = "Logged Out"
ON_BREAK = "On Break"


@dataclass
class AgentTime:
    staffed: float = 0.0  # seconds
    available: float = 0.0
    breaks: dict[str, float] = field(default_factory=dict)  # reason → seconds
    talk: float = 0.0
    wrap: float = 0.0
    answered: int = 0
    no_answer_breaks: int = 0  # On Break set by the switch itself (max-no-answer)

    def figures(self) -> dict[str, Any]:
        busy = self.talk + self.wrap
        return {"staffed_hours": round(self.staffed / 3600, 2),
                "available_hours": round(self.available / 3600, 2),
                "break_minutes": round(sum(self.breaks.values()) / 60, 1),
                **{f"break_{reason}_minutes": round(seconds / 60, 1)
                   for reason, seconds in sorted(self.breaks.items())},
                "answered": self.answered, "talk_hours": round(self.talk / 3600, 2),
                "wrap_hours": round(self.wrap / 3600, 2),
                "occupancy_pct": None if self.available <= 0 else round(
                    100 * busy / self.available, 1),
                "utilisation_pct": None if self.staffed <= 0 else round(
                    100 * busy / self.staffed, 1),
                "no_answer_breaks": self.no_answer_breaks}


def intervals(changes: list[tuple[int, datetime, str, str | None]], start: datetime,
              end: datetime) -> Iterator[tuple[int, datetime, datetime, str, str | None]]:
    """Each agent's statuses as intervals within [start, end) (pure): `changes` are (agent,
    at, status, reason) sorted by agent then time, the last one before `start` included."""
    for n, (agent, at, status, reason) in enumerate(changes):
        following = changes[n + 1] if n + 1 < len(changes) else None
        until = following[1] if following and following[0] == agent else end
        since, until = max(at, start), min(until, end)
        if since < until:
            yield agent, since, until, status, reason


def split(since: datetime, until: datetime, grouping: Grouping,
          zone: tzinfo) -> Iterator[tuple[str, float]]:
    """An interval cut at the local periods' bounds: (period, seconds) (pure)."""
    moment = since
    while moment < until:
        bound = min(until, _next_bound(moment, grouping, zone))
        yield period_key(moment, grouping, zone), (bound - moment).total_seconds()
        moment = bound


def _next_bound(moment: datetime, grouping: Grouping, zone: tzinfo) -> datetime:
    local = moment.astimezone(zone)
    if grouping == "hour":
        nxt = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    elif grouping == "day":
        nxt = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), zone)
    elif grouping == "week":
        monday = local.date() - timedelta(days=local.weekday())
        nxt = datetime.combine(monday + timedelta(days=7), datetime.min.time(), zone)
    elif grouping == "month":
        first = local.date().replace(day=1)
        nxt = datetime.combine((first + timedelta(days=32)).replace(day=1),
                               datetime.min.time(), zone)
    else:
        return datetime.max.replace(tzinfo=moment.tzinfo)
    return nxt.astimezone(moment.tzinfo)


def agent_time_rows(session: Session, first: date, last: date, grouping: Grouping,
                    zone: tzinfo) -> list[dict[str, Any]]:
    """Per local period and agent (by username)."""
    start, end = local_range(first, last, zone)
    names = labels(session)
    before = select(AgentStatusLog.agent_id, func.max(AgentStatusLog.at).label("at")).where(
        AgentStatusLog.at < start).group_by(AgentStatusLog.agent_id).subquery()
    rows = session.execute(select(
        AgentStatusLog.agent_id, AgentStatusLog.at, AgentStatusLog.status,
        AgentStatusLog.reason, AgentStatusLog.source).outerjoin(
        before, and_(before.c.agent_id == AgentStatusLog.agent_id,
                     before.c.at == AgentStatusLog.at)).where(
        (AgentStatusLog.at >= start) & (AgentStatusLog.at < end) | before.c.at.is_not(None))
        .order_by(AgentStatusLog.agent_id, AgentStatusLog.at, AgentStatusLog.id)).all()
    table: dict[tuple[str, str], AgentTime] = {}

    def entry(period: str, agent_id: int) -> AgentTime:
        return table.setdefault((period, names["agent"].get(agent_id, "—")), AgentTime())

    changes = [(r.agent_id, r.at, r.status, r.reason) for r in rows]
    for agent, since, until, status, reason in intervals(changes, start, end):
        if status == LOGGED_OUT:
            continue
        for period, seconds in split(since, until, grouping, zone):
            time = entry(period, agent)
            time.staffed += seconds
            if status == ON_BREAK:
                time.breaks[reason or "other"] = time.breaks.get(reason or "other", 0) + seconds
            else:
                time.available += seconds
    for r in rows:
        if r.status == ON_BREAK and r.source == "switch" and start <= r.at < end:
            entry(period_key(r.at, grouping, zone), r.agent_id).no_answer_breaks += 1
    by_id = {name: agent_id for agent_id, name in names["agent"].items()}
    legs = roll_up(leg_sums(session, first, last, zone, grouping, "agent"), grouping, "agent",
                   zone, names)
    for (period, username), stats in legs.items():
        if username in by_id:
            time = entry(period, by_id[username])
            time.answered += stats.counts.answered
            time.talk += stats.counts.talk_us / 1e6
            time.wrap += stats.counts.wrap_us / 1e6
    agents = set(names["agent"].values())
    return [{"period": period, "group": who, **time.figures()}
            for (period, who), time in sorted(table.items()) if who in agents]
