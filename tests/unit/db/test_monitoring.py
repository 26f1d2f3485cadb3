"""Home-treatment plans (db.monitoring) on SQLite and PostgreSQL with a fixed clock: a plan
from a declaration and from a case saved on a call, its check-in callbacks at the plan's
times, a worsening trend that alerts and brings the next check-in forward, a missed
check-in that is overdue, recovery, and closing an episode."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db import callbacks, declarations, monitoring, monitoring_views
from db.cases import CaseFields, create_case, update_case
from db.engine import transaction
from db.models import Agent, Call, Callback, Case, CheckIn, Episode, Topic

CA_MAU = ZoneInfo("Asia/Ho_Chi_Minh")
DAY1 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 08:00 in Cà Mau
PHONE = "+84912345678"
NURSE = 1


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=CA_MAU).astimezone(UTC)


@pytest.fixture
def seeded(seeded: sessionmaker[Session]) -> sessionmaker[Session]:
    """The seeded database with the nurse (agent 1) who makes the calls."""
    with transaction(seeded) as s:
        s.add(Agent(id=NURSE, username="lan", full_name="Nguyễn Thị Lan", role="nurse",
                    password_hash="-"))
    return seeded


def _declare(sessions: sessionmaker[Session], now: datetime, **changes: Any) -> str:
    data = {"full_name": "Nguyễn Thị Hoa", "birth_year": 1980, "sex": "female",
            "phone": "0912 345 678", "admin_unit": "32167", "positive_date": "2026-11-25",
            "test_type": "rapid_antigen", "spo2": 98, **changes}
    with transaction(sessions) as s:
        form = declarations.declaration_form(s, "f0_home_care")
        return declarations.receive(s, form, data, source="web", now=now,
                                    today=now.date()).receipt_code


def _episode(s: Session) -> Episode:
    return s.scalars(select(Episode).where(Episode.phone == PHONE)).one()


def _open_callback(s: Session) -> Callback | None:
    return s.scalar(select(Callback).where(Callback.phone == PHONE,
                                           Callback.state.in_(("open", "dialing"))))


def _check_in_call(sessions: sessionmaker[Session], at: datetime, readings: dict[str, Any],
                   outcome: str = "follow_up") -> monitoring.Checked | None:
    """A nurse dials the patient's check-in, reaches them, and saves the readings."""
    with transaction(sessions) as s:
        callback = _open_callback(s)
        assert callback is not None
        token = callbacks.claim(s, callback.id, 1, at)
        call = callbacks.agent_answered(s, callback.id, token, f"leg-{at.timestamp()}", at)
        assert call is not None
        callbacks.dial_ended(s, callback.id, token, callbacks.REACHED, at,
                             callbacks.RetryPolicy(), call.uuid)
        topic = s.scalars(select(Topic).where(Topic.key == "f0_home_care")).one()
        episode = _episode(s)
        form = {"full_name": "Nguyễn Thị Hoa", "birth_year": 1980,
                "positive_date": "2026-11-25", "outcome": outcome,
                "follow_up_on": "2026-12-10", **readings}
        if episode.case_id is None:
            case = create_case(s, topic, CaseFields(form=form, status="follow_up",
                                                    caller_phone=PHONE), 1, at)
        else:
            current = s.get_one(Case, episode.case_id)
            case = update_case(s, current.code, current.version,
                               CaseFields(form=form, status="follow_up", caller_phone=PHONE),
                               1, at)
        call.case_id = case.id
        return monitoring.on_case_saved(s, case, call.id, 1, at, CA_MAU)


def test_a_declaration_starts_a_plan_whose_first_check_in_is_its_callback(
        seeded: sessionmaker[Session]) -> None:
    _declare(seeded, DAY1)
    with transaction(seeded) as s:
        assert len(monitoring.open_from_declarations(s, DAY1, CA_MAU)) == 1
        assert monitoring.open_from_declarations(s, DAY1, CA_MAU) == []  # seen once only
    with seeded() as s:
        episode = _episode(s)
        assert (episode.state, episode.person_name, episode.positive_date) == (
            "active", "Nguyễn Thị Hoa", date(2026, 11, 25))
        assert episode.times == ["09:00"]  # 46, vaccinated unknown, green: once a day
        check_in = s.scalars(select(CheckIn)).one()
        assert (check_in.source, check_in.spo2, check_in.level) == ("declaration", 98, "green")
        callback = _open_callback(s)
        assert callback is not None
        assert (callback.reason, callback.episode_id) == ("declaration", episode.id)


