"""The lead's queues board: a topic's alert thresholds (data, in topics.toml under
`[topic.rules.board]`) and the green / amber / red level of its numbers.

Shared by the daemon (which sends the thresholds with each queue row) and the desktop (which
re-evaluates the level every second, as the longest wait grows between pushes). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Level = Literal["green", "amber", "red"]
LEVELS: tuple[Level, ...] = ("green", "amber", "red")
METRICS = ("waiting", "longest_wait_seconds", "service_level_pct", "abandon_pct")
# Lower is worse for these (a service level falling under its amber mark); higher for the rest.
LOWER_IS_WORSE = frozenset({"service_level_pct"})


class Band(BaseModel):
    """Where a metric turns amber, and where red."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    amber: float = Field(ge=0)
    red: float = Field(ge=0)


class BoardRules(BaseModel):
    """A topic's thresholds. Defaults suit a health line: a caller waiting two minutes, a
    service level under 70 % or one caller in ten giving up is red."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    short_abandon_seconds: int = Field(default=5, ge=0, le=600)
    waiting: Band | None = Band(amber=3, red=6)
    longest_wait_seconds: Band | None = Band(amber=60, red=120)
    service_level_pct: Band | None = Band(amber=80, red=70)
    abandon_pct: Band | None = Band(amber=5, red=10)
    sound_on_red: bool = True  # the lead's desktop may also ring a bell (the lead can mute it)

    @model_validator(mode="after")
    def _ordered(self) -> BoardRules:
        for name in METRICS:
            band = getattr(self, name)
            if band is None:
                continue
            worse = band.red <= band.amber if name in LOWER_IS_WORSE else band.red >= band.amber
            if not worse:
                raise ValueError(f"{name}: red ({band.red:g}) must be "
                                 f"{'below' if name in LOWER_IS_WORSE else 'above'} amber "
                                 f"({band.amber:g})")
        return self


def board_rules(rules: Mapping[str, Any]) -> BoardRules:
    """The board thresholds of a topic's `rules` (its defaults where the topic says nothing)."""
    return BoardRules.model_validate(rules.get("board") or {})


def check_board(rules: Mapping[str, Any]) -> list[str]:
    """What is wrong with a topic's `rules.board` (empty: nothing)."""
    try:
        board_rules(rules)
    except ValidationError as exc:
        return [f"board: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors()]
    return []


def metric_level(name: str, value: float | None, band: Band | None) -> Level:
    """One metric's level; no value (no call yet today) or no band is green."""
    if value is None or band is None:
        return "green"
    if name in LOWER_IS_WORSE:
        return "red" if value <= band.red else "amber" if value <= band.amber else "green"
    return "red" if value >= band.red else "amber" if value >= band.amber else "green"


def levels(values: Mapping[str, float | None], rules: BoardRules) -> dict[str, Level]:
    """Each metric's level."""
    return {name: metric_level(name, values.get(name), getattr(rules, name))
            for name in METRICS}


def worst(found: Mapping[str, Level]) -> Level:
    return max(found.values(), key=LEVELS.index, default="green")
