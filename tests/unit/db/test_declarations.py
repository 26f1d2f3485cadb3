"""Declarations (db.declarations) on SQLite and PostgreSQL: field errors, storage with the raw
payload, the same person attached, triage and the callback's due time, idempotent resends, and
the status the sender looks up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db import declarations
from db.engine import transaction
from db.models import AuditLog, Callback, Declaration

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
TODAY = date(2026, 12, 3)


def _data(**changes: Any) -> dict[str, Any]:
    data = {"full_name": "Nguyễn Thị Hoa", "birth_year": 1980, "sex": "female",
            "phone": "0912 345 678", "admin_unit": "32167", "positive_date": "2026-12-01",
            "test_type": "rapid_antigen", "symptoms": ["fever", "cough"]}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _receive(sessions: sessionmaker[Session], data: dict[str, Any], now: datetime = NOW,
             **kw: Any) -> declarations.Received:
    with transaction(sessions) as s:
        form = declarations.declaration_form(s, "f0_home_care")
        assert declarations.problems(s, form, data, TODAY) == []
        return declarations.receive(s, form, data, source=kw.pop("source", "web"), now=now,
                                    today=TODAY, **kw)


def _codes(sessions: sessionmaker[Session], data: Any) -> dict[str, str]:
    with sessions() as s:
        form = declarations.declaration_form(s, "f0_home_care")
        return {e.field: e.code for e in declarations.problems(s, form, data, TODAY)}


def test_each_field_error_is_named(seeded: sessionmaker[Session]) -> None:
    assert _codes(seeded, {}) == {"full_name": "required", "birth_year": "required",
                                  "phone": "required", "admin_unit": "required",
                                  "positive_date": "required"}
    assert _codes(seeded, _data(full_name="", birth_year=1850, sex="x", phone="12345",
                                admin_unit="99999", positive_date="2026-12-31",
                                symptoms=["fever", "sneezing"], spo2=101, nurse_notes="x")) == {
        "full_name": "too_short", "birth_year": "too_small", "sex": "choice",
        "phone": "phone", "admin_unit": "admin_unit", "positive_date": "future_date",
        "symptoms": "choice", "spo2": "too_large", "nurse_notes": "unknown_field"}
    assert _codes(seeded, _data(birth_year="1980", positive_date="3/12/2026")) == {
        "birth_year": "type", "positive_date": "format"}
    assert _codes(seeded, _data(birth_year=2027)) == {"birth_year": "too_large"}
    assert _codes(seeded, ["not", "an", "object"]) == {"": "type"}
    assert _codes(seeded, _data()) == {}


def test_a_declaration_is_stored_triaged_and_owes_a_callback_due_by_its_level(
        seeded: sessionmaker[Session]) -> None:
    green = _receive(seeded, _data(), client="203.0.113.9")
    red = _receive(seeded, _data(phone="0987 654 321", full_name="Trần Văn Nam",
                                 red_flags=["dyspnoea", "cyanosis"], spo2=92))
    yellow = _receive(seeded, _data(phone="0977 000 111", full_name="Lê Văn Ba",
                                    birth_year=1950))
    assert (green.triage_level, green.escalate) == ("green", False)
    assert (red.triage_level, red.escalate) == ("red", True)
    assert green.due_at == NOW + timedelta(days=1)
    assert red.due_at == NOW + timedelta(minutes=5)  # due soon, not overdue when owed
    assert yellow.due_at == NOW + timedelta(hours=2)
    assert green.receipt_code[:3] == "KB-" and len(green.receipt_code) == 12
    with seeded() as s:
        row = s.scalar(select(Declaration).where(Declaration.id == green.declaration_id))
        assert row is not None
        assert (row.phone, row.full_name, row.symptoms) == ("+84912345678", "Nguyễn Thị Hoa",
                                                            "fever, cough")
        assert row.payload == _data()  # as received: the phone as typed
        callback = s.scalar(select(Callback).where(Callback.declaration_id == row.id))
        assert callback is not None
        assert (callback.reason, callback.state, callback.due_at) == (
            "declaration", "open", NOW + timedelta(days=1))
        entry = s.scalar(select(AuditLog).where(AuditLog.target == row.receipt_code))
        assert entry is not None and entry.action == "declaration_received"
        assert (entry.actor, entry.client) == ("source:web", "203.0.113.9")


def test_the_same_person_is_attached_and_their_open_callback_brought_forward(
        seeded: sessionmaker[Session]) -> None:
    first = _receive(seeded, _data())
    # Two hours later, worse: the same phone, name (other case and spacing) and birth year.
    later = _receive(seeded, _data(full_name="nguyễn  thị HOA", red_flags=["dyspnoea"]),
                     now=NOW + timedelta(hours=2))
    other = _receive(seeded, _data(full_name="Nguyễn Văn Bình", birth_year=2012),
                     now=NOW + timedelta(hours=3))
    assert later.first_id == first.declaration_id
    assert other.first_id is None  # the same phone, another person (a child)
    with seeded() as s:
        rows = s.scalars(select(Callback)).all()
        assert len(rows) == 1  # one open callback per phone and topic
        assert rows[0].declaration_id == other.declaration_id
        assert rows[0].due_at == NOW + timedelta(hours=2, minutes=15)  # orange: 15 min
    beyond = _receive(seeded, _data(), now=NOW + timedelta(days=15))
    assert beyond.first_id is None  # past the 14-day window: a new episode


def test_a_resend_with_the_same_key_stores_nothing_new(
        seeded: sessionmaker[Session]) -> None:
    sent = _receive(seeded, _data(), source="portal", idempotency_key="abc-1")
    again = _receive(seeded, _data(), source="portal", idempotency_key="abc-1")
    assert again.repeated and again.receipt_code == sent.receipt_code
    assert again.due_at == sent.due_at
    other_source = _receive(seeded, _data(), source="web", idempotency_key="abc-1")
    assert not other_source.repeated  # keys are each source's own
    with pytest.raises(declarations.IdempotencyConflict):
        _receive(seeded, _data(spo2=95), source="portal", idempotency_key="abc-1")
    with seeded() as s:
        assert len(s.scalars(select(Declaration)).all()) == 2


def test_the_sender_sees_where_their_declaration_stands(
        seeded: sessionmaker[Session]) -> None:
    sent = _receive(seeded, _data())
    code = sent.receipt_code.lower().replace("-", " ")

    def state(phone: str = "+84912345678", receipt: str = code) -> str | None:
        with seeded() as s:
            found = declarations.status(s, receipt, phone)
            return None if found is None else found.state

    assert state() == "will_call"
    assert state(phone="0912345679") is None  # a wrong phone: as if no such code
    assert state(receipt="KB-0000-0000") is None
    assert state(receipt="nonsense") is None
    with transaction(seeded) as s:
        callback = s.scalars(select(Callback)).one()
        callback.attempts, callback.due_at = 1, NOW + timedelta(minutes=15)
    assert state() == "retry"
    with transaction(seeded) as s:
        s.scalars(select(Callback)).one().state = "dialing"
    assert state() == "calling_now"
    with transaction(seeded) as s:
        s.scalars(select(Callback)).one().state = "done"
    assert state() == "called"


def test_receipt_codes_are_read_as_people_type_them() -> None:
    assert declarations.normalise_receipt("kb-7k3m-9q2p") == "KB7K3M9Q2P"
    assert declarations.normalise_receipt("KB 7K3M 9QZP") == "KB7K3M9QZP"
    assert declarations.normalise_receipt("7K3M9O2L") == "KB7K3M9021"  # O→0, L→1
    assert declarations.normalise_receipt("KB-7K3M-9Q2") is None
    assert declarations.normalise_receipt("KB-7K3M-9Q2U") is None  # U is not in the alphabet


def test_many_declarations_of_one_phone_on_one_connection_attach_to_one_callback(
        seeded: sessionmaker[Session]) -> None:
    """psycopg prepares a statement run five times on one connection, and PostgreSQL plans a
    prepared one generically after five more: the callback's upsert must still find its
    index (its predicate written out, not bound)."""
    with transaction(seeded) as s:
        form = declarations.declaration_form(s, "f0_home_care")
        for n in range(16):
            declarations.receive(s, form, _data(full_name=f"Người {n}"), source="web",
                                 now=NOW + timedelta(minutes=n), today=TODAY)
    with seeded() as s:
        assert len(s.scalars(select(Declaration)).all()) == 16
        assert len(s.scalars(select(Callback)).all()) == 1
