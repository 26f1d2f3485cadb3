"""The lead's board on the receiving side: a `lead_board` push applied to the board held
(pure; the desktop's lead window and the tests use it). A whole board replaces what was held;
a change replaces the rows it names and drops the keys it removes."""

from __future__ import annotations

from typing import Any

Board = dict[str, dict[str, dict[str, Any]]]
SECTIONS = ("queues", "agents", "waiting", "today", "last_week")


def apply_board(board: Board, message: Any) -> Board:
    """The board after `message` (a LeadBoard, or its JSON as a dict)."""
    get = message.get if isinstance(message, dict) else lambda k, d=None: getattr(message, k, d)
    if get("full", False):
        fresh: Board = {name: {} for name in SECTIONS}
        for section, rows in (get("changed") or {}).items():
            fresh[section] = dict(rows)
        return fresh
    out = {name: dict(board.get(name, {})) for name in SECTIONS}
    for section, rows in (get("changed") or {}).items():
        out.setdefault(section, {}).update(rows)
    for section, keys in (get("removed") or {}).items():
        for key in keys:
            out.get(section, {}).pop(key, None)
    return out
