"""What the lead's board and the supervision read from the database, as plain data.

Every function takes a Session and runs in gevent's thread pool."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from callcenter.hub.store import iso, topics_payload
from callcenter.lead.board import Person
from callcenter.lead.tally import LegFacts
from db.models import (
    AdminUnit,
    Agency,
    Agent,
    AuditLog,
    Call,
    Callback,
    CallLeg,
    Case,
    Declaration,
    Episode,
    Tier,
    Topic,
    agency_topic,
)
from db.models.calls import OPEN_CALLBACK_STATES
from rules.declaration import DeclarationRules

# What an admin sees in the supervision log: the acts of leads on agents and calls.
SUPERVISION_ACTIONS = ("lead.listen", "lead.whisper", "lead.barge", "lead.supervise_end",
                       "lead.set_status", "lead.move_caller", "recording.play", "lead.denied")


def board_topics(session: Session) -> list[dict[str, Any]]:
    """The active topics as the hub sends them, each with the ids of the agencies that
    answer it."""
    agencies: dict[int, list[int]] = {}
    for agency_id, topic_id in session.execute(
            select(agency_topic.c.agency_id, agency_topic.c.topic_id)):
        agencies.setdefault(topic_id, []).append(agency_id)
    ids = dict(session.execute(select(Topic.key, Topic.id)).all())
    return [{**t, "agencies": sorted(agencies.get(ids[t["key"]], []))}
            for t in topics_payload(session)]


def board_people(session: Session) -> list[Person]:
    """Every active account that answers queue calls (a lead too, if they are on a queue),
    with their agency and topics."""
    agents = session.scalars(select(Agent).where(Agent.active).order_by(Agent.username).options(
        selectinload(Agent.tiers).selectinload(Tier.topic),
        selectinload(Agent.agency).selectinload(Agency.topics)))
    people = []
    for agent in agents:
        if agent.role in ("lead", "admin") and not agent.tiers:
            continue  # a lead who takes no queue calls is not one of the agents on the board
        topics = {t.topic.key for t in agent.tiers}
        if agent.agency is not None:
            topics |= {t.key for t in agent.agency.topics}
        people.append(Person(agent.username, agent.full_name, agent.role, agent.agency_id,
                             agent.agency.code if agent.agency else "", frozenset(topics)))
    return people


def callback_counts(session: Session, now: datetime) -> dict[str, tuple[int, int]]:
    """Per topic: callbacks owed (open or being dialled) and, of those, overdue."""
    rows = session.execute(
        select(Topic.key, func.count(Callback.id),
               func.sum(case((Callback.due_at < now, 1), else_=0)))
        .join(Topic, Topic.id == Callback.topic_id)
        .where(Callback.state.in_(OPEN_CALLBACK_STATES)).group_by(Topic.key))
    return {key: (int(owed), int(overdue or 0)) for key, owed, overdue in rows}


def legs_between(session: Session, start: datetime, end: datetime) -> list[LegFacts]:
    """The queue legs that joined a queue in [start, end), for the tally."""
    rows = session.execute(
        select(CallLeg.member_uuid, Topic.key, CallLeg.queued_at, CallLeg.answered_at,
               CallLeg.ended_at, CallLeg.cause)
        .join(Topic, Topic.id == CallLeg.topic_id)
        .where(CallLeg.queued_at >= start, CallLeg.queued_at < end))
    return [LegFacts(member, key, _us(queued) or 0, _us(answered), _us(ended), cause)
            for member, key, queued, answered, ended, cause in rows]


def _us(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1_000_000)


def lead_phone(session: Session, agent_id: int, domain: str) -> str | None:
    """The dial string of the lead's own phone (their account's contact or extension)."""
    agent = session.get(Agent, agent_id)
    return agent.dial_string(domain) if agent is not None else None


def recording_of(session: Session, call_id: int) -> dict[str, Any] | None:
    """A call's recording path, its topic and who took it (every leg's agent)."""
    call = session.get(Call, call_id)
    if call is None:
        return None
    agents = set(session.scalars(select(CallLeg.agent_id).where(CallLeg.call_id == call_id)))
    agents.add(call.agent_id)
    topic = session.get(Topic, call.topic_id) if call.topic_id else None
    return {"path": call.recording_path, "topic": topic.key if topic else None,
            "agents": {a for a in agents if a is not None}, "uuid": call.uuid}


def supervision_log(session: Session, limit: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(AuditLog).where(AuditLog.action.in_(SUPERVISION_ACTIONS))
                           .order_by(AuditLog.id.desc()).limit(limit))
    return [{"at": r.at.isoformat(), "actor": r.actor, "action": r.action, "target": r.target,
             "detail": r.detail} for r in rows]


def urgent_declarations(session: Session) -> dict[str, dict[str, Any]]:
    """Declarations at one of their topic's alert levels whose callback is still owed, by
    callback id: what the leads must see called now (no name: the nurse has it)."""
    alerting = {t.id: (t.key, rules.alert_levels) for t in session.scalars(select(Topic))
                if (rules := DeclarationRules.of(t.rules)) is not None and rules.alert_levels}
    levels = {level for _, wanted in alerting.values() for level in wanted}
    if not levels:
        return {}
    rows = session.execute(
        select(Callback, Declaration, AdminUnit.name)
        .join(Declaration, Declaration.id == Callback.declaration_id)
        .outerjoin(AdminUnit, AdminUnit.code == Declaration.admin_unit_code)
        .where(Callback.state.in_(OPEN_CALLBACK_STATES),
               Declaration.triage_level.in_(levels)))
    names = dict(session.execute(select(Agent.id, Agent.full_name)).all())
    urgent = {}
    for callback, declaration, unit in rows:
        topic, wanted = alerting.get(callback.topic_id, ("", ()))
        if declaration.triage_level not in wanted:
            continue
        urgent[str(callback.id)] = {
            "callback_id": callback.id, "topic": topic, "phone": callback.phone,
            "receipt": declaration.receipt_code, "level": declaration.triage_level,
            "birth_year": declaration.birth_year, "unit": unit,
            "received_at": declaration.received_at.isoformat(),
            "due_at": callback.due_at.isoformat(), "state": callback.state,
            "attempts": callback.attempts,
            "dialling": names.get(callback.assignee_id or 0) if callback.state == "dialing"
            else None}
    return urgent


def urgent_check_ins(session: Session) -> dict[str, dict[str, Any]]:
    """Home-treatment patients whose last check-in alerted (worse, or at an alert level) and
    whose next check-in is owed, by callback id, in the urgent declarations' shape (the case
    code for the receipt, the alert's time for the received one) with the trend's reasons."""
    rows = session.execute(
        select(Callback, Episode, Topic.key, AdminUnit.name, Case.code)
        .join(Episode, Episode.id == Callback.episode_id)
        .join(Topic, Topic.id == Episode.topic_id)
        .outerjoin(AdminUnit, AdminUnit.code == Episode.admin_unit_code)
        .outerjoin(Case, Case.id == Episode.case_id)
        .where(Callback.state.in_(OPEN_CALLBACK_STATES), Episode.state == "active",
               Episode.alert_at.is_not(None)))
    names = dict(session.execute(select(Agent.id, Agent.full_name)).all())
    return {str(callback.id): {
        "callback_id": callback.id, "kind": "check_in", "episode_id": episode.id,
        "topic": topic, "phone": callback.phone, "receipt": code, "level": episode.level,
        "reasons": list(episode.reasons or []), "birth_year": episode.birth_year,
        "unit": unit, "received_at": iso(episode.alert_at),
        "due_at": callback.due_at.isoformat(), "state": callback.state,
        "attempts": callback.attempts,
        "dialling": names.get(callback.assignee_id or 0) if callback.state == "dialing"
        else None} for callback, episode, topic, unit, code in rows}
