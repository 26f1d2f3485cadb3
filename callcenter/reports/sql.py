"""The few expressions that differ between PostgreSQL and SQLite: a time as seconds since the
epoch (for time buckets and durations)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, cast, func
from sqlalchemy.orm import Session


def epoch(session: Session, column: Any) -> Any:
    """`column` (a UTC timestamp) as seconds since the epoch, a float."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", column)
    # SQLite keeps the UTC time as text: whole seconds, plus the milliseconds of "%f" (SS.SSS)
    # — julianday's float would be off by microseconds
    return cast(func.strftime("%s", column), Integer) + (
        cast(func.strftime("%f", column), Float) - cast(func.strftime("%S", column), Integer))


def bucket(session: Session, column: Any, seconds: int) -> Any:
    """The number of the `seconds`-long bucket `column` falls in (epoch ÷ seconds, floored:
    times after 1970 are positive, so SQLite's integer division, which truncates, floors them
    too — and needs no math functions compiled in)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(epoch(session, column) / seconds), Integer)
    # whole seconds (julianday's float would put 16:00:00 at 15:59:59.99999)
    return cast(func.strftime("%s", column), Integer) / seconds


def seconds_between(session: Session, start: Any, end: Any) -> Any:
    return epoch(session, end) - epoch(session, start)
