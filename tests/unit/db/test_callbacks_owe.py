"""One open callback per caller and topic, one rule in one place (db.callbacks.owe), used by
the recorder and after-call work alike: a callback being dialled is still open."""

from __future__ import annotations

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
