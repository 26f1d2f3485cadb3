"""Declarations received from the public (web form, portal API): checked against the topic's
declaration schema, stored with their raw payload, attached to the same person's earlier one,
triaged, and turned into a nurse's callback due by the triage level. A resend with the same
Idempotency-Key finds the first; the person looks theirs up with the receipt code and phone."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from db import intake_statements as statements
from db.errors import DataError
from db.models import AdminUnit, Callback, Declaration, Topic
from rules.declaration import (
    DeclarationRules,
    FieldError,
    declaration_schema,
    person_key,
    plausibility_errors,
    schema_errors,
)
from rules.phone import callable_phone
from rules.triage import triage

# Receipt codes: "KB" and 8 characters of Crockford's base 32 (no I, L, O, U: nothing to
# misread on a phone's screen or over the phone), 40 random bits.
RECEIPT_PREFIX = "KB"
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class NoDeclarations(DataError):
    """The topic does not take declarations (or does not exist)."""


class IdempotencyConflict(DataError):
    """The Idempotency-Key was used before for a different declaration."""


@dataclass(frozen=True)
class Form:
    """A topic's declaration form, as the web form and the API use it."""

    topic_id: int
    topic_key: str
    rules: DeclarationRules
    schema: dict[str, Any]  # the declaration's JSON Schema
    triage_rules: dict[str, Any]
    form_schema: dict[str, Any]  # the whole case form (labels of the red flags)


@dataclass(frozen=True)
class Received:
    """What the sender is told: the receipt, and what happens next."""

    receipt_code: str
    declaration_id: int
    triage_level: str | None
    due_at: datetime
    escalate: bool  # a danger sign: the person is told to call 115 now
    repeated: bool = False  # a resend with the same Idempotency-Key: nothing new stored
    first_id: int | None = None  # attached to this earlier declaration of the same person


@dataclass(frozen=True)
class Status:
    """Where a declaration stands, as its sender may see it: received, will_call (a nurse
    will call by `due_at`), calling_now, retry (tried, will try again by `due_at`), called,
    not_reached, closed."""

    state: str
    received_at: datetime
    due_at: datetime | None


def declaration_form(session: Session, topic_key: str) -> Form:
    topic = session.scalar(select(Topic).where(Topic.key == topic_key, Topic.active))
    rules = DeclarationRules.of(topic.rules) if topic is not None else None
    if topic is None or rules is None:
        raise NoDeclarations(f"topic {topic_key!r} takes no declarations")
    return Form(topic.id, topic.key, rules, declaration_schema(topic.form_schema, rules),
                topic.rules.get("triage", {}), topic.form_schema)


def declaration_topics(session: Session) -> list[Topic]:
    """The active topics that take declarations, by menu key."""
    topics = session.scalars(select(Topic).where(Topic.active).order_by(Topic.menu_key)).all()
    return [t for t in topics if DeclarationRules.of(t.rules) is not None]


def problems(session: Session, form: Form, data: Any, today: date,
             units: Collection[str] | None = None) -> list[FieldError]:
    """Everything wrong with `data`, field by field: the schema, then what the schema cannot
    say (a phone that cannot be called, a unit that does not exist — among `units`, the codes
    the caller has at hand, else in the database —, a date in the future)."""
    errors = schema_errors(form.schema, data)
    if not isinstance(data, dict):
        return errors
    bad = {e.field for e in errors}
    phone = data.get("phone")
    if isinstance(phone, str) and "phone" not in bad and callable_phone(phone) is None:
        errors.append(FieldError("phone", "phone", "not a Vietnamese phone number"))
    unit = data.get("admin_unit")
    if isinstance(unit, str) and "admin_unit" not in bad and (
            unit not in units if units is not None else session.get(AdminUnit, unit) is None):
        errors.append(FieldError("admin_unit", "admin_unit", f"no unit {unit}"))
    errors += [e for e in plausibility_errors(data, form.schema, today) if e.field not in bad]
    return errors


