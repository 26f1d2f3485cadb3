"""A report forwarded to the agency responsible for it (topic 2: treatment and epidemic-control
work at a locality or facility), followed until the caller has been told: its states, who may
move it, and when it is due — the due days by severity being the topic's data
(`[topic.rules.forwarding]` in db/seed/topics.toml).

forwarded ──▶ in_progress ──▶ resolved ──▶ caller_informed
    └────────────────────────────▲   (the callback that tells the caller, once it reaches them)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

STATES = ("forwarded", "in_progress", "resolved", "caller_informed")
OPEN_STATES = ("forwarded", "in_progress")  # the agency still owes the work
NEXT: dict[str, tuple[str, ...]] = {
    "forwarded": ("in_progress", "resolved"),
    "in_progress": ("resolved",),
    "resolved": ("caller_informed",),
    "caller_informed": (),
}
# Who moves a report into each state: the responsible agency works on it and resolves it; the
# hotline's side (the topic's staff) tells the caller.
BY_AGENCY = ("in_progress", "resolved")
BY_TOPIC = ("caller_informed",)
DEFAULT_DUE_DAYS = 7


def can_move(state: str, to: str) -> bool:
    return to in NEXT.get(state, ())


def forwarding_rules(rules: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The topic's forwarding part, or None if its reports are not forwarded."""
    part = rules.get("forwarding")
    return part if part else None


def due(rules: Mapping[str, Any], form: Mapping[str, Any], forwarded: dt.datetime
        ) -> dt.datetime:
    """When the agency's answer is due: the days for the report's severity (the form's
    `severity_field`), else `default_due_days`."""
    part = forwarding_rules(rules) or {}
    days = part.get("due_days", {}).get(str(form.get(part.get("severity_field", ""), "")),
                                        part.get("default_due_days", DEFAULT_DUE_DAYS))
    return forwarded + dt.timedelta(days=days)


def is_overdue(state: str, due_at: dt.datetime, now: dt.datetime) -> bool:
    return state in OPEN_STATES and due_at < now


def check_forwarding(rules: Mapping[str, Any], form_properties: Mapping[str, Any]) -> list[str]:
    """What is wrong with a topic's forwarding part (checked at `topic load`)."""
    part = forwarding_rules(rules)
    if part is None:
        return []
    problems = []
    field = part.get("severity_field")
    if field is not None and field not in form_properties:
        problems.append(f"forwarding: severity_field {field!r} is not a field of the form")
    for key, days in {**part.get("due_days", {}),
                      "default": part.get("default_due_days", DEFAULT_DUE_DAYS)}.items():
        if not isinstance(days, int) or days < 0:
            problems.append(f"forwarding: due days for {key!r} must be a whole number, "
                            "0 or more")
    return problems
