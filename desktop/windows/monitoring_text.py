"""How a home-treatment episode reads (db/monitoring_views.py sends them): its state, a
reading's source, the last readings with their trend (SpO2 93 ↓ (97)), the hub's worsening
reasons in the user's language, the check-in a callback is for. Translated when called (context
"Monitoring"), so a language switch takes effect at once; everything is plain text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from desktop.i18n import QT_TRANSLATE_NOOP
from desktop.models import triage_label, triage_rank

# db/monitoring.py CHECK_IN_NOTE: the hub's note on a check-in callback (the reason says it).
CHECK_IN_NOTE = "Theo dõi tại nhà"
ALARM, LATE, CALM = 0, 1, 2  # how urgent an episode is, for the sorts

_STATES = {
    "active": QT_TRANSLATE_NOOP("Monitoring", "Monitoring"),
    "recovered": QT_TRANSLATE_NOOP("Monitoring", "Recovered"),
    "facility": QT_TRANSLATE_NOOP("Monitoring", "Moved to a health facility"),
    "deceased": QT_TRANSLATE_NOOP("Monitoring", "Deceased"),
    "lost": QT_TRANSLATE_NOOP("Monitoring", "Lost to follow-up"),
}
END_STATES = ("recovered", "facility", "deceased", "lost")  # rules.monitoring.END_STATES
_SOURCES = {
    "call": QT_TRANSLATE_NOOP("Monitoring", "Call"),
    "web": QT_TRANSLATE_NOOP("Monitoring", "Web report"),
    "declaration": QT_TRANSLATE_NOOP("Monitoring", "Declaration"),
}
_ARROW = re.compile(r"^(?P<what>.+?) (?P<before>\S+) → (?P<after>\S+)$")
_REASONS = {  # rules/monitoring.py trend(): "<what> <before> → <after>"
    "SpO2": QT_TRANSLATE_NOOP("Monitoring", "SpO2 %1 → %2"),
    "respiratory rate": QT_TRANSLATE_NOOP("Monitoring", "respiratory rate %1 → %2"),
    "triage": QT_TRANSLATE_NOOP("Monitoring", "triage %1 → %2"),
    "danger signs": QT_TRANSLATE_NOOP("Monitoring", "danger signs %1 → %2"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Monitoring", text) if text else ""


def mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def episode_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """A callback's episode summary (a check-in callback), or an empty one."""
    return mapping(row.get("episode"))


def value(reading: Mapping[str, Any], key: str) -> float | None:
    found = reading.get(key)
    return float(found) if isinstance(found, int | float) and not isinstance(found, bool) \
        else None


def number_text(found: float | None) -> str:
    return "" if found is None else f"{found:g}"


def temperature_text(found: float | None) -> str:
    return "" if found is None else f"{found:.1f} °C"


def arrow(last: float | None, previous: float | None) -> str:
    """↑ or ↓ from the check-in before to the last one; nothing when either is missing or
    they are the same."""
    if last is None or previous is None or last == previous:
        return ""
    return "↑" if last > previous else "↓"


def state_label(state: object) -> str:
    return _tr(_STATES[state]) if isinstance(state, str) and state in _STATES else str(state or "")


def source_label(source: object) -> str:
    return _tr(_SOURCES[source]) if isinstance(source, str) and source in _SOURCES \
        else str(source or "")


def level_of(summary: Mapping[str, Any]) -> str | None:
    """The episode's level: its own, else its last check-in's."""
    level = summary.get("level") or mapping(summary.get("last")).get("level")
    return level if isinstance(level, str) else None


def trend_texts(summary: Mapping[str, Any]) -> list[str]:
    """The last readings with their trend: "SpO2 93 ↓ (97)", "Respiratory rate 24 ↑",
    "38.5 °C" (each only when taken)."""
    last, previous = mapping(summary.get("last")), mapping(summary.get("previous"))
    found = []
    if value(last, "spo2") is not None:
        found.append(f"SpO2 {spo2_trend(summary)}")
    rate = value(last, "respiratory_rate")
    if rate is not None:
        turn = arrow(rate, value(previous, "respiratory_rate"))
        found.append(_tr(QT_TRANSLATE_NOOP("Monitoring", "Breathing %1")).replace(
            "%1", f"{number_text(rate)} {turn}".rstrip()))
    temperature = value(last, "temperature")
    if temperature is not None:
        found.append(temperature_text(temperature))
    return found