def receive(session: Session, form: Form, data: dict[str, Any], *, source: str,
            now: datetime, today: date, idempotency_key: str | None = None,
            client: str | None = None) -> Received:
    """Store a declaration `problems` found nothing wrong with, and owe its callback.

    The caller commits, and runs it again if the commit or a statement fails on a unique key:
    two sends of one Idempotency-Key at once (the second then finds the first), or a receipt
    code drawn twice. Statements built once (db/intake_statements.py), no savepoints: this is
    the intake's hot path."""
    digest = _digest(data)
    if idempotency_key:
        earlier = session.scalar(select(Declaration).where(
            Declaration.source == source, Declaration.idempotency_key == idempotency_key))
        if earlier is not None:
            return _repeat(session, form, earlier, digest, today)
    phone = callable_phone(str(data["phone"]))
    if phone is None:
        raise DataError("the phone number cannot be called")
    found = triage(form.triage_rules, data, schema=form.form_schema, today=today)
    key = person_key(phone, str(data.get("full_name", "")), data.get("birth_year"))
    receipt = _new_receipt()
    declaration_id, first_id = session.execute(statements.INSERT_DECLARATION, {
        "received_at": now, "source": source, "topic_id": form.topic_id,
        "receipt_code": receipt, "idempotency_key": idempotency_key or None,
        "payload_sha256": digest, "phone": phone, "full_name": str(data.get("full_name", "")),
        "birth_year": data.get("birth_year"), "sex": data.get("sex"),
        "admin_unit_code": data.get("admin_unit"), "address_detail": data.get("address_detail"),
        "positive_date": _date(data.get("positive_date")), "test_type": data.get("test_type"),
        "symptoms": ", ".join(data.get("symptoms") or []) or None,
        "triage_level": found.level, "person_key": key, "payload": data,
        "window_start": now - timedelta(days=form.rules.same_person_days)}).one()
    due = form.rules.due(now, found.level)
    session.execute(statements.OWE_CALLBACK[session.get_bind().dialect.name], {
        "phone": phone, "topic_id": form.topic_id, "due_at": due,
        "declaration_id": declaration_id, "now": now})
    session.execute(statements.INSERT_AUDIT, {
        "at": now, "actor": f"source:{source}", "action": "declaration_received",
        "target": receipt, "client": client, "detail": {
            "declaration_id": declaration_id, "topic": form.topic_key,
            "triage_level": found.level, "first_id": first_id,
            "idempotency_key": idempotency_key}})
    return Received(_shown(receipt), declaration_id, found.level, due, found.escalate,
                    first_id=first_id)


def status(session: Session, receipt_code: str, phone: str) -> Status | None:
    """The declaration with this receipt code, if `phone` is its phone; else None (the same
    answer for a wrong code and a wrong phone: a code alone tells a stranger nothing)."""
    code = normalise_receipt(receipt_code)
    caller = callable_phone(phone)
    row = session.scalar(select(Declaration).where(Declaration.receipt_code == code)) \
        if code else None
    if row is None or caller is None or row.phone != caller:
        return None
    # its own callback, or a later one of the caller's — not a home-treatment check-in (the
    # plan's calls after the first: the check-in page tells the next one)
    callback = session.scalar(select(Callback).where(
        Callback.phone == row.phone, Callback.topic_id == row.topic_id,
        or_(Callback.declaration_id == row.id, and_(
            Callback.updated_at >= row.received_at, Callback.episode_id.is_(None))))
        .order_by(Callback.id.desc()).limit(1))
    if callback is None:
        return Status("received", row.received_at, None)
    if callback.state == "dialing":
        return Status("calling_now", row.received_at, None)
    if callback.state == "open":
        state = "will_call" if callback.attempts == 0 else "retry"
        return Status(state, row.received_at, callback.due_at)
    named = {"done": "called", "failed": "not_reached"}
    return Status(named.get(callback.state, "closed"), row.received_at, None)


def normalise_receipt(text: str) -> str | None:
    """'kb-7k3m-9q2p', 'KB 7K3M 9Q2P' → 'KB7K3M9Q2P'; O read as 0, I and L as 1."""
    raw = "".join(c for c in text.upper() if c.isalnum())
    body = raw[len(RECEIPT_PREFIX):] if raw.startswith(RECEIPT_PREFIX) else raw
    body = body.translate(str.maketrans("OIL", "011"))
    if len(body) != 8 or any(c not in _RECEIPT_ALPHABET for c in body):
        return None
    return RECEIPT_PREFIX + body


def _shown(code: str | None) -> str:
    """KB7K3M9Q2P → KB-7K3M-9Q2P."""
    code = code or ""
    return f"{code[:2]}-{code[2:6]}-{code[6:]}"


def _new_receipt() -> str:
    """40 random bits: a collision fails the insert on the unique code, and the caller's
    second run draws another."""
    return RECEIPT_PREFIX + "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(8))


def _repeat(session: Session, form: Form, earlier: Declaration, digest: str,
            today: date) -> Received:
    if earlier.payload_sha256 != digest:
        raise IdempotencyConflict("this Idempotency-Key was used for another declaration")
    callback = session.scalar(select(Callback).where(Callback.declaration_id == earlier.id)
                              .order_by(Callback.id.desc()).limit(1))
    due = callback.due_at if callback is not None else earlier.received_at
    found = triage(form.triage_rules, earlier.payload, schema=form.form_schema, today=today)
    return Received(_shown(earlier.receipt_code), earlier.id, earlier.triage_level, due,
                    found.escalate, repeated=True, first_id=earlier.first_id)


def _digest(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None
