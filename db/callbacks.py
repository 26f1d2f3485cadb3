"""A callback's dials: one agent dials it at a time (the claim), the switch says how the dial
ended (on the agent's leg), and a caller not reached is tried again later, then given up.

open ──claim──▶ dialing ──caller answered──▶ done
  ▲                │ ──caller not reached──▶ open (due again later) or failed (last attempt)
  └──never dialled─┘   (the agent's phone did not answer, the switch refused, lost)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db import monitoring
from db.errors import DataError
from db.models import Agent, Call, Callback, Declaration, Referral, Topic
from db.models.base import utcnow
from db.models.calls import OPEN_CALLBACK_STATES
from rules.callbacks import due_within

REACHED = "SUCCESS"  # originate_disposition when the caller answered
NOT_DIALLED = "not_dialled"  # last_result: the caller's number was never rung
LOST = "lost"  # last_result: the daemon never heard how the dial ended


class CallbackBusy(DataError):
    """The callback is not open: someone is dialling it, or it is finished."""


@dataclass(frozen=True)
class RetryPolicy:
    retry_after: timedelta = timedelta(minutes=15)
    max_attempts: int = 3


def owe(session: Session, phone: str, topic_id: int, reason: str, call_id: int | None,
        note: str | None = None, assignee_id: int | None = None,
        now: datetime | None = None) -> Callback | None:
    """A callback owed to `phone` (normalised) in a topic — unless one is still open there
    (`open` or being dialled): one open callback per caller and topic, the rule the partial
    unique index keeps. The recorder (abandoned, no agent, the callback key) and after-call
    work (a follow-up, held by the agent who promised it: `assignee_id`) both owe through
    here. It is due as the topic's rules say for `reason` (rules.callbacks): not overdue
    the moment it is owed. Returns the new callback, or None."""
    if session.scalar(select(Callback.id).where(
            Callback.phone == phone, Callback.topic_id == topic_id,
            Callback.state.in_(OPEN_CALLBACK_STATES))) is not None:
        return None
    topic = session.get_one(Topic, topic_id)
    owed_at = now or utcnow()
    callback = Callback(phone=phone, topic_id=topic_id, reason=reason, call_id=call_id,
                        note=note, assignee_id=assignee_id, created_at=owed_at,
                        due_at=owed_at + due_within(topic.rules, reason))
    session.add(callback)
    session.flush()
    return callback


def claim(session: Session, callback_id: int, agent_id: int, now: datetime) -> str:
    """Take an open callback for `agent_id` to dial now; returns the dial's token. One
    conditional UPDATE, so of two agents clicking at once exactly one gets it."""
    token = secrets.token_hex(8)
    taken = session.execute(
        update(Callback).where(Callback.id == callback_id, Callback.state == "open")
        .values(state="dialing", dial_token=token, assignee_id=agent_id, last_attempt_at=now)
        .execution_options(synchronize_session=False))
    if getattr(taken, "rowcount", 0) == 1:  # a CursorResult: an UPDATE's row count
        return token
    row = _fresh(session, callback_id)
    if row is None:
        raise CallbackBusy(f"no callback {callback_id}")
    if row.state == "dialing":
        who = session.scalar(select(Agent.full_name).where(Agent.id == row.assignee_id))
        raise CallbackBusy(f"{who or 'another agent'} is calling {row.phone} now")
    raise CallbackBusy(f"callback {callback_id} is {row.state}")


def agent_answered(session: Session, callback_id: int, token: str, leg_uuid: str,
                   now: datetime) -> Call | None:
    """The agent took the dial on their phone (the caller is being rung): the call is
    recorded, outbound, as the agent's leg; the case saved on it is the callback's."""
    row = _fresh(session, callback_id)
    if row is None or row.state != "dialing" or row.dial_token != token:
        return None
    call = session.scalar(select(Call).where(Call.uuid == leg_uuid))
    if call is None:
        call = Call(uuid=leg_uuid, direction="outbound", caller_number=row.phone,
                    started_at=now, topic_id=row.topic_id, agent_id=row.assignee_id,
                    callback_id=row.id)
        session.add(call)
        session.flush()
    return call


def dial_ended(session: Session, callback_id: int, token: str, disposition: str | None,
               now: datetime, policy: RetryPolicy, leg_uuid: str | None = None) -> str | None:
    """How the dial named by `token` ended: `disposition` is the caller leg's originate
    result (None or NOT_DIALLED: the caller was never rung). Returns the callback's new state,
    or None when that dial is not the current one (already ended, or a newer one began)."""
    row = _fresh(session, callback_id)
    if row is None or row.state != "dialing" or not token or row.dial_token != token:
        return None
    # Read before anything changes: a query would flush the callback first, and a case saved
    # at the same moment locks the call, then the callback (PostgreSQL would deadlock).
    call = session.scalar(select(Call).where(Call.uuid == leg_uuid)) if leg_uuid else None
    row.dial_token = None
    if call is not None and call.ended_at is None:
        call.ended_at = now
        call.result = "answered" if disposition == REACHED else None
        call.hangup_cause = disposition
    if disposition in (None, NOT_DIALLED, LOST):
        row.state, row.last_result = "open", disposition or NOT_DIALLED
        return row.state
    row.attempts += 1
    row.last_result = disposition
    if disposition == REACHED:
        row.state = "done"
        _told_of_referrals(session, row.id, now)
    elif row.attempts >= policy.max_attempts:
        row.state = "failed"
        if row.episode_id is not None:
            monitoring.missed(session, row, now)
    else:
        row.state, row.due_at = "open", now + policy.retry_after
    return row.state


def _told_of_referrals(session: Session, callback_id: int, now: datetime) -> None:
    """The caller was reached: the resolved reports this callback was to tell them of are
    `caller_informed` (db.referrals owes it)."""
    for referral in session.scalars(select(Referral).where(
            Referral.callback_id == callback_id, Referral.state == "resolved")):
        referral.state, referral.informed_at, referral.updated_at = "caller_informed", now, now


def _fresh(session: Session, callback_id: int) -> Callback | None:
    """The row as the database has it now (claim's UPDATE bypasses the session's copy)."""
    return session.get(Callback, callback_id, populate_existing=True)


def link_case(session: Session, call: Call, case_id: int) -> None:
    """A case saved on a callback's call is the callback's case (the first one), and its
    declaration's."""
    if call.callback_id is not None:
        callback = session.get(Callback, call.callback_id)
        if callback is not None and callback.case_id is None:
            callback.case_id = case_id
            declaration = session.get(Declaration, callback.declaration_id) \
                if callback.declaration_id is not None else None
            if declaration is not None and declaration.case_id is None:
                declaration.case_id = case_id  # the declaration became this case


def reopen_stale(session: Session, now: datetime, older_than: timedelta) -> list[int]:
    """Dials the daemon never heard the end of (it was down while they ran): open again."""
    rows = session.scalars(select(Callback).where(
        Callback.state == "dialing", Callback.last_attempt_at < now - older_than)).all()
    for row in rows:
        row.state, row.dial_token, row.last_result = "open", None, LOST
    return [row.id for row in rows]