def test_check_ins_follow_the_plan_then_the_patient_recovers(
        seeded: sessionmaker[Session]) -> None:
    _declare(seeded, DAY1)
    with transaction(seeded) as s:
        monitoring.open_from_declarations(s, DAY1, CA_MAU)
    checked = _check_in_call(seeded, _local(3, 9, 30), {"spo2": 97, "respiratory_rate": 18})
    assert checked is not None and (checked.alert, checked.ended) == (False, None)
    with seeded() as s:
        callback = _open_callback(s)
        assert callback is not None  # the next check-in: tomorrow 09:00
        assert (callback.reason, callback.note, callback.due_at) == (
            "follow_up", monitoring.CHECK_IN_NOTE, _local(4, 9))
        assert _episode(s).case_id is not None
    checked = _check_in_call(seeded, _local(4, 9, 5), {"spo2": 97, "respiratory_rate": 17})
    assert checked is not None and checked.ended is None  # 9 days since the test: not yet
    checked = _check_in_call(seeded, _local(5, 9, 10), {"spo2": 98, "respiratory_rate": 16,
                                                          "negative_test_on": "2026-12-05"})
    assert checked is not None and checked.ended == "recovered"
    with seeded() as s:
        episode = _episode(s)
        assert (episode.state, episode.ended_at) == ("recovered", _local(5, 9, 10))
        assert _open_callback(s) is None  # nothing owed any more
        assert len(monitoring.readings(s, episode.id)) == 4  # the declaration + 3 calls


def test_a_worse_check_in_alerts_and_is_checked_again_within_hours(
        seeded: sessionmaker[Session]) -> None:
    _declare(seeded, DAY1)
    with transaction(seeded) as s:
        monitoring.open_from_declarations(s, DAY1, CA_MAU)
    _check_in_call(seeded, _local(3, 9, 30), {"spo2": 98, "respiratory_rate": 14})
    # breathing faster by 4 a minute: still green, but worse
    checked = _check_in_call(seeded, _local(4, 9, 0), {"spo2": 97, "respiratory_rate": 18})
    assert checked is not None and checked.alert and checked.level == "green"
    with seeded() as s:
        episode = _episode(s)
        assert episode.worsening and episode.alert_at == _local(4, 9)
        assert episode.reasons == ["respiratory rate 14 → 18"]
        callback = _open_callback(s)
        assert callback is not None and callback.due_at == _local(4, 13)  # recheck_hours 4
        summary = monitoring_views.for_callbacks(s, [episode.id], _local(4, 9, 1), CA_MAU)
        line = summary[episode.id]
        assert (line["day"], line["check_ins"], line["alert"]) == (10, 3, True)
        assert (line["last"]["respiratory_rate"], line["previous"]["respiratory_rate"]) == (
            18, 14)
    # the next check-in, better again: the alert is over
    checked = _check_in_call(seeded, _local(4, 13, 5), {"spo2": 98, "respiratory_rate": 15})
    assert checked is not None and not checked.alert
    with seeded() as s:
        assert _episode(s).alert_at is None and not _episode(s).worsening


def test_a_red_web_report_brings_the_check_in_forward_to_now(
        seeded: sessionmaker[Session]) -> None:
    receipt = _declare(seeded, DAY1)
    with transaction(seeded) as s:
        monitoring.open_from_declarations(s, DAY1, CA_MAU)
    _check_in_call(seeded, _local(3, 9, 30), {"spo2": 97})
    at = _local(3, 20)
    with transaction(seeded) as s:
        topic = s.scalars(select(Topic).where(Topic.key == "f0_home_care")).one()
        code = declarations.normalise_receipt(receipt)
        assert code is not None
        assert monitoring.web_check_in(s, topic, code, "0999 999 999", {"spo2": 91}, at,
                                       CA_MAU) is None  # not their phone
        checked = monitoring.web_check_in(s, topic, code, "0912345678",
                                          {"spo2": 91, "red_flags": ["dyspnoea"]}, at, CA_MAU)
    assert checked is not None and (checked.alert, checked.level) == (True, "red")
    with seeded() as s:
        callback = _open_callback(s)
        assert callback is not None and callback.due_at == at
        assert _episode(s).times == ["08:00", "16:00"]  # red: twice a day


def test_a_missed_check_in_is_overdue_and_the_next_one_is_owed(
        seeded: sessionmaker[Session]) -> None:
    _declare(seeded, DAY1)
    with transaction(seeded) as s:
        monitoring.open_from_declarations(s, DAY1, CA_MAU)
    _check_in_call(seeded, _local(3, 9, 30), {"spo2": 97})
    policy = callbacks.RetryPolicy()
    at = _local(4, 9)
    for _ in range(policy.max_attempts):
        with transaction(seeded) as s:
            callback = _open_callback(s)
            assert callback is not None
            token = callbacks.claim(s, callback.id, 1, at)
            state = callbacks.dial_ended(s, callback.id, token, "NO_ANSWER", at, policy)
        at += policy.retry_after
    assert state == "failed"
    with seeded() as s:
        episode = _episode(s)
        assert (episode.missed, episode.missed_at) == (1, at - policy.retry_after)
        line = monitoring_views.cohort(s, None, at, CA_MAU)["patients"][0]
        assert line["overdue"] and line["missed"] == 1
    with transaction(seeded) as s:
        assert monitoring.owe_all(s, at, CA_MAU) == [episode.id]
    with seeded() as s:
        callback = _open_callback(s)
        assert callback is not None and callback.due_at == _local(5, 9)


