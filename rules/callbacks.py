"""How soon an owed callback is due, by why it is owed (the topic's data,
`[topic.rules.callbacks]`): until then it is waiting in the nurses' list, after it is overdue
there and on the leads' board. A declaration's callback has its own due time (by its triage
level, rules.declaration); a check-in's is the plan's (rules.monitoring)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# The caller asked (the callback key), hung up waiting, or a nurse promised to call back.
DEFAULT_MINUTES = {"requested": 15, "abandoned": 30, "follow_up": 60}


class CallbackRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    due_within_minutes: dict[str, int] = Field(default_factory=dict)


def due_within(rules: Mapping[str, Any], reason: str) -> timedelta:
    """How long after it is owed a callback for `reason` is due (0 for a reason not listed)."""
    minutes = {**DEFAULT_MINUTES, **rules.get("callbacks", {}).get("due_within_minutes", {})}
    return timedelta(minutes=minutes.get(reason, 0))


def check_callbacks(rules: Mapping[str, Any]) -> list[str]:
    """What is wrong with a topic's `rules.callbacks` (empty: nothing)."""
    try:
        part = CallbackRules.model_validate(rules.get("callbacks", {}))
    except ValidationError as exc:
        return [f"callbacks: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors()]
    return [f"callbacks: due_within_minutes: {reason!r} is not a reason a callback is owed "
            f"for ({', '.join(DEFAULT_MINUTES)})" for reason in part.due_within_minutes
            if reason not in DEFAULT_MINUTES] + \
        [f"callbacks: due_within_minutes: {reason}: must be 0 or more"
         for reason, minutes in part.due_within_minutes.items() if minutes < 0]
