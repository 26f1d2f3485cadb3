"""After-call work's database side (each function runs in one transaction, in the thread
pool): the deadline kept across a daemon restart, and what the end of the work leaves behind
when the nurse did not save — the draft as a `follow_up` case, or a follow-up callback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from callcenter.hub.store import CaseHook, attach_case, draft_key
from db import callbacks
from db.cases import CaseFields, create_case, update_case
from db.models import AcwDeadline, Agent, Call, CallLeg, Case, Topic
from rules.forms import form_errors, required_now
from rules.phone import normalise_phone

AUTO_NOTE = "[Lưu tự động khi hết thời gian xử lý sau cuộc gọi]"


@dataclass(frozen=True)
class KeptWrap:
    """After-call work as the database keeps it. Times are epoch seconds."""

    username: str
    call_uuid: str
    started: float
    until: float


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def keep_wrap(session: Session, username: str, call_uuid: str, started: float,
              until: float) -> None:
    """The agent's after-call work (replacing any earlier one of theirs)."""
    agent_id = session.scalar(select(Agent.id).where(Agent.username == username))
    if agent_id is None:
        return
    session.execute(delete(AcwDeadline).where(AcwDeadline.agent_id == agent_id))
    session.add(AcwDeadline(agent_id=agent_id, call_uuid=call_uuid, started_at=_at(started),
                            until=_at(until)))


def drop_wrap(session: Session, username: str, call_uuid: str) -> None:
    session.execute(delete(AcwDeadline).where(
        AcwDeadline.call_uuid == call_uuid,
        AcwDeadline.agent_id == select(Agent.id).where(Agent.username == username)
        .scalar_subquery()))


def kept_wraps(session: Session) -> list[KeptWrap]:
    rows = session.execute(select(Agent.username, AcwDeadline.call_uuid, AcwDeadline.started_at,
                                  AcwDeadline.until).join(Agent, Agent.id == AcwDeadline.agent_id))
    return [KeptWrap(username, uuid, started.timestamp(), until.timestamp())
            for username, uuid, started, until in rows]


def save_draft_as_follow_up(session: Session, draft: Any, agent_id: int,
                            hooks: Sequence[CaseHook] = (), today: date | None = None) -> str:
    """The draft as a follow_up case (or the open case it was editing), keeping every field
    that validates; a date the form's rules then ask for (a follow-up's) is `today`: the
    follow-up is owed now. `hooks` run as for a nurse's save (store.save_case)."""
    topic = session.scalar(select(Topic).where(Topic.key == draft.topic))
    if topic is None:
        raise LookupError(f"no topic {draft.topic}")
    form = dict(draft.form)
    codes = [o["code"] for o in topic.outcomes]
    if "outcome" not in form and codes:
        form["outcome"] = "follow_up" if "follow_up" in codes else codes[0]
    bad = {path.split(".")[0] for path, _ in form_errors(topic.form_schema, form)}
    form = {k: v for k, v in form.items() if k not in bad}
    properties = topic.form_schema.get("properties", {})
    for name in required_now(topic.form_schema, form) - set(form):
        if properties.get(name, {}).get("format") == "date":
            form[name] = (today or date.today()).isoformat()
    fields = CaseFields(form=form, status="follow_up", caller_phone=draft.caller_phone,
                        notes="\n".join(filter(None, [draft.notes, AUTO_NOTE])),
                        assignee_id=agent_id)
    key = draft_key(agent_id, draft.draft_id)
    existing = session.scalar(select(Case).where(Case.draft_id == key))
    if existing is not None:  # the nurse's own save got there first
        return existing.code
    current = session.get(Case, draft.case_id) if draft.case_id is not None else None
    if current is not None and current.topic_id == topic.id:
        case = update_case(session, current.code, current.version, fields, agent_id)
    else:
        case = create_case(session, topic, fields, agent_id)
        case.draft_id = key
    call_id = attach_case(session, draft.call_uuid, case.id)
    for hook in hooks:
        hook(session, case, call_id, agent_id)
    return case.code


def follow_up_callback(session: Session, call_uuid: str, username: str | None = None) -> None:
    """A callback owed in the topic of the queue leg `username` took (after a transfer the
    first agent's follow-up belongs to the first topic, not the call's last one), held by
    that agent until their shift ends (db.handover)."""
    call = session.scalar(select(Call).where(Call.uuid == call_uuid))
    if call is None:
        return
    topic_id = _leg_topic(session, call, username) or call.topic_id
    if topic_id is None:
        return
    agent_id = session.scalar(select(Agent.id).where(Agent.username == username)) \
        if username else None
    callbacks.owe(session, normalise_phone(call.caller_number), topic_id, "follow_up", call.id,
                  AUTO_NOTE, assignee_id=agent_id)


def _leg_topic(session: Session, call: Call, username: str | None) -> int | None:
    if username is None:
        return None
    return session.scalar(select(CallLeg.topic_id).join(Agent, Agent.id == CallLeg.agent_id)
                          .where(CallLeg.call_id == call.id, Agent.username == username)
                          .order_by(CallLeg.seq.desc()).limit(1))
