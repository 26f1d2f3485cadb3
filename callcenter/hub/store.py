"""What the hub reads and writes in the database, as plain dicts ready for JSON.

Every function takes a Session and runs in gevent's thread pool (the driver blocks); none keeps
ORM objects past its session."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from callcenter.store.lookup import caller_history
from db import callbacks, monitoring_views
from db.cases import CaseFields, create_case, update_case
from db.errors import DataError
from db.models import (
    AdminUnit,
    Agency,
    Agent,
    Call,
    Callback,
    Case,
    CheckIn,
    Declaration,
    Tier,
    Topic,
    agency_topic,
)
from rules.phone import normalise_phone

# Runs in a case's save, in its transaction: (session, the case, the call's id, the agent's).
CaseHook = Callable[[Session, Case, int | None, int | None], None]


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def agent_identity(session: Session, username: str) -> dict[str, Any] | None:
    return agent_identities(session, [username]).get(username)


def agent_identities(session: Session, usernames: Collection[str]
                     ) -> dict[str, dict[str, Any]]:
    """Who these agents are now (role, agency, the topics they answer, active or not), by
    username; a username with no account is missing."""
    if not usernames:
        return {}
    agents = session.scalars(select(Agent).where(Agent.username.in_(sorted(usernames))).options(
        selectinload(Agent.tiers).selectinload(Tier.topic),
        selectinload(Agent.agency).selectinload(Agency.topics)))
    return {agent.username: _identity(agent) for agent in agents}


def _identity(agent: Agent) -> dict[str, Any]:
    topics = {t.topic.key for t in agent.tiers}
    if agent.agency is not None:
        topics |= {t.key for t in agent.agency.topics}
    return {"agent_id": agent.id, "username": agent.username, "full_name": agent.full_name,
            "role": agent.role, "agency_id": agent.agency_id, "active": agent.active,
            "password_hash": agent.password_hash, "topics": frozenset(topics)}


def accounts_fingerprint(session: Session) -> tuple[object, ...]:
    """A few aggregates that change whenever an account, a tier or an agency's topics do (the
    `callcenter agent` and `topic load` commands): polled every few seconds, and only on a
    change are the logged-in agents' accounts read again."""
    agents = session.execute(select(func.count(Agent.id), func.max(Agent.updated_at))).one()
    tiers = session.execute(select(func.count(Tier.id), func.max(Tier.id),
                                   func.coalesce(func.sum(Tier.topic_id), 0))).one()
    agencies = session.execute(select(
        func.count(), func.coalesce(func.sum(agency_topic.c.topic_id), 0),
        func.coalesce(func.sum(agency_topic.c.agency_id * agency_topic.c.topic_id), 0))).one()
    return (*agents, *tiers, *agencies)


def topics_payload(session: Session) -> list[dict[str, Any]]:
    return [{"key": t.key, "menu_key": t.menu_key, "name_vi": t.name_vi, "name_en": t.name_en,
             "short_vi": t.short_vi, "short_en": t.short_en, "queue": t.queue,
             "form_schema": t.form_schema, "rules": t.rules,
             "outcomes": t.outcomes, "acw_seconds": t.acw_seconds,
             "service_level_seconds": t.service_level_seconds}
            for t in session.scalars(select(Topic).where(Topic.active).order_by(Topic.menu_key))]


def agencies_payload(session: Session) -> list[dict[str, Any]]:
    """The agencies (a report is forwarded to one of them), by name."""
    return [{"id": a.id, "code": a.code, "name": a.name}
            for a in session.scalars(select(Agency).order_by(Agency.name))]


def units_payload(session: Session) -> list[dict[str, Any]]:
    units = session.scalars(select(AdminUnit).options(selectinload(AdminUnit.former))
                            .where(AdminUnit.kind != "province").order_by(AdminUnit.name))
    return [{"code": u.code, "name": u.name, "kind": u.kind,
             "former": [f.name for f in u.former]} for u in units]


