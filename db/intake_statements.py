"""The statements a declaration's store runs, built once: executed with parameters, each is a
hit in SQLAlchemy's compiled cache with nothing made per request (building a statement and its
cache key costs more than running it, at hundreds of declarations a second)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, case, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from db.models import AuditLog, Callback, Declaration
from db.models.calls import OPEN_CALLBACK_PREDICATE

DECLARATION_COLUMNS = (
    "received_at", "source", "topic_id", "receipt_code", "idempotency_key", "payload_sha256",
    "phone", "full_name", "birth_year", "sex", "admin_unit_code", "address_detail",
    "positive_date", "test_type", "symptoms", "triage_level", "person_key", "payload")

# The same person's first declaration in the window (since `window_start`), found by the
# INSERT itself.
_FIRST = select(func.coalesce(Declaration.first_id, Declaration.id)).where(
    Declaration.person_key == bindparam("person_key"),
    Declaration.topic_id == bindparam("topic_id"),
    Declaration.received_at >= bindparam("window_start", type_=Declaration.received_at.type)
).order_by(Declaration.received_at).limit(1).scalar_subquery()

INSERT_DECLARATION = insert(Declaration).values(
    {name: bindparam(name, type_=Declaration.__table__.c[name].type)
     for name in DECLARATION_COLUMNS} | {"first_id": _FIRST}
).returning(Declaration.id, Declaration.first_id)

INSERT_AUDIT = insert(AuditLog)


def _owe_callback(dialect_insert: Any) -> Any:
    """A new open callback, or the caller's open one on the topic pointed at this declaration
    and brought forward: one upsert on the one-open-callback index (its predicate written
    out as the index has it: PostgreSQL cannot infer the index from bound parameters, which a
    prepared statement's generic plan has)."""
    statement = dialect_insert(Callback).values(
        phone=bindparam("phone"), topic_id=bindparam("topic_id"), reason="declaration",
        state="open", due_at=bindparam("due_at", type_=Callback.due_at.type), attempts=0,
        declaration_id=bindparam("declaration_id"),
        created_at=bindparam("now", type_=Callback.created_at.type),
        updated_at=bindparam("now", type_=Callback.updated_at.type))
    return statement.on_conflict_do_update(
        index_elements=[Callback.phone, Callback.topic_id],
        index_where=text(OPEN_CALLBACK_PREDICATE),
        set_={"declaration_id": statement.excluded.declaration_id,
              "updated_at": statement.excluded.updated_at,  # pushed to the desktops
              "due_at": case((statement.excluded.due_at < Callback.due_at,
                              statement.excluded.due_at), else_=Callback.due_at)})


OWE_CALLBACK = {"postgresql": _owe_callback(pg_insert), "sqlite": _owe_callback(sqlite_insert)}
