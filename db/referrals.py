"""Reports forwarded to the responsible agency (rules/referral.py has the states): forwarding a
case, the agency's steps, and the callback that tells the caller once the report is resolved —
the report is `caller_informed` when that callback reaches them (db.callbacks.dial_ended)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit, callbacks
from db.errors import DataError, NotFound
from db.models import Agency, Callback, Case, Referral, Topic
from db.models.calls import OPEN_CALLBACK_STATES
from rules import referral as rules


class ReferralRefused(DataError):
    """A step the report's state or the rules do not allow."""


def forward(session: Session, case_id: int, agency_code: str, agent_id: int | None,
            actor: str, now: datetime, note: str | None = None,
            due_at: datetime | None = None) -> Referral:
    """Forward a case of a topic whose reports are forwarded to an agency, due by the topic's
    rules (or `due_at`). Forwarding the same case to the same agency again is refused."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    topic = session.get_one(Topic, case.topic_id)
    if rules.forwarding_rules(topic.rules) is None:
        raise ReferralRefused(f"reports of topic {topic.key} are not forwarded")
    agency = session.scalar(select(Agency).where(Agency.code == agency_code))
    if agency is None:
        raise NotFound(f"no agency {agency_code!r}")
    if session.scalar(select(Referral.id).where(Referral.case_id == case.id,
                                                Referral.agency_id == agency.id)):
        raise ReferralRefused(f"case {case.code} was forwarded to {agency.code} already")
    if due_at is not None and due_at <= now:
        raise ReferralRefused("the due date must be in the future")
    row = Referral(case_id=case.id, agency_id=agency.id, state="forwarded", forwarded_at=now,
                   due_at=due_at or rules.due(topic.rules, case.form_data, now),
                   forwarded_by_id=agent_id, note=note or None, updated_by_id=agent_id,
                   updated_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor, "referral.forward", case.code, actor_id=agent_id,
                 agency=agency.code, referral_id=row.id, due_at=row.due_at.isoformat())
    return row


def advance(session: Session, referral_id: int, to: str, agent_id: int | None, actor: str,
            now: datetime, resolution: str | None = None) -> Referral:
    """Move a report on: in_progress, resolved (with what was done: the caller's callback is
    owed then), caller_informed (told some other way)."""
    row = session.get(Referral, referral_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no referral {referral_id}")
    if not rules.can_move(row.state, to):
        raise ReferralRefused(f"a report {row.state.replace('_', ' ')} cannot become "
                              f"{to.replace('_', ' ')}")
    if to == "resolved" and not (resolution or "").strip():
        raise ReferralRefused("say what was done (the resolution) to resolve a report")
    row.state, row.updated_by_id, row.updated_at = to, agent_id, now
    if to == "resolved":
        row.resolution, row.resolved_at = (resolution or "").strip(), now
        row.callback_id = _inform_callback(session, row)
    elif to == "caller_informed":
        row.informed_at = now
    audit.record(session, actor, f"referral.{to}", str(row.id), actor_id=agent_id,
                 case_id=row.case_id)
    return row


def _inform_callback(session: Session, row: Referral) -> int | None:
    """The callback that tells the caller (the caller's open one on the topic, if any: one
    call tells them everything); None when the case has no phone to call."""
    case = session.get_one(Case, row.case_id)
    if not case.caller_phone:
        return None
    made = callbacks.owe(session, case.caller_phone, case.topic_id, "follow_up", None,
                         note=f"Báo kết quả phản ánh {case.code}")
    if made is not None:
        made.case_id = case.id
        return made.id
    return session.scalar(select(Callback.id).where(
        Callback.phone == case.caller_phone, Callback.topic_id == case.topic_id,
        Callback.state.in_(OPEN_CALLBACK_STATES)))