def topic_keys(session: Session) -> dict[int, str]:
    """Topic id → key, without loading the topics' forms."""
    return {topic_id: key for topic_id, key in session.execute(select(Topic.id, Topic.key))}


def draft_key(agent_id: int, draft_id: str) -> str:
    """Drafts are the desktop's own ids (the call's uuid): unique per agent, not globally —
    a call transferred to a colleague is their draft too."""
    return f"{agent_id}:{draft_id}"


def case_payload(case: Case, topic_key: str) -> dict[str, Any]:
    return {"id": case.id, "code": case.code, "topic": topic_key, "status": case.status,
            "version": case.version, "caller_phone": case.caller_phone,
            "person_name": case.person_name, "form": case.form_data, "notes": case.notes,
            "outcome": case.outcome_code, "created_at": iso(case.created_at),
            "updated_at": iso(case.updated_at)}


def get_case(session: Session, case_id: int) -> dict[str, Any] | None:
    case = session.get(Case, case_id)
    if case is None:
        return None
    return case_payload(case, session.get_one(Topic, case.topic_id).key)


def save_case(session: Session, request: Any, agent_id: int,
              hooks: Sequence[CaseHook] = ()) -> dict[str, Any]:
    """Create or update (optimistic lock) a case; links the call it was taken on. `hooks`
    run in the same transaction, with the call's id (None: saved off a call)."""
    topic = session.scalar(select(Topic).where(Topic.key == request.topic))
    if topic is None:
        raise LookupError(f"no topic {request.topic}")
    fields = CaseFields(form=dict(request.form), status=request.status,
                        caller_phone=request.caller_phone, notes=request.notes,
                        assignee_id=agent_id if request.status != "closed" else None)
    key = draft_key(agent_id, request.draft_id) if request.draft_id else None
    earlier = session.scalar(select(Case).where(Case.draft_id == key)) \
        if key and request.case_id is None else None
    if earlier is not None and earlier.topic_id != topic.id:
        raise DataError(f"draft {request.draft_id} was saved as {earlier.code}, a case of "
                        "another topic")
    if earlier is not None:
        # The draft was saved already (a resend, or the daemon saved it when after-call work
        # ran out): the nurse's draft is the newer word, so it updates that case.
        case = update_case(session, earlier.code, earlier.version, fields, agent_id)
    elif request.case_id is None:
        case = create_case(session, topic, fields, agent_id)
        case.draft_id = key
    else:
        current = session.get(Case, request.case_id)
        if current is None:
            raise LookupError(f"no case {request.case_id}")
        case = update_case(session, current.code, request.version or 0, fields, agent_id)
    call_id = attach_case(session, request.call_uuid, case.id)
    for hook in hooks:
        hook(session, case, call_id, agent_id)
    session.flush()
    return case_payload(case, topic.key)


def attach_case(session: Session, call_uuid: str | None, case_id: int) -> int | None:
    """The call the case was taken on (its first case), and the callback it was dialled for;
    returns the call's id."""
    call = session.scalar(select(Call).where(Call.uuid == call_uuid)) if call_uuid else None
    if call is not None and call.case_id is None:
        call.case_id = case_id
        callbacks.link_case(session, call, case_id)
    return call.id if call is not None else None


def case_topic(session: Session, case_id: int) -> str | None:
    case = session.get(Case, case_id)
    return None if case is None else session.get_one(Topic, case.topic_id).key


