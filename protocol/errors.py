"""Why a request was refused: the codes of `Error.code`, one list for the hub that sends them,
the desktop that reads them, and the labels that say them to the agent (desktop/windows/
labels.py has a text for each, in both languages: tests/unit/desktop/test_window_look.py)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Sent by the hub."""

    BAD_MESSAGE = "bad_message"  # not JSON, unknown type, malformed, too large
    UNAUTHENTICATED = "unauthenticated"  # not logged in, or a wrong password
    EXPIRED = "expired"  # the session ended (timeout, logout elsewhere)
    FORBIDDEN = "forbidden"  # the role or topic does not allow it
    NOT_FOUND = "not_found"
    INVALID = "invalid"  # a field or form refused; `fields` says which
    CONFLICT = "conflict"  # someone else got there first (a stale case, a claimed callback)
    BUSY = "busy"  # the agent has a call in hand
    UNSUPPORTED = "unsupported"  # not possible on this kind of call
    RATE_LIMITED = "rate_limited"  # too many login attempts
    SWITCH = "switch"  # the switch refused or did not answer
    INTERNAL = "internal"  # a fault on the server, logged there


class LocalCode(StrEnum):
    """Made by the desktop itself, never sent."""

    OFFLINE = "offline"  # no connection to the hub
    TIMEOUT = "timeout"  # the hub did not answer in time
    CLOSED = "closed"  # the session ended before the request was sent
    SUPERSEDED = "superseded"  # replaced by a newer request of the same kind


Code = ErrorCode | LocalCode
