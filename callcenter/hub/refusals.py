"""Refusals counted, so a flood cannot flood the audit trail: the first refusal of a kind (the
same person — or, before login, the same address —, the same code and request type) is written
at once; the next ones of that kind are counted and written as one row at the next sweep. Pure:
the hub's service writes the rows."""

from __future__ import annotations

from dataclasses import dataclass, field

TARGETS_KEPT = 10  # distinct targets named in a row of repeated refusals


@dataclass
class Repeats:
    """Refusals of one kind after the first of a sweep."""

    actor: str
    actor_id: int | None
    address: str
    code: str
    message: str
    since: float
    count: int = 0
    targets: list[str] = field(default_factory=list)


class RefusalCounter:
    def __init__(self) -> None:
        self._repeats: dict[tuple[str, str, str, str], Repeats | None] = {}

    def note(self, username: str | None, actor_id: int | None, host: str, code: str,
             kind: str, target: str, message: str, now: float) -> bool:
        """True for the first refusal of its kind since the last sweep (write it now);
        False for a repeat (counted)."""
        key = (username or "anonymous", host, code, kind)
        if key not in self._repeats:
            self._repeats[key] = None
            return True
        repeats = self._repeats[key]
        if repeats is None:
            repeats = self._repeats[key] = Repeats(
                username or f"anonymous@{host}", actor_id, host, code, message, now)
        repeats.count += 1
        if target not in repeats.targets and len(repeats.targets) < TARGETS_KEPT:
            repeats.targets.append(target)
        return False

    def take(self) -> list[Repeats]:
        """The repeats since the last sweep, each for one row; the count starts again."""
        repeats, self._repeats = self._repeats, {}
        return [r for r in repeats.values() if r is not None]