def history(session: Session, phone: str | None, case_code: str | None,
            topics: frozenset[str] | None,
            declaration_topic: str | None) -> list[dict[str, Any]]:
    """A caller's cases, calls, callbacks and declarations, newest first, as the asker may see
    them: `topics` are the ones they answer (None: all) — other topics' cases, calls and
    callbacks are left out, and so is a call that never reached a topic — and declarations
    (health data) only to those who answer `declaration_topic`."""
    keys = topic_keys(session)
    if case_code:
        case = session.scalar(select(Case).where(Case.code == case_code.strip().upper()))
        if case is None or not _visible(keys.get(case.topic_id), topics):
            return []
        phone = case.caller_phone
    if not phone:
        return []
    topic_ids = None if topics is None else [i for i, k in keys.items() if k in topics]
    declarations = bool(declaration_topic) and _visible(declaration_topic, topics)
    found = caller_history(session, phone, limit=50, topic_ids=topic_ids,
                           declarations=declarations)
    case_ids = [item.id for item in found if item.kind == "case"]
    codes = dict(session.execute(select(Case.id, Case.code).where(Case.id.in_(case_ids))).all()
                 ) if case_ids else {}
    items = []
    for item in found:
        topic = keys.get(item.topic_id) if item.topic_id else None
        if item.kind != "declaration" and not _visible(topic, topics):
            continue  # the query left them out already: this is the second lock
        items.append({"kind": item.kind, "id": item.id, "topic": topic, "at": iso(item.at),
                      "status": item.status, "code": codes.get(item.id) if
                      item.kind == "case" else None,
                      "person_name": item.form.get("full_name"),
                      "outcome": item.form.get("outcome"),
                      "triage_level": item.form.get("triage_level"),
                      "summary": _summary(item.form)})
    return items


def _visible(topic: str | None, topics: frozenset[str] | None) -> bool:
    return topics is None or topic in topics


def _phone(raw: str) -> str:
    try:
        return normalise_phone(raw)
    except ValueError:
        return raw


def _summary(form: dict[str, Any]) -> str:
    parts = [str(form[k]) for k in ("full_name", "outcome", "triage_level") if form.get(k)]
    return " · ".join(parts)


def open_callbacks(session: Session, topics: frozenset[str] | None,
                   zone: tzinfo = UTC, limit: int = 200) -> list[dict[str, Any]]:
    query = select(Callback).where(Callback.state == "open").order_by(Callback.due_at)
    return _callbacks(session, query.limit(limit), topics, zone)


def changed_callbacks(session: Session, topics: frozenset[str] | None,
                      since: datetime, zone: tzinfo = UTC) -> list[dict[str, Any]]:
    """Callbacks of any state changed since `since` (for a `changed_only` push)."""
    query = select(Callback).where(Callback.updated_at >= since).order_by(Callback.id)
    return _callbacks(session, query.limit(1000), topics, zone)


def _callbacks(session: Session, query: Any, topics: frozenset[str] | None,
               zone: tzinfo) -> list[dict[str, Any]]:
    """The rows as the desktops list them: a declaration's callback with the declaration, a
    check-in with its episode's last readings and trend."""
    keys = topic_keys(session)
    if topics is not None:
        query = query.where(Callback.topic_id.in_([i for i, k in keys.items() if k in topics]))
    rows = list(session.scalars(query))
    declared = _declarations_of(session, [c.declaration_id for c in rows if c.declaration_id])
    holders = dict(session.execute(select(Agent.id, Agent.username).where(
        Agent.id.in_({c.assignee_id for c in rows if c.assignee_id}))).all())
    episodes = monitoring_views.for_callbacks(
        session, {c.episode_id for c in rows if c.episode_id}, datetime.now(UTC), zone)
    return [{"id": c.id, "phone": c.phone, "topic": keys.get(c.topic_id), "reason": c.reason,
             "state": c.state, "due_at": iso(c.due_at), "attempts": c.attempts,
             "note": c.note, "case_id": c.case_id, "last_result": c.last_result,
             "last_attempt_at": iso(c.last_attempt_at),
             "declaration": declared.get(c.declaration_id or 0),
             "episode": episodes.get(c.episode_id or 0),
             "holder": holders.get(c.assignee_id or 0) if c.state == "open" else None}
            for c in rows]


