"""The lead window's arithmetic, free of widgets: the hub's clock as seen from here, the times
counted up between pushes, a queue's level (rules.board) as its wait grows, the numbers as the
tiles print them, and the intraday quarter hours summed over topics."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from desktop.models import Clock, parse_time, utc_now
from rules.board import BoardRules, Level, levels, worst

QUARTERS = 96  # 15-minute slots of the site's local day
Row = dict[str, Any]


class HubClock:
    """The board's time, from this PC's clock and the `server_time` of the pushes (the
    switch's clock as the hub last saw it, the clock of the board's since, joined_at and
    answered_at): a PC a minute off would count every wait a minute wrong. The times in the
    push itself are a floor, so a wait never counts from the future.

    Attributes:
        offset: the hub's clock minus ours.
    """

    JITTER = timedelta(seconds=1)  # a push delayed on the wire must not step the counters back

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock
        self.offset = timedelta(0)
        self._known = False

    def observe(self, server_time: str, whole: bool = False,
                latest: datetime | None = None) -> None:
        """A push's `server_time` (or `latest`, the newest time its rows hold, if later): the
        offset follows it, unless it moved less than JITTER (a whole board always resets
        it)."""
        moment = parse_time(server_time)
        if moment is None:
            return
        if latest is not None and latest > moment:
            moment = latest
        offset = moment - self._clock()
        if whole or not self._known or abs(offset - self.offset) > self.JITTER:
            self.offset, self._known = offset, True

    def now(self) -> datetime:
        return self._clock() + self.offset


TIME_FIELDS = ("since", "joined_at", "oldest_joined_at", "started_at")


def latest_time(sections: Mapping[str, Mapping[str, Row]],
                supervision: Mapping[str, Any] | None = None) -> datetime | None:
    """The newest time the rows of a push (and the lead's supervision) hold."""
    found: list[datetime] = []
    rows = [row for section in sections.values() for row in section.values()]
    for row in [*rows, supervision or {}]:
        call = mapping(row.get("call"))
        for value in [*(row.get(name) for name in TIME_FIELDS), call.get("answered_at")]:
            moment = parse_time(value)
            if moment is not None:
                found.append(moment)
    return max(found, default=None)


def seconds_since(value: object, now: datetime) -> float | None:
    moment = parse_time(value)
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def seconds_until(value: object, now: datetime) -> float | None:
    """Time left until `value`; None when it is absent or already past."""
    moment = parse_time(value)
    if moment is None or moment <= now:
        return None
    return (moment - now).total_seconds()


def format_wait(seconds: float | None) -> str:
    """mm:ss (minutes past 59 keep counting: a wait of 75 minutes is 75:03); none is 0:00."""
    total = max(0, int(seconds or 0))
    return f"{total // 60}:{total % 60:02d}"


def format_pct(value: object) -> str:
    return "—" if not isinstance(value, int | float) else f"{value:.0f}%"


def format_seconds(value: object) -> str:
    """An average in seconds (ASA, AHT) as m:ss; none yet is a dash."""
    return "—" if not isinstance(value, int | float) else format_wait(value)


def number(row: Mapping[str, Any], key: str) -> int:
    value = row.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def mapping(value: object) -> dict[str, Any]:
    """A nested object of a row (a call, the agents by activity), or an empty one."""
    return value if isinstance(value, dict) else {}


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics (đ too): "Trần Lâm" and "tran lam" match."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_key(full_name: str) -> tuple[str, str]:
    """Vietnamese names sort by the given name (the last word), then the whole name."""
    folded = fold(full_name).strip()
    return (folded.rsplit(" ", 1)[-1], folded)


def topic_name(row: Mapping[str, Any] | None, language: str, key: str | None = None) -> str:
    """A queue row's name in `language` (Vietnamese unless English), or its key."""
    if not row:
        return key or ""
    name = row.get("name_en" if language == "en" else "name_vi") or row.get("name_vi")
    return str(name or row.get("topic") or key or "")


def queue_rules(row: Mapping[str, Any]) -> BoardRules:
    """The thresholds the hub sent with a queue row (the defaults if they are unreadable)."""
    try:
        return BoardRules.model_validate(row.get("rules") or {})
    except ValidationError:
        return BoardRules()


@dataclass(frozen=True)
class QueueLevel:
    """A queue's level now: each metric's and the worst of them, and the longest wait."""

    metrics: dict[str, Level]
    level: Level
    longest_wait: float | None


def queue_level(row: Mapping[str, Any], now: datetime) -> QueueLevel:
    """The level of a queue row at `now`: the longest wait grows between pushes."""
    wait = seconds_since(row.get("oldest_joined_at"), now) if number(row, "waiting") else None
    values = {"waiting": number(row, "waiting"), "longest_wait_seconds": wait,
              "service_level_pct": row.get("service_level_pct"),
              "abandon_pct": row.get("abandon_pct")}
    found = levels(values, queue_rules(row))
    return QueueLevel(found, worst(found), wait)


@dataclass
class Intraday:
    """One topic's (or all topics') day in quarter hours: None where nothing was offered."""

    offered: list[int]
    answered: list[int]
    abandoned: list[int]
    service_level: list[float | None]
    last_week_offered: list[int]


def intraday(today: Mapping[str, Row], last_week: Mapping[str, Row],
             topic: str | None = None) -> Intraday:
    """The `today` and `last_week` rows of the board as 96 slots, for one topic or summed.

    Summed over topics, the service level is each topic's weighted by its answered and
    abandoned legs (the board does not send the timed-out ones per quarter: close enough for
    a curve, exact when nothing timed out)."""
    day = Intraday([0] * QUARTERS, [0] * QUARTERS, [0] * QUARTERS, [None] * QUARTERS,
                   [0] * QUARTERS)
    weights = [0.0] * QUARTERS
    served = [0.0] * QUARTERS
    for row in today.values():
        slot = _slot(row, topic)
        if slot is None:
            continue
        day.offered[slot] += number(row, "offered")
        day.answered[slot] += number(row, "answered")
        day.abandoned[slot] += number(row, "abandoned")
        level = row.get("service_level_pct")
        if isinstance(level, int | float):
            weight = max(1, number(row, "answered") + number(row, "abandoned"))
            weights[slot] += weight
            served[slot] += weight * level
    for slot, total in enumerate(weights):
        if total:
            day.service_level[slot] = round(served[slot] / total, 1)
    for row in last_week.values():
        slot = _slot(row, topic)
        if slot is not None:
            day.last_week_offered[slot] += number(row, "offered")
    return day


def _slot(row: Mapping[str, Any], topic: str | None) -> int | None:
    quarter = row.get("quarter")
    if topic is not None and row.get("topic") != topic:
        return None
    return quarter if isinstance(quarter, int) and 0 <= quarter < QUARTERS else None


def quarter_label(quarter: int) -> str:
    """00:00 … 23:45, the start of a slot in the site's local time."""
    return f"{quarter // 4:02d}:{quarter % 4 * 15:02d}"
