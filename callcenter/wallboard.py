"""A text wallboard of the live state: per topic, callers waiting, the oldest wait, answered
and abandoned; the agents by status and state. Pure: state and clock in, text out."""

from __future__ import annotations

from collections import Counter

from callcenter.state import LiveState


def render(state: LiveState, topics: list[tuple[str, str]], now_us: int) -> str:
    """`topics`: (queue, label) in menu order."""
    lines = [f"{'topic':<34} {'waiting':>7} {'oldest':>7} {'answered':>8} {'abandoned':>9}"]
    for queue_name, label in topics:
        queue = state.queues.get(queue_name)
        waiting = queue.waiting() if queue else []
        oldest = (now_us - waiting[0].joined_us) // 1_000_000 if waiting else 0
        lines.append(f"{label[:34]:<34} {len(waiting):>7} {_mmss(oldest):>7} "
                     f"{queue.answered if queue else 0:>8} {queue.abandoned if queue else 0:>9}")
    statuses = Counter(a.status for a in state.agents.values())
    states = Counter(a.state for a in state.agents.values() if a.status != "Logged Out")
    lines.append("agents: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) +
                 ("  (" + ", ".join(f"{n} {s}" for s, n in sorted(states.items())) + ")"
                  if states else ""))
    talking = sum(1 for c in state.calls.values() if c.phase == "talking")
    in_ivr = sum(1 for c in state.calls.values() if c.phase == "ivr")
    lines.append(f"calls: {len(state.calls)} up ({in_ivr} in the menu, {talking} talking); "
                 f"{state.events} events")
    return "\n".join(lines)


def _mmss(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"