def _declarations_of(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """What a callback's row shows of its declaration: who, where, how urgent, what they
    declared (the danger signs, SpO2)."""
    if not ids:
        return {}
    rows = session.execute(select(Declaration, AdminUnit.name).outerjoin(
        AdminUnit, AdminUnit.code == Declaration.admin_unit_code).where(
        Declaration.id.in_(ids)))
    return {d.id: {"id": d.id, "receipt": d.receipt_code, "full_name": d.full_name,
                   "birth_year": d.birth_year, "level": d.triage_level, "unit": unit,
                   "received_at": iso(d.received_at), "source": d.source,
                   "red_flags": list(d.payload.get("red_flags") or []),
                   "spo2": d.payload.get("spo2")}
            for d, unit in rows}


def callback_for_dial(session: Session, callback_id: int) -> dict[str, Any] | None:
    callback = session.get(Callback, callback_id)
    if callback is None:
        return None
    return {"id": callback.id, "phone": callback.phone, "state": callback.state,
            "topic": session.get_one(Topic, callback.topic_id).key}


def screen_pop_data(session: Session, call_uuid: str, phone: str, topic_key: str | None,
                    visible: frozenset[str] | None, declaration_topic: str | None,
                    zone: tzinfo = UTC) -> dict[str, Any]:
    """What the agent sees when the call arrives: the caller's past (the cases of the topics
    they may see), a declaration (health data: only to those who answer its topic), the
    caller's home-treatment episode in the call's topic, and the draft case."""
    call_id = session.scalar(select(Call.id).where(Call.uuid == call_uuid))
    past = history(session, phone, None, visible, declaration_topic)
    declaration = None
    if declaration_topic and _visible(declaration_topic, visible):
        declaration = session.scalar(select(Declaration).where(
            Declaration.phone == _phone(phone)).order_by(Declaration.received_at.desc())
            .limit(1))
    open_case = None
    if topic_key:
        case = session.scalar(select(Case).join(Topic).where(
            Case.caller_phone == _phone(phone), Topic.key == topic_key,
            or_(Case.status == "open", Case.status == "follow_up")
        ).order_by(Case.updated_at.desc()).limit(1))
        open_case = case_payload(case, topic_key) if case is not None else None
    draft: dict[str, Any] = dict(open_case["form"]) if open_case else {}
    if declaration is not None:
        for key, value in (("full_name", declaration.full_name),
                           ("birth_year", declaration.birth_year), ("sex", declaration.sex),
                           ("admin_unit", declaration.admin_unit_code),
                           ("address_detail", declaration.address_detail),
                           ("positive_date", iso_date(declaration.positive_date)),
                           ("test_type", declaration.test_type)):
            if value is not None and key not in draft:
                draft[key] = value
    episode_id = monitoring_views.episode_of(session, phone=_phone(phone), topic_key=topic_key)
    episode = monitoring_views.for_callbacks(session, [episode_id], datetime.now(UTC), zone)\
        .get(episode_id) if episode_id else None
    return {"call_id": call_id, "history": past, "declaration": _declaration(declaration),
            "open_case": open_case, "draft": draft, "episode": episode}


def iso_date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _declaration(row: Declaration | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"id": row.id, "received_at": iso(row.received_at), "source": row.source,
            "full_name": row.full_name, "phone": row.phone, "birth_year": row.birth_year,
            "sex": row.sex, "admin_unit_code": row.admin_unit_code,
            "address_detail": row.address_detail, "positive_date": iso_date(row.positive_date),
            "test_type": row.test_type, "symptoms": row.symptoms, "case_id": row.case_id}


def newest_intake(session: Session) -> tuple[int, int]:
    """The ids of the newest declaration and the newest check-in (0: none yet): what the web
    process writes."""
    return (int(session.scalar(select(func.max(Declaration.id))) or 0),
            int(session.scalar(select(func.max(CheckIn.id))) or 0))
