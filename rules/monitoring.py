"""Home-treatment monitoring of an F0 patient: how often a nurse checks in, when the next
check-in is due, whether the readings are getting worse, and when the episode may end — the
topic's data (`[topic.rules.monitoring]` in db/seed/topics.toml), after the Ministry of
Health's home-care guidance. Pure: the store and the desktop ask the same questions here.

A plan checks in once a day at `daily_at`, or twice (`twice_daily_at`) for a patient any of
`twice_daily_if` holds for (the triage's condition grammar: age, chronic conditions,
pregnancy, vaccination, the triage level); it ends when the patient has recovered (at least
`recovered_after_days` since the positive test, with a negative test or, failing one, no
danger sign and a green level at the last check-in), or is escalated to a facility."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rules.daily import next_time_of_day
from rules.triage import check_condition, condition_holds

LEVEL_ORDER = ("green", "yellow", "orange", "red")
# How an episode ends (besides `active`): what the nurse chooses when closing one.
END_STATES = ("recovered", "facility", "deceased", "lost")


@dataclass(frozen=True)
class Reading:
    """One check-in's readings (None: not taken)."""

    at: dt.datetime
    spo2: float | None = None
    respiratory_rate: int | None = None
    temperature: float | None = None
    level: str | None = None  # the triage level computed from the check-in's form
    red_flags: int = 0


@dataclass(frozen=True)
class Trend:
    worsening: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class MonitoringRules:
    daily_at: tuple[dt.time, ...]
    twice_daily_at: tuple[dt.time, ...]
    twice_daily_if: tuple[Mapping[str, Any], ...] = ()
    recovered_after_days: int = 10
    spo2_drop: float = 2.0  # a fall of this much since the last check-in is worsening
    respiratory_rise: int = 4
    level_field: str = "triage_level"
    # A case saved with one of `start_outcomes` (and a positive test date) starts a plan; one
    # saved with a key of `end_outcomes` ends it, as that value's state.
    start_outcomes: tuple[str, ...] = ()
    end_outcomes: Mapping[str, str] = field(default_factory=dict)
    negative_test_field: str = "negative_test_on"
    alert_levels: tuple[str, ...] = ("red",)  # a check-in at one of these alerts the lead
    recheck_hours: float = 4.0  # after a worse check-in on a call, the next one within this
    overdue_after_minutes: int = 60  # a check-in still not reached this long after its time
    check_in_fields: tuple[str, ...] = ()  # what the patient reports on the web

    @classmethod
    def of(cls, rules: Mapping[str, Any]) -> MonitoringRules | None:
        part = rules.get("monitoring")
        if not part:
            return None
        return cls(daily_at=tuple(_time(t) for t in part.get("daily_at", ["09:00"])),
                   twice_daily_at=tuple(_time(t) for t in part.get(
                       "twice_daily_at", ["08:00", "16:00"])),
                   twice_daily_if=tuple(part.get("twice_daily_if", ())),
                   recovered_after_days=int(part.get("recovered_after_days", 10)),
                   spo2_drop=float(part.get("worsening", {}).get("spo2_drop", 2)),
                   respiratory_rise=int(part.get("worsening", {}).get(
                       "respiratory_rate_rise", 4)),
                   level_field=str(rules.get("triage", {}).get("level_field",
                                                               "triage_level")),
                   start_outcomes=tuple(part.get("start_outcomes", ())),
                   end_outcomes=dict(part.get("end_outcomes", {})),
                   negative_test_field=str(part.get("negative_test_field",
                                                    "negative_test_on")),
                   alert_levels=tuple(part.get("alert_levels", ("red",))),
                   recheck_hours=float(part.get("recheck_hours", 4)),
                   overdue_after_minutes=int(part.get("overdue_after_minutes", 60)),
                   check_in_fields=tuple(part.get("check_in_fields", ())))


def check_times(rules: MonitoringRules, form: Mapping[str, Any], today: dt.date
                ) -> tuple[dt.time, ...]:
    """The local times of day a nurse checks in on this patient."""
    for condition in rules.twice_daily_if:
        if "level_in" in condition:
            if form.get(rules.level_field) in condition["level_in"]:
                return rules.twice_daily_at
        elif condition_holds(condition, form, 0, today.year):
            return rules.twice_daily_at
    return rules.daily_at


def next_check_in(times: Sequence[dt.time], after: dt.datetime, zone: dt.tzinfo
                  ) -> dt.datetime:
    """The first check-in time strictly after `after`, in UTC."""
    return next_time_of_day(times, after, zone)


