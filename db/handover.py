"""Shifts: the line runs 24/7, so what an agent holds — open callbacks and open cases — goes
back to the pool (or to a named colleague) when they log out at the end of a shift, and the
incoming lead reads a hand-over summary: open red cases, overdue callbacks, forwarded reports
due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import Agency, Agent, Callback, Case, Referral, Topic
from db.models.calls import OPEN_CALLBACK_STATES
from rules.referral import OPEN_STATES

OPEN_CASE_STATUSES = ("open", "follow_up", "escalated")
SUMMARY_ROWS = 200  # per list: a hand-over is read, not scrolled for ever


@dataclass(frozen=True)
class Released:
    callbacks: int
    cases: int
    to: str | None  # the colleague's username, None: the pool


def release(session: Session, agent_id: int, to_agent_id: int | None) -> Released:
    """Everything `agent_id` holds, to `to_agent_id` (None: the pool). A callback being
    dialled stays with its dial (it ends on its own)."""
    callbacks = session.execute(
        update(Callback).where(Callback.assignee_id == agent_id, Callback.state == "open")
        .values(assignee_id=to_agent_id).execution_options(synchronize_session=False))
    cases = session.execute(
        update(Case).where(Case.assignee_id == agent_id,
                           Case.status.in_(OPEN_CASE_STATUSES))
        .values(assignee_id=to_agent_id).execution_options(synchronize_session=False))
    colleague = session.get(Agent, to_agent_id) if to_agent_id else None
    return Released(getattr(callbacks, "rowcount", 0), getattr(cases, "rowcount", 0),
                    colleague.username if colleague else None)


def summary(session: Session, topic_keys: frozenset[str] | None, agency_id: int | None,
            now: datetime, due_within: timedelta = timedelta(hours=24)) -> dict[str, Any]:
    """What the incoming lead must know, for their topics (None: all) and the reports
    forwarded to their agency (or their topics'): open red cases, overdue callbacks, and
    forwarded reports overdue or due within `due_within`."""
    topics = {t.id: t.key for t in session.scalars(select(Topic))
              if topic_keys is None or t.key in topic_keys}
    names = dict(session.execute(select(Agent.id, Agent.full_name)).all())
    red = []
    for case in session.scalars(select(Case).where(
            Case.topic_id.in_(topics), Case.status.in_(OPEN_CASE_STATUSES))
            .order_by(Case.updated_at.desc()).limit(SUMMARY_ROWS * 5)):
        if case.form_data.get("triage_level") == "red":
            red.append({"id": case.id, "code": case.code, "topic": topics[case.topic_id],
                        "status": case.status, "person": case.person_name,
                        "holder": names.get(case.assignee_id or 0),
                        "updated_at": case.updated_at.isoformat()})
    overdue = [{"id": c.id, "topic": topics[c.topic_id], "reason": c.reason,
                "due_at": c.due_at.isoformat(), "attempts": c.attempts,
                "holder": names.get(c.assignee_id or 0)}
               for c in session.scalars(select(Callback).where(
                   Callback.topic_id.in_(topics), Callback.state.in_(OPEN_CALLBACK_STATES),
                   Callback.due_at < now).order_by(Callback.due_at).limit(SUMMARY_ROWS))]
    agencies = dict(session.execute(select(Agency.id, Agency.code)).all())
    query = select(Referral, Case.code, Case.topic_id).join(Case, Case.id == Referral.case_id) \
        .where(Referral.state.in_(OPEN_STATES), Referral.due_at < now + due_within)
    due = [{"id": r.id, "case_code": code, "topic": topics.get(topic_id),
            "agency": agencies.get(r.agency_id), "state": r.state,
            "due_at": r.due_at.isoformat(), "overdue": r.due_at < now}
           for r, code, topic_id in session.execute(query.order_by(Referral.due_at))
           if topic_keys is None or topic_id in topics or r.agency_id == agency_id][
               :SUMMARY_ROWS]
    return {"red_cases": red[:SUMMARY_ROWS], "overdue_callbacks": overdue,
            "referrals_due": due}
