"""Database calls off the event loop: the drivers block, so each call runs in gevent's thread
pool while events, the IVR and the hub go on."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import gevent
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


class Blocking:
    """`blocking(fn, *args)`: fn(*args) in the thread pool, its result back here."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        url = sessions.kw["bind"].url  # an in-memory SQLite lives in one thread only
        self.in_thread = url.database not in (None, "", ":memory:")

    def __call__(self, fn: Callable[..., T], *args: object) -> T:
        if not self.in_thread:
            return fn(*args)
        return gevent.get_hub().threadpool.apply(fn, args)


def reader(sessions: sessionmaker[Session], blocking: Blocking) -> Callable[..., object]:
    """`read(fn, *args)`: fn(session, *args) in the thread pool, in a session of its own."""
    def read(fn: Callable[..., T], *args: object) -> T:
        def run() -> T:
            with sessions() as session:
                return fn(session, *args)
        return blocking(run)
    return read
