"""Waiting for conditions, never for a fixed time (the project's rule: a test waits for what
it asserts, or for a later thing that proves it).

`until` polls a condition under a deadline. `events_delivered` is a fence on an Event Socket
connection: once it returns, every event the server wrote before it has been handed to the
connection's handlers, so a test may assert that an event did NOT come."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import gevent
import gevent.event

from callcenter.switch.connection import EslConnection
from callcenter.switch.errors import CommandError
from callcenter.switch.event import Event


def until(condition: Callable[[], object], timeout: float = 10.0, every: float = 0.02,
          what: str = "") -> None:
    """Return as soon as `condition()` is true; AssertionError after `timeout` seconds."""
    failure = AssertionError(f"not within {timeout:g} s: {what or condition}")
    with gevent.Timeout(timeout, failure):
        while not condition():
            gevent.sleep(every)


# A command that changes nothing and fires no event: the listener does not log, so it is
# refused (`-ERR not loging`, mod_event_socket's reply). `api …` would not do: it fires an API
# event, which an `event plain ALL` listener would get after the reply, at no fixed moment.
_FENCE = "nolog"


def events_delivered(conn: EslConnection, timeout: float = 5.0) -> None:
    """Every event the server sent `conn` before now has reached its handlers.

    The server answers commands in order, after the events it already queued for this
    listener (a switch's `fire` queues at once); the reader hands those events to the
    dispatcher's queue before it reads the reply. A marker queued behind the reply is
    dispatched only after all of them."""
    with contextlib.suppress(CommandError):  # the expected answer: any reply is the fence
        conn.send(_FENCE, timeout=timeout)
    done = gevent.event.Event()
    key = f"test fence {id(done)}"

    def reached(_event: Event) -> None:
        done.set()

    conn.register_handle(key, reached)
    try:
        conn._esl_event_queue.put((key, Event(b"")))
        if not done.wait(timeout):
            raise AssertionError(f"the event dispatcher did not catch up within {timeout:g} s")
    finally:
        conn.unregister_handle(key, reached)
