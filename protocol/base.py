"""The protocol's common parts: its version, the limits of a message, the field types, and
the base classes of messages and requests (protocol/messages.py has the messages)."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from protocol.errors import ErrorCode

VERSION: Literal[1] = 1
MAX_MESSAGE_BYTES = 256 * 1024  # a case form with long notes fits many times over
MAX_DEPTH = 64  # arrays and objects inside one another; a case form needs a handful
# The largest id (or version) a database column holds: they are INTEGER, 32 bits on
# PostgreSQL (SQLite's 64 would let 2³¹…2⁶³ reach PostgreSQL, which refuses them).
MAX_ROW_ID = 2**31 - 1
MAX_SEQ = 2**63 - 1  # pushes numbered in the daemon's memory

Status = Literal["Available", "On Break", "Logged Out"]
# Why an agent is on a break: codes the desktop names in its own language (desktop/windows/
# labels.py), so nothing free-form (no line break, no length) reaches the switch or the log.
BreakReason = Literal["meal", "rest", "meeting", "training", "personal"]
BREAK_REASONS: tuple[str, ...] = get_args(BreakReason)
Id = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(max_length=20_000)]
RowId = Annotated[int, Field(strict=True, ge=1, le=MAX_ROW_ID)]  # a database row's id
Count = Annotated[int, Field(strict=True, ge=0, le=MAX_SEQ)]
Flag = Annotated[bool, Field(strict=True)]


class ProtocolError(ValueError):
    """A message that is not JSON, not an object, of an unknown type, or malformed."""

    def __init__(self, code: ErrorCode, message: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.request_id = code, message, request_id


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    v: Literal[1] = VERSION


class _Request(_Message):
    id: Id
