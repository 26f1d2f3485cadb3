"""Who is calling: the caller's open cases, recent calls, open callbacks and declarations, in
one indexed query (the screen-pop, the desktop's history search and the IVR's priority rule
read it). A person's view of it is narrowed in the query itself (`topic_ids`,
`declarations`), so the limit counts only what they may see."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from db.models import Call, Callback, Case, Declaration
from rules.phone import normalise_phone


@dataclass(frozen=True)
class HistoryItem:
    kind: str  # case | call | callback | declaration
    id: int
    topic_id: int | None
    at: datetime | None
    status: str | None
    form: dict[str, Any] = field(default_factory=dict)


def caller_history(session: Session, raw_phone: str, limit: int = 20,
                   topic_ids: Collection[int] | None = None,
                   declarations: bool = True) -> list[HistoryItem]:
    """Newest first. One UNION ALL over the four phone indexes. With `topic_ids`, only the
    cases, calls and callbacks of those topics (not one with no topic); declarations only
    with `declarations`."""
    try:
        phone = normalise_phone(raw_phone)
    except ValueError:
        return []
    cases = select(literal("case").label("kind"), Case.id, Case.topic_id,
                   Case.updated_at.label("at"), Case.status.label("status"),
                   cast(Case.form_data, Text).label("form")).where(Case.caller_phone == phone)
    calls = select(literal("call"), Call.id, Call.topic_id, Call.started_at, Call.result,
                   cast(null(), Text)).where(Call.caller_number == phone)
    callbacks = select(literal("callback"), Callback.id, Callback.topic_id, Callback.due_at,
                       Callback.state, cast(null(), Text)).where(Callback.phone == phone)
    if topic_ids is not None:
        allowed = sorted(topic_ids)
        cases = cases.where(Case.topic_id.in_(allowed))
        calls = calls.where(Call.topic_id.in_(allowed))
        callbacks = callbacks.where(Callback.topic_id.in_(allowed))
    parts = [cases, calls, callbacks]
    if declarations:
        parts.append(select(literal("declaration"), Declaration.id, literal(None),
                            Declaration.received_at, literal(None),
                            cast(null(), Text)).where(Declaration.phone == phone))
    query = union_all(*parts).subquery()
    rows = session.execute(select(query).order_by(query.c.at.desc()).limit(limit))
    return [HistoryItem(r.kind, r.id, r.topic_id, _aware(r.at), r.status,
                        json.loads(r.form) if r.form else {}) for r in rows]


def _aware(value: datetime | str | None) -> datetime | None:
    from datetime import UTC

    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back text through a UNION
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
