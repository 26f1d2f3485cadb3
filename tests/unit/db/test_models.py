"""Constraints the domain has, enforced by the database itself on both backends."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from db.engine import transaction
from db.models import Call, Callback, Topic


def _topic_id(session: Session) -> int:
    return session.scalars(select(Topic.id).where(Topic.key == "f0_home_care")).one()


def test_call_uuid_is_unique(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        s.add(Call(uuid="a1", caller_number="+84912345678"))
    with pytest.raises(IntegrityError), transaction(seeded) as s:
        s.add(Call(uuid="a1", caller_number="+84987654321"))


def test_call_result_must_be_known(seeded: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), transaction(seeded) as s:
        s.add(Call(uuid="a2", caller_number="+84912345678", result="lost"))


def test_one_open_callback_per_phone_and_topic(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        s.add(Callback(phone="+84987654321", topic_id=_topic_id(s), reason="abandoned"))
    with pytest.raises(IntegrityError), transaction(seeded) as s:
        s.add(Callback(phone="+84987654321", topic_id=_topic_id(s), reason="abandoned"))
    with transaction(seeded) as s:
        s.scalars(select(Callback)).one().state = "done"
    with transaction(seeded) as s:  # once the first is done, a new one may open
        s.add(Callback(phone="+84987654321", topic_id=_topic_id(s), reason="abandoned"))


def test_times_come_back_in_utc(seeded: sessionmaker[Session]) -> None:
    hanoi = timezone(timedelta(hours=7))
    with transaction(seeded) as s:
        s.add(Call(uuid="a3", caller_number="1", started_at=datetime(2026, 11, 25, 9, 0,
                                                                      tzinfo=hanoi)))
    with seeded() as s:
        started = s.scalars(select(Call.started_at)).one()
    assert started == datetime(2026, 11, 25, 2, 0, tzinfo=UTC) and started.tzinfo == UTC


def test_naive_time_is_refused(seeded: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError, match="naive datetime"), transaction(seeded) as s:
        s.add(Call(uuid="a4", caller_number="1", started_at=datetime(2026, 11, 25, 9, 0)))
