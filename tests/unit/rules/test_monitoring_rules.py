"""The home-treatment plan's rules (rules/monitoring.py) on hand-built patients, from the
shipped topic's data: who is checked twice a day, when the next check-in is due (a fixed
clock, Cà Mau's time), what is a worsening trend, and when an episode may end."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from db.topics import read_topics_file
from rules.monitoring import (
    MonitoringRules,
    Reading,
    Trend,
    alerting,
    check_monitoring,
    check_times,
    negative_test,
    next_check_in,
    overdue,
    reading_of,
    recovered,
    trend,
)
from tests.conftest import TOPICS_FILE

CA_MAU = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2026, 12, 3)
ONCE, TWICE = (dt.time(9, 0),), (dt.time(8, 0), dt.time(16, 0))


@pytest.fixture(scope="module")
def rules() -> MonitoringRules:
    topic = next(t for t in read_topics_file(TOPICS_FILE).topic if t.key == "f0_home_care")
    found = MonitoringRules.of(topic.rules)
    assert found is not None
    return found


@pytest.mark.parametrize(("patient", "times"), [
    ({"birth_year": 1990, "vaccine_doses": 3, "triage_level": "green"}, ONCE),
    ({"birth_year": 1961, "vaccine_doses": 3}, TWICE),  # 65 this year
    ({"birth_year": 1962, "vaccine_doses": 3}, ONCE),  # 64
    ({"birth_year": 1990, "vaccine_doses": 3, "comorbidities": ["diabetes"]}, TWICE),
    ({"birth_year": 1990, "vaccine_doses": 3, "comorbidities": []}, ONCE),
    ({"birth_year": 1995, "vaccine_doses": 2, "pregnant": True}, TWICE),
    ({"birth_year": 1990, "vaccine_doses": 0}, TWICE),  # not vaccinated
    ({"birth_year": 1990}, ONCE),  # doses unknown: not counted as none
    ({"birth_year": 1990, "vaccine_doses": 3, "triage_level": "yellow"}, TWICE),
])
def test_who_is_checked_twice_a_day(rules: MonitoringRules, patient: dict[str, object],
                                    times: tuple[dt.time, ...]) -> None:
    assert check_times(rules, patient, TODAY) == times


def _local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=CA_MAU)


@pytest.mark.parametrize(("after", "times", "due"), [
    (_local(3, 7, 30), TWICE, _local(3, 8)),
    (_local(3, 8, 0), TWICE, _local(3, 16)),  # strictly after
    (_local(3, 16, 5), TWICE, _local(4, 8)),  # the next day
    (_local(3, 10), ONCE, _local(4, 9)),
    (_local(3, 23, 59), ONCE, _local(4, 9)),
])
def test_the_next_check_in_is_the_next_slot_in_local_time(
        after: dt.datetime, times: tuple[dt.time, ...], due: dt.datetime) -> None:
    got = next_check_in(times, after.astimezone(dt.UTC), CA_MAU)
    assert got == due.astimezone(dt.UTC) and got.tzinfo == dt.UTC


def _reading(day: int, **values: object) -> Reading:
    return Reading(at=_local(day, 9), **values)  # type: ignore[arg-type]


def test_a_worsening_trend_is_named(rules: MonitoringRules) -> None:
    steady = [_reading(1, spo2=97, respiratory_rate=18, level="green"),
              _reading(2, spo2=96, respiratory_rate=20, level="green")]
    assert trend(rules, steady).worsening is False
    falling = [*steady, _reading(3, spo2=94, respiratory_rate=24, level="orange",
                                 red_flags=1)]
    found = trend(rules, falling)
    assert found.worsening
    assert found.reasons == ("SpO2 96 → 94", "respiratory rate 20 → 24",
                             "triage green → orange", "danger signs 0 → 1")
    assert trend(rules, [falling[-1]]).worsening is False  # one check-in: no trend yet
    assert trend(rules, list(reversed(falling))).worsening  # by time, not by list order


def test_an_episode_ends_after_the_days_with_a_negative_test_or_a_green_check_in(
        rules: MonitoringRules) -> None:
    positive = dt.date(2026, 11, 24)
    green = _reading(3, spo2=98, level="green")
    assert not recovered(rules, positive, dt.date(2026, 12, 3), True, green)  # day 9
    assert recovered(rules, positive, dt.date(2026, 12, 4), True, None)  # day 10, negative
    assert recovered(rules, positive, dt.date(2026, 12, 4), False, green)
    assert not recovered(rules, positive, dt.date(2026, 12, 4), False,
                         _reading(3, level="yellow"))
    assert not recovered(rules, positive, dt.date(2026, 12, 4), False,
                         _reading(3, level="green", red_flags=1))
    assert not recovered(rules, positive, dt.date(2026, 12, 4), False, None)


def test_the_monitoring_rules_are_checked_at_load() -> None:
    properties = {"birth_year": {}, "comorbidities": {}, "negative_test_on": {}, "spo2": {}}
    assert check_monitoring({}, properties) == []
    assert check_monitoring({"monitoring": {
        "daily_at": ["9h"], "twice_daily_if": [{"field": "weight", "op": ">", "value": 90}],
        "end_outcomes": {"escalated_115": "hospital"}, "check_in_fields": ["spo2", "mood"],
        "negative_test_field": "test_negative", "recovered_after_days": 0}}, properties) == [
        "monitoring: daily_at has '9h', not a time HH:MM",
        "monitoring rule names unknown field 'weight'",
        "monitoring: end_outcomes escalated_115 = 'hospital' is not one of recovered, "
        "facility, deceased, lost",
        "monitoring: check_in_fields names 'mood', not a field of the form",
        "monitoring: negative_test_field 'test_negative' is not a field of the form",
        "monitoring: recovered_after_days must be a whole number, 1 or more"]


def test_what_alerts_the_lead(rules: MonitoringRules) -> None:
    calm, worse = Trend(False), Trend(True, ("SpO2 97 → 94",))
    assert not alerting(rules, _reading(3, level="yellow"), calm)
    assert alerting(rules, _reading(3, level="yellow"), worse)
    assert alerting(rules, _reading(3, level="red"), calm)  # red alerts even if unchanged


def test_when_a_check_in_is_overdue(rules: MonitoringRules) -> None:
    due = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
    assert not overdue(due, due + dt.timedelta(minutes=59), False, rules)
    assert overdue(due, due + dt.timedelta(minutes=60), False, rules)
    assert overdue(None, due, True, rules)  # the last one was missed
    assert not overdue(None, due, False, rules)  # nothing owed, nothing missed


def test_readings_and_the_negative_test_from_a_form(rules: MonitoringRules) -> None:
    at = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
    taken = reading_of(rules, {"spo2": 95, "respiratory_rate": 21.0, "temperature": 38.2,
                               "pulse": 90}, at, "orange", 2)
    assert (taken.spo2, taken.respiratory_rate, taken.temperature, taken.red_flags) == (
        95.0, 21, 38.2, 2)
    assert reading_of(rules, {"spo2": True, "temperature": "38"}, at, None, 0) == Reading(at)
    positive = dt.date(2026, 11, 25)
    assert negative_test(rules, {"negative_test_on": "2026-12-02"}, positive)
    assert not negative_test(rules, {"negative_test_on": "2026-11-20"}, positive)  # before
    assert not negative_test(rules, {"negative_test_on": "2/12/2026"}, positive)
    assert not negative_test(rules, {}, positive)
