"""One open callback per caller and topic, one rule in one place (db.callbacks.owe), used by
the recorder and after-call work alike: a callback being dialled is still open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db import callbacks
from db.engine import transaction
from db.models import Callback, Topic

PHONE = "+84912345678"


def _topic(session: Session, key: str) -> int:
    return session.scalar(select(Topic.id).where(Topic.key == key))


def test_a_second_callback_is_not_owed_while_one_is_open_or_dialling(
        seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        f0 = _topic(s, "f0_home_care")
        first = callbacks.owe(s, PHONE, f0, "abandoned", None)
        assert first is not None
        assert callbacks.owe(s, PHONE, f0, "follow_up", None) is None
        first.state = "dialing"
        s.flush()
        assert callbacks.owe(s, PHONE, f0, "follow_up", None) is None  # the index's rule
        other = callbacks.owe(s, PHONE, _topic(s, "public_services"), "requested", None)
        assert other is not None  # another topic: owed
        first.state = "done"
        s.flush()
        again = callbacks.owe(s, PHONE, f0, "follow_up", None, note="n")
        assert again is not None and again.note == "n"
    with seeded() as s:
        assert sorted(c.state for c in s.scalars(select(Callback))) == ["done", "open", "open"]


def test_a_callback_is_due_as_the_topic_says_not_overdue_when_owed(
        seeded: sessionmaker[Session]) -> None:
    """The shipped topics: the callback key's request within 15 minutes, an abandoned call
    within 30, a nurse's follow-up within 60 (rules.callbacks)."""
    now = datetime(2026, 3, 12, 2, 0, tzinfo=UTC)
    with transaction(seeded) as s:
        f0, services = _topic(s, "f0_home_care"), _topic(s, "public_services")
        asked = callbacks.owe(s, PHONE, f0, "requested", None, now=now)
        gone = callbacks.owe(s, "+84912000111", f0, "abandoned", None, now=now)
        promised = callbacks.owe(s, PHONE, services, "follow_up", None, now=now)
        assert asked and gone and promised
        assert [c.due_at - now for c in (asked, gone, promised)] == [
            timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=60)]
        assert asked.created_at == now


def test_a_reason_the_rules_do_not_know_is_refused() -> None:
    from rules.callbacks import check_callbacks

    assert check_callbacks({"callbacks": {"due_within_minutes": {"requestd": 5}}}) == [
        "callbacks: due_within_minutes: 'requestd' is not a reason a callback is owed for "
        "(requested, abandoned, follow_up)"]
    assert check_callbacks({"callbacks": {"due_within_minutes": {"requested": -1}}})
    assert check_callbacks({}) == []
