"""Cases: readable codes, validation against the topic's form, optimistic locking, and a
case_change row for every field that changes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.errors import DataError, NotFound, StaleCaseError
from db.models import Case, CaseChange, CaseCounter, Topic, utcnow
from db.models.cases import CASE_STATUSES
from rules.forms import validate_form
from rules.phone import normalise_phone


def next_case_code(session: Session, topic: Topic, year: int) -> str:
    """The next code of the topic's year, e.g. F0-2026-000123.

    The counter row is created if missing and incremented with UPDATE … RETURNING, whose row
    lock makes concurrent saves wait for each other instead of taking the same number.  A
    transaction that rolls back leaves a gap, which is fine: codes are unique, not dense.
    """
    dialect = session.get_bind().dialect.name
    values = {"topic_id": topic.id, "year": year, "last_number": 0}
    if dialect == "postgresql":
        session.execute(pg_insert(CaseCounter).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite_insert(CaseCounter).values(values).on_conflict_do_nothing())
    else:
        raise DataError(f"case codes are not supported on {dialect}")
    number = session.execute(
        update(CaseCounter)
        .where(CaseCounter.topic_id == topic.id, CaseCounter.year == year)
        .values(last_number=CaseCounter.last_number + 1)
        .returning(CaseCounter.last_number)
    ).scalar_one()
    return f"{topic.code_prefix}-{year}-{number:06d}"


@dataclass
class CaseFields:
    """What an agent can set on a case; `form` is checked against the topic's schema."""

    form: dict[str, Any] = field(default_factory=dict)
    status: str = "open"
    caller_phone: str | None = None
    person_name: str | None = None
    admin_unit_code: str | None = None
    address_detail: str | None = None
    notes: str | None = None
    assignee_id: int | None = None

    def column_values(self) -> dict[str, Any]:
        if self.status not in CASE_STATUSES:
            raise DataError(f"status {self.status!r} is not one of {', '.join(CASE_STATUSES)}")
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "form"}
        if values["caller_phone"]:
            values["caller_phone"] = normalise_phone(values["caller_phone"])
        values["person_name"] = values["person_name"] or self.form.get("full_name")
        values["admin_unit_code"] = values["admin_unit_code"] or self.form.get("admin_unit")
        values["form_data"] = self.form
        values["outcome_code"] = self.form.get("outcome")
        return values


def create_case(session: Session, topic: Topic, fields_: CaseFields, agent_id: int | None,
                now: datetime | None = None) -> Case:
    now = now or utcnow()
    validate_form(topic.form_schema, fields_.form)
    values = fields_.column_values()
    case = Case(code=next_case_code(session, topic, now.year), topic_id=topic.id,
                created_by_id=agent_id, created_at=now, updated_at=now, **values)
    if case.status == "closed":
        case.closed_at = now
    session.add(case)
    session.flush()
    _record_changes(session, case, {}, values, agent_id, now, version=case.version)
    return case


def update_case(session: Session, code: str, expected_version: int, fields_: CaseFields,
                agent_id: int | None, now: datetime | None = None) -> Case:
    """Save an edit made on `expected_version`; refuses if anyone saved in between."""
    now = now or utcnow()
    case = session.scalar(select(Case).where(Case.code == code))
    if case is None:
        raise NotFound(f"no case {code}")
    if case.version != expected_version:
        raise StaleCaseError(code, expected_version, case.version)
    topic = session.get_one(Topic, case.topic_id)
    validate_form(topic.form_schema, fields_.form)
    new = fields_.column_values()
    old = {name: getattr(case, name) for name in new}
    if old == new:
        return case
    for name, value in new.items():
        setattr(case, name, value)
    if case.status == "closed" and old["status"] != "closed":
        case.closed_at = now
    case.updated_at = now
    try:
        session.flush()  # the version check in the UPDATE catches a save that raced us
    except StaleDataError as exc:
        raise StaleCaseError(code, expected_version, None) from exc
    _record_changes(session, case, old, new, agent_id, now, version=case.version)
    return case


def _record_changes(session: Session, case: Case, old: dict[str, Any], new: dict[str, Any],
                    agent_id: int | None, now: datetime, version: int) -> None:
    rows = []
    for name, value in new.items():
        if name == "form_data":
            before, after = old.get(name) or {}, value or {}
            for key in sorted(set(before) | set(after)):
                if before.get(key) != after.get(key):
                    rows.append((f"form.{key}", before.get(key), after.get(key)))
        elif old.get(name) != value:
            rows.append((name, old.get(name), value))
    if rows:
        session.execute(insert(CaseChange), [
            {"case_id": case.id, "agent_id": agent_id, "changed_at": now, "version": version,
             "field": name, "old_value": _dump(before), "new_value": _dump(after)}
            for name, before, after in rows])


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