def spo2_trend(summary: Mapping[str, Any], before: bool = True) -> str:
    """The last SpO2 and its arrow, the one before in brackets when it moved (`before`):
    "93 ↓ (97)"."""
    last = value(mapping(summary.get("last")), "spo2")
    previous = value(mapping(summary.get("previous")), "spo2")
    turn = arrow(last, previous)
    text = f"{number_text(last)} {turn}".rstrip()
    return f"{text} ({number_text(previous)})" if turn and before else text


def reason_text(reason: object) -> str:
    """One of the hub's worsening reasons ("respiratory rate 18 → 24", "triage green → red")
    in the user's language; one it does not know, as it came."""
    text = str(reason or "")
    found = _ARROW.match(text)
    if found is None or found["what"] not in _REASONS:
        return text
    before, after = found["before"], found["after"]
    if found["what"] == "triage":
        before, after = triage_label(before) or before, triage_label(after) or after
    return _tr(_REASONS[found["what"]]).replace("%1", before).replace("%2", after)


def reasons_text(summary: Mapping[str, Any]) -> str:
    """Why the episode is worse than at the check-in before ("" when it is not)."""
    reasons = [reason_text(r) for r in summary.get("reasons") or [] if r]
    if not reasons:
        return ""
    return _tr(QT_TRANSLATE_NOOP("Monitoring", "Worse: %1")).replace("%1", "; ".join(reasons))


def late_text(summary: Mapping[str, Any]) -> str:
    """Check-ins missed (not reached after every retry) and whether the one owed is late."""
    parts = []
    missed = summary.get("missed")
    if isinstance(missed, int) and missed > 0:
        parts.append(_tr(QT_TRANSLATE_NOOP("Monitoring", "missed %1")).replace(
            "%1", str(missed)))
    if summary.get("overdue"):
        parts.insert(0, _tr(QT_TRANSLATE_NOOP("Monitoring", "overdue")))
    return " · ".join(parts)


def check_in_number(summary: Mapping[str, Any]) -> int:
    """The check-in the next call makes: those recorded so far, plus one."""
    done = summary.get("check_ins")
    return (done if isinstance(done, int) and done >= 0 else 0) + 1


def day_text(summary: Mapping[str, Any]) -> str:
    day = summary.get("day")
    return _tr(QT_TRANSLATE_NOOP("Monitoring", "day %1")).replace("%1", str(day)) \
        if isinstance(day, int) else ""


def check_in_title(summary: Mapping[str, Any]) -> str:
    """A check-in callback's reason: "Home monitoring — day 5 (check-in 4)"."""
    day, count = summary.get("day"), str(check_in_number(summary))
    if not isinstance(day, int):
        return _tr(QT_TRANSLATE_NOOP("Monitoring", "Home monitoring (check-in %1)")).replace(
            "%1", count)
    return _tr(QT_TRANSLATE_NOOP("Monitoring", "Home monitoring — day %1 (check-in %2)")) \
        .replace("%1", str(day)).replace("%2", count)


def banner_text(summary: Mapping[str, Any]) -> str:
    """The screen-pop's line: "Home monitoring: day 5 · SpO2 95 ↓ · check-in 4"."""
    parts = [day_text(summary)]
    spo2 = spo2_trend(summary, before=False)
    if spo2:
        parts.append(f"SpO2 {spo2}")
    parts.append(_tr(QT_TRANSLATE_NOOP("Monitoring", "check-in %1")).replace(
        "%1", str(check_in_number(summary))))
    head = _tr(QT_TRANSLATE_NOOP("Monitoring", "Home monitoring: %1"))
    return head.replace("%1", " · ".join(part for part in parts if part))


def plan_text(summary: Mapping[str, Any]) -> str:
    """The plan's check-in times: "08:00, 16:00 (twice a day)"."""
    times = [str(t) for t in summary.get("times") or []]
    if not times:
        return ""
    how = _tr(QT_TRANSLATE_NOOP("Monitoring", "once a day")) if len(times) == 1 else \
        _tr(QT_TRANSLATE_NOOP("Monitoring", "%1 times a day")).replace("%1", str(len(times)))
    return f"{', '.join(times)} ({how})"


def alarming(summary: Mapping[str, Any]) -> bool:
    """A check-in to make before anything else: the lead was alerted, the readings got worse,
    or the last level is red."""
    return bool(summary.get("alert") or summary.get("worsening") or level_of(summary) == "red")


def urgency(summary: Mapping[str, Any]) -> tuple[int, int]:
    """ALARM, LATE (overdue or a check-in missed) or CALM, then the level (red first)."""
    if alarming(summary):
        group = ALARM
    elif summary.get("overdue") or (isinstance(summary.get("missed"), int) and
                                    summary["missed"] > 0):
        group = LATE
    else:
        group = CALM
    return group, triage_rank(level_of(summary))
