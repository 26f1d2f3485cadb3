"""The demo lead's day so far and the same weekday last week: simulated calls written to the
demo database as the recorder writes real ones (`call` and `call_leg` rows), so the lead's
board and intraday chart start from a working day, not from an empty morning. Only for
`callcenter demo --lead`; the live simulated calls come on top."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Call, CallLeg, Tier, Topic

# Calls an hour at each local hour (a public line: a morning peak, a smaller one after lunch,
# a quiet night), for all topics together; shared out 60 / 20 / 20 % as the demo's callers are.
# The peak is near the live demo's own rate (20 a minute), so the day reads as one line.
PER_HOUR = tuple(8 * n for n in (2, 1, 1, 1, 1, 3, 8, 30, 55, 150, 130, 100, 60, 75, 110, 120,
                                 100, 70, 40, 25, 20, 15, 10, 6))
SHARE = {"f0_home_care": 0.6, "epidemic_report": 0.2, "public_services": 0.2}


def seed_history(session: Session, now: datetime, zone: ZoneInfo, seed: int = 1) -> int:
    """Calls from local midnight to `now`, and over the whole same weekday a week ago;
    returns how many were written."""
    rng = random.Random(seed)  # noqa: S311 — simulated callers, not a secret
    topics = {t.key: t for t in session.scalars(select(Topic)) if t.key in SHARE}
    picker = random.Random(seed + 1)  # noqa: S311 — who answered (apart: the calls stay)
    staff: dict[int, list[int]] = {}  # topic id → the agents in its queue (who answered)
    for topic_id, agent_id in session.execute(select(Tier.topic_id, Tier.agent_id)):
        staff.setdefault(topic_id, []).append(agent_id)
    local = now.astimezone(zone)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    written, first_id = 0, (session.scalar(select(func.max(Call.id))) or 0) + 1
    for start, end in ((today - timedelta(days=7), today - timedelta(days=6)), (today, local)):
        moment = start
        while True:
            rate = PER_HOUR[moment.hour] / 3600.0
            moment += timedelta(seconds=rng.expovariate(rate))
            if moment >= end:
                break
            key = rng.choices(list(SHARE), weights=list(SHARE.values()))[0]
            _call(session, topics[key], moment.astimezone(UTC), rng, first_id + written,
                  staff.get(topics[key].id, []), picker)
            written += 1
    return written


def _call(session: Session, topic: Topic, queued: datetime, rng: random.Random,
          call_id: int, agents: list[int], picker: random.Random) -> None:
    """One call and its queue leg (ids given: written in one flush at the end); an answered
    one by an agent of the topic's queue, who then wraps it up for 10 to 60 s."""
    wait = rng.expovariate(1 / 10.0)
    patience = rng.expovariate(1 / 150.0)
    answered = queued + timedelta(seconds=wait) if wait < patience else None
    ended = (answered + timedelta(seconds=rng.uniform(60, 300)) if answered else
             queued + timedelta(seconds=patience))
    call = Call(id=call_id, uuid=str(uuid.UUID(int=rng.getrandbits(128))),
                caller_number=f"+8491{2000000 + call_id:07d}",
                started_at=queued - timedelta(seconds=20),
                queued_at=queued, answered_at=answered, ended_at=ended, menu_choice=topic.menu_key,
                topic_id=topic.id, result="answered" if answered else "abandoned",
                hangup_cause="NORMAL_CLEARING")
    session.add(call)
    member = str(uuid.UUID(int=rng.getrandbits(128)))
    agent = picker.choice(agents) if answered and agents else None
    call.agent_id = agent
    session.add(CallLeg(call_id=call.id, seq=1, member_uuid=member, topic_id=topic.id,
                        agent_id=agent, queued_at=queued, answered_at=answered, ended_at=ended,
                        cause="Terminated" if answered else "BREAK_OUT",
                        wrap_ended_at=ended + timedelta(seconds=picker.uniform(10, 60))
                        if agent else None))
