"""What happened to calls outside the queues' figures, and to callbacks, over any period, per
topic: IVR hang-ups, calls with no agent or overflowed, callback-key requests and transfers; the
callbacks owed, reached, given up, and the time from owed to reached. Summed in the database by
UTC hour and topic, rolled up into local periods as the queues' figures are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from callcenter.reports.periods import (
    Grouping,
    bucket_seconds,
    bucket_start,
    local_range,
    period_key,
)
from callcenter.reports.sql import bucket, seconds_between
from db.models import Call, Callback, CallLeg, Topic

NO_TOPIC = "—"  # a call that never reached a topic (hung up in the menu)


@dataclass
class Activity:
    ivr_hangups: int = 0
    no_agent: int = 0
    overflow: int = 0
    callback_requests: int = 0  # the callback key pressed while waiting
    transfers: int = 0  # legs a call joined after its first (a transfer or a lead's move)
    callbacks_owed: int = 0
    callbacks_reached: int = 0
    callbacks_failed: int = 0
    reach_seconds: float = 0.0  # summed over reached callbacks: owed → the reaching dial

    def figures(self) -> dict[str, Any]:
        figures = {k: v for k, v in vars(self).items() if k != "reach_seconds"}
        figures["avg_reach_minutes"] = None if not self.callbacks_reached else round(
            self.reach_seconds / self.callbacks_reached / 60, 1)
        return figures


def activity_rows(session: Session, first: date, last: date, grouping: Grouping,
                  zone: tzinfo) -> list[dict[str, Any]]:
    """Per local period and topic."""
    start, end = local_range(first, last, zone)
    seconds = bucket_seconds(zone, start, end)
    topics = dict(session.execute(select(Topic.id, Topic.key)).all())
    table: dict[tuple[str, str], Activity] = {}

    def add(rows: Iterable[Any], name: str) -> None:
        for slot, topic_id, value in rows:
            key = (period_key(bucket_start(int(slot), seconds), grouping, zone),
                   topics.get(topic_id, NO_TOPIC))
            entry = table.setdefault(key, Activity())
            setattr(entry, name, getattr(entry, name) + (float(value) if name ==
                                                         "reach_seconds" else int(value)))

    calls = bucket(session, Call.started_at, seconds)
    in_range = and_(Call.started_at >= start, Call.started_at < end)
    for result, name in (("ivr_hangup", "ivr_hangups"), ("no_agent", "no_agent"),
                         ("overflow", "overflow")):
        add(session.execute(select(calls, Call.topic_id, func.count()).where(
            in_range, Call.result == result).group_by(calls, Call.topic_id)), name)
    legs = bucket(session, CallLeg.queued_at, seconds)
    add(session.execute(select(legs, CallLeg.topic_id, func.count()).where(
        CallLeg.queued_at >= start, CallLeg.queued_at < end, CallLeg.seq > 1)
        .group_by(legs, CallLeg.topic_id)), "transfers")
    owed = bucket(session, Callback.created_at, seconds)
    owed_in = and_(Callback.created_at >= start, Callback.created_at < end)
    add(session.execute(select(owed, Callback.topic_id, func.count()).where(owed_in)
                        .group_by(owed, Callback.topic_id)), "callbacks_owed")
    add(session.execute(select(owed, Callback.topic_id, func.count()).where(
        owed_in, Callback.reason == "requested").group_by(owed, Callback.topic_id)),
        "callback_requests")
    # reached and given up: counted in the period they ended (their last dial)
    ended = bucket(session, Callback.last_attempt_at, seconds)
    ended_in = and_(Callback.last_attempt_at >= start, Callback.last_attempt_at < end)
    done = Callback.state == "done"
    add(session.execute(select(ended, Callback.topic_id, func.count()).where(ended_in, done)
                        .group_by(ended, Callback.topic_id)), "callbacks_reached")
    add(session.execute(select(ended, Callback.topic_id, func.count()).where(
        ended_in, Callback.state == "failed").group_by(ended, Callback.topic_id)),
        "callbacks_failed")
    reach = seconds_between(session, Callback.created_at, Callback.last_attempt_at)
    add(session.execute(select(ended, Callback.topic_id, func.sum(
        case((done, reach), else_=0))).where(ended_in, done).group_by(
        ended, Callback.topic_id)), "reach_seconds")
    return [{"period": period, "group": group, **entry.figures()}
            for (period, group), entry in sorted(table.items())]