def trend(rules: MonitoringRules, readings: Sequence[Reading]) -> Trend:
    """Worse than at the check-in before: SpO2 down by `spo2_drop` or more, breathing up by
    `respiratory_rise` or more, a higher triage level, or a new danger sign."""
    ordered = sorted(readings, key=lambda r: r.at)
    if len(ordered) < 2:
        return Trend(False)
    before, now = ordered[-2], ordered[-1]
    reasons = []
    if before.spo2 is not None and now.spo2 is not None and \
            before.spo2 - now.spo2 >= rules.spo2_drop:
        reasons.append(f"SpO2 {before.spo2:g} → {now.spo2:g}")
    if before.respiratory_rate is not None and now.respiratory_rate is not None and \
            now.respiratory_rate - before.respiratory_rate >= rules.respiratory_rise:
        reasons.append(f"respiratory rate {before.respiratory_rate} → {now.respiratory_rate}")
    if _rank(now.level) > _rank(before.level):
        reasons.append(f"triage {before.level} → {now.level}")
    if now.red_flags > before.red_flags:
        reasons.append(f"danger signs {before.red_flags} → {now.red_flags}")
    return Trend(bool(reasons), tuple(reasons))


def recovered(rules: MonitoringRules, positive: dt.date, today: dt.date,
              negative_test: bool, last: Reading | None) -> bool:
    """The episode may end: enough days since the positive test, and a negative test — or,
    without one, a last check-in green with no danger sign."""
    if (today - positive).days < rules.recovered_after_days:
        return False
    if negative_test:
        return True
    return last is not None and last.level == "green" and last.red_flags == 0


def alerting(rules: MonitoringRules, now: Reading, worse: Trend) -> bool:
    """A check-in the lead must see: worse than the one before, or at an alert level."""
    return worse.worsening or now.level in rules.alert_levels


def overdue(due_at: dt.datetime | None, now: dt.datetime, missed_last: bool,
            rules: MonitoringRules) -> bool:
    """A patient nobody reached: the last check-in was missed (not reached after the
    callback's retries), or the one owed is `overdue_after_minutes` past its time."""
    if missed_last:
        return True
    return due_at is not None and now - due_at >= dt.timedelta(
        minutes=rules.overdue_after_minutes)


def reading_of(rules: MonitoringRules, form: Mapping[str, Any], at: dt.datetime,
               level: str | None, red_flags: int) -> Reading:
    """A check-in's readings from a case form (or the web's check-in form)."""
    return Reading(at=at, spo2=_number(form.get("spo2")),
                   respiratory_rate=_whole(form.get("respiratory_rate")),
                   temperature=_number(form.get("temperature")), level=level,
                   red_flags=red_flags)


def negative_test(rules: MonitoringRules, form: Mapping[str, Any],
                  positive: dt.date | None) -> bool:
    """The form records a negative test taken after the positive one."""
    value = form.get(rules.negative_test_field)
    try:
        day = dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return False
    return day is not None and (positive is None or day > positive)


def check_monitoring(rules: Mapping[str, Any], properties: Mapping[str, Any]) -> list[str]:
    """What is wrong with a topic's monitoring part (checked at `topic load`)."""
    part = rules.get("monitoring")
    if not part:
        return []
    problems = []
    for key in ("daily_at", "twice_daily_at"):
        for value in part.get(key, []):
            try:
                _time(value)
            except ValueError:
                problems.append(f"monitoring: {key} has {value!r}, not a time HH:MM")
    for condition in part.get("twice_daily_if", []):
        if "level_in" in condition:
            continue
        problems += [p.replace("triage", "monitoring") for p in
                     check_condition(condition, properties)]
    for outcome, state in part.get("end_outcomes", {}).items():
        if state not in END_STATES:
            problems.append(f"monitoring: end_outcomes {outcome} = {state!r} is not one of "
                            f"{', '.join(END_STATES)}")
    for name in part.get("check_in_fields", []):
        if name not in properties:
            problems.append(f"monitoring: check_in_fields names {name!r}, not a field of "
                            "the form")
    negative = part.get("negative_test_field", "negative_test_on")
    if negative not in properties:
        problems.append(f"monitoring: negative_test_field {negative!r} is not a field of the "
                        "form")
    days = part.get("recovered_after_days", 10)
    if not isinstance(days, int) or days < 1:
        problems.append("monitoring: recovered_after_days must be a whole number, 1 or more")
    return problems


def _rank(level: str | None) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else -1


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _whole(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(str(text))
