"""The lead's board on the receiving side: a `lead_board` push applied to the board held
(pure; the desktop's lead window and the tests use it). A whole board replaces what was held;
a change replaces the rows it names and drops the keys it removes. A waiting caller's
`position` in their queue is numbered here, by the time they joined it (the hub does not send
it: every answer would renumber everyone behind, and a busy hour's pushes would be mostly
that)."""

from __future__ import annotations

from typing import Any

Board = dict[str, dict[str, dict[str, Any]]]
SECTIONS = ("queues", "agents", "waiting", "today", "last_week", "urgent")


def apply_board(board: Board, message: Any) -> Board:
    """The board after `message` (a LeadBoard, or its JSON as a dict)."""
    get = message.get if isinstance(message, dict) else lambda k, d=None: getattr(message, k, d)
    if get("full", False):
        out: Board = {name: {} for name in SECTIONS}
        for section, rows in (get("changed") or {}).items():
            out[section] = dict(rows)
    else:
        out = {name: dict(board.get(name, {})) for name in SECTIONS}
        for section, rows in (get("changed") or {}).items():
            out.setdefault(section, {}).update(rows)
        for section, keys in (get("removed") or {}).items():
            for key in keys:
                out.get(section, {}).pop(key, None)
    if get("full", False) or "waiting" in (get("changed") or {}) or \
            "waiting" in (get("removed") or {}):
        out["waiting"] = numbered(out["waiting"])
    return out


def numbered(waiting: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each waiting caller's `position` in their topic's queue: 1 for the longest waiting
    (the hub's live state orders a queue's members by the time they joined)."""
    order = sorted(waiting, key=lambda k: (str(waiting[k].get("joined_at") or ""), k))
    seen: dict[Any, int] = {}
    out = {}
    for key in order:
        row = waiting[key]
        topic = row.get("topic")
        seen[topic] = seen.get(topic, 0) + 1
        out[key] = row if row.get("position") == seen[topic] else {**row,
                                                                   "position": seen[topic]}
    return out