def test_an_unanswered_check_in_is_overdue_an_hour_after_its_time(
        seeded: sessionmaker[Session]) -> None:
    _declare(seeded, DAY1)
    with transaction(seeded) as s:
        monitoring.open_from_declarations(s, DAY1, CA_MAU)
    _check_in_call(seeded, _local(3, 9, 30), {"spo2": 97})
    with seeded() as s:
        assert not monitoring_views.cohort(s, None, _local(4, 9, 59), CA_MAU)[
            "patients"][0]["overdue"]
        view = monitoring_views.cohort(s, None, _local(4, 10), CA_MAU)
        assert view["patients"][0]["overdue"]
        assert view["units"][0]["overdue"] == 1 and view["units"][0]["active"] == 1


def test_a_case_from_a_call_starts_a_plan_and_escalation_ends_it(
        seeded: sessionmaker[Session]) -> None:
    at = _local(3, 10)
    with transaction(seeded) as s:
        topic = s.scalars(select(Topic).where(Topic.key == "f0_home_care")).one()
        call = Call(uuid="in-1", caller_number=PHONE, started_at=at, topic_id=topic.id)
        s.add(call)
        s.flush()
        info = create_case(s, topic, CaseFields(form={"outcome": "info_only"},
                                                caller_phone=PHONE), 1, at)
        assert monitoring.on_case_saved(s, info, call.id, 1, at, CA_MAU) is None  # no F0
        form = {"full_name": "Lê Văn Ba", "birth_year": 1950, "positive_date": "2026-12-01",
                "spo2": 96, "outcome": "advised_home"}
        case = create_case(s, topic, CaseFields(form=form, caller_phone=PHONE), 1, at)
        checked = monitoring.on_case_saved(s, case, call.id, 1, at, CA_MAU)
        assert checked is not None and checked.ended is None
        episode = _episode(s)
        assert episode.times == ["08:00", "16:00"]  # 76 years old
        assert _open_callback(s) is not None
    with transaction(seeded) as s:
        case = s.get_one(Case, case.id)
        escalated = update_case(s, case.code, case.version, CaseFields(
            form={**form, "outcome": "escalated_115"}, caller_phone=PHONE), 1, at)
        checked = monitoring.on_case_saved(s, escalated, call.id, 1, at, CA_MAU)
        assert checked is not None and checked.ended == "facility"
    with seeded() as s:
        assert _episode(s).state == "facility"
        cancelled = s.scalars(select(Callback).where(Callback.phone == PHONE)).one()
        assert cancelled.state == "cancelled"


def test_closing_keeps_a_callback_the_episode_only_took_over(
        seeded: sessionmaker[Session]) -> None:
    _declare(seeded, DAY1)
    with transaction(seeded) as s:
        monitoring.open_from_declarations(s, DAY1, CA_MAU)
        episode = _episode(s)
        monitoring.close(s, episode.id, "lost", 1, DAY1, "wrong number")
        with pytest.raises(monitoring.DataError):
            monitoring.close(s, episode.id, "recovered", 1, DAY1)
        with pytest.raises(monitoring.DataError):
            monitoring.close(s, episode.id, "cured", 1, DAY1)
    with seeded() as s:
        callback = s.scalars(select(Callback).where(Callback.phone == PHONE)).one()
        # the declaration's own callback is still owed, no longer a check-in
        assert (callback.state, callback.episode_id) == ("open", None)
        assert monitoring.owe_all(s, DAY1 + timedelta(days=1), CA_MAU) == []


def test_a_patients_own_report_is_triaged_with_what_is_known_of_them(
        seeded: sessionmaker[Session]) -> None:
    """A 76-year-old's good readings are still yellow (age), so one green-looking report on
    the web does not end her plan as recovered."""
    receipt = _declare(seeded, DAY1, birth_year=1950, red_flags=["dyspnoea"], spo2=95)
    with transaction(seeded) as s:
        monitoring.open_from_declarations(s, DAY1, CA_MAU)
        topic = s.scalars(select(Topic).where(Topic.key == "f0_home_care")).one()
        code = declarations.normalise_receipt(receipt)
        assert code is not None
        at = _local(6, 10)  # eleven days after the positive test
        checked = monitoring.web_check_in(s, topic, code, "0912345678",
                                          {"spo2": 98, "respiratory_rate": 16}, at, CA_MAU)
    # yellow by age; the declaration's danger sign is not today's
    assert checked is not None and checked.level == "yellow" and checked.ended is None
    with seeded() as s:
        assert _episode(s).state == "active"
