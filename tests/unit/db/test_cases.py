"""Case codes, form validation, optimistic locking and the change trail, on both databases."""

import json
import re
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from db.cases import CaseFields, create_case, update_case
from db.engine import transaction
from db.errors import FormInvalid, StaleCaseError
from db.models import Case, CaseChange, Topic

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


def _topic(session: Session, key: str = "f0_home_care") -> Topic:
    return session.scalars(select(Topic).where(Topic.key == key)).one()


def _f0_form(**extra: object) -> dict:
    return {"full_name": "Trần Văn Bình", "birth_year": 1956, "spo2": 95,
            "red_flags": ["dyspnoea"], "triage_level": "orange", "outcome": "referred_station",
            **extra}


def test_codes_are_per_topic_and_year(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        f0, report = _topic(s), _topic(s, "epidemic_report")
        codes = [create_case(s, f0, CaseFields(form=_f0_form()), None, NOW).code,
                 create_case(s, f0, CaseFields(form=_f0_form()), None, NOW).code,
                 create_case(s, report, CaseFields(form={
                     "place": "Trạm y tế xã Tân Thuận", "description": "Thiếu thuốc",
                     "severity": "high", "outcome": "forwarded"}), None, NOW).code,
                 create_case(s, f0, CaseFields(form=_f0_form()), None,
                             datetime(2027, 1, 1, tzinfo=UTC)).code]
    assert codes == ["F0-2026-000001", "F0-2026-000002", "PA-2026-000001", "F0-2027-000001"]


def test_invalid_form_is_refused_and_nothing_is_written(seeded: sessionmaker[Session]) -> None:
    with pytest.raises(FormInvalid) as caught, transaction(seeded) as s:
        create_case(s, _topic(s), CaseFields(form={"spo2": 140, "triage_level": "purple"}),
                    None, NOW)
    fields = dict(caught.value.errors)
    assert fields["outcome"] == "is required"
    assert "140" in fields["spo2"]
    assert "triage_level" in fields
    with seeded() as s:
        assert s.scalars(select(Case)).all() == []


def test_outcome_must_be_one_of_the_topics_codes(seeded: sessionmaker[Session]) -> None:
    with pytest.raises(FormInvalid, match="outcome"), transaction(seeded) as s:
        create_case(s, _topic(s), CaseFields(form={"outcome": "answered"}), None, NOW)


def test_every_edit_writes_case_changes(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        case = create_case(s, _topic(s), CaseFields(form=_f0_form(), caller_phone="0912345678"),
                           agent_id=None, now=NOW)
        code = case.code
    assert case.caller_phone == "+84912345678" and case.version == 1
    with transaction(seeded) as s:
        edited = CaseFields(form=_f0_form(spo2=93, outcome="escalated_115"), status="escalated",
                            caller_phone="+84912345678")
        case = update_case(s, code, 1, edited, agent_id=None, now=NOW)
        assert case.version == 2
    with seeded() as s:
        changes = s.scalars(select(CaseChange).where(CaseChange.version == 2)).all()
    got = {c.field: (c.old_value, c.new_value) for c in changes}
    assert got == {
        "form.spo2": ("95", "93"),
        "form.outcome": ('"referred_station"', '"escalated_115"'),
        "outcome_code": ('"referred_station"', '"escalated_115"'),
        "status": ('"open"', '"escalated"'),
    }
    assert all(c.changed_at == NOW for c in changes)


def test_stale_save_is_refused(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        code = create_case(s, _topic(s), CaseFields(form=_f0_form()), None, NOW).code
    with transaction(seeded) as s:
        update_case(s, code, 1, CaseFields(form=_f0_form(advice="Uống nhiều nước")), None, NOW)
    with pytest.raises(StaleCaseError, match=r"version 1, it is now version 2") as caught, \
            transaction(seeded) as s:
        update_case(s, code, 1, CaseFields(form=_f0_form(advice="Nghỉ ngơi")), None, NOW)
    assert caught.value.code == code
    with seeded() as s:
        case = s.scalars(select(Case)).one()
        assert case.form_data["advice"] == "Uống nhiều nước" and case.version == 2


def test_concurrent_edit_between_read_and_write_is_refused(
        seeded: sessionmaker[Session]) -> None:
    """Two agents read version 1; the second UPDATE finds the version moved and fails."""
    with transaction(seeded) as s:
        code = create_case(s, _topic(s), CaseFields(form=_f0_form()), None, NOW).code
    first, second = seeded(), seeded()
    try:
        a = first.scalars(select(Case).where(Case.code == code)).one()
        b = second.scalars(select(Case).where(Case.code == code)).one()
        a.notes = "first"
        first.commit()
        b.notes = "second"
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()


def test_unchanged_save_writes_nothing(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        code = create_case(s, _topic(s), CaseFields(form=_f0_form()), None, NOW).code
    with transaction(seeded) as s:
        assert update_case(s, code, 1, CaseFields(form=_f0_form()), None, NOW).version == 1
    with seeded() as s:
        assert {c.version for c in s.scalars(select(CaseChange))} == {1}


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_codes_stay_unique_under_concurrent_saves(seeded: sessionmaker[Session]) -> None:
    """Eight threads, each its own connection, save 15 cases each at once on PostgreSQL."""
    threads, per_thread = 8, 15
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction(seeded) as s:
                    create_case(s, _topic(s), CaseFields(form=_f0_form(), notes=f"{n}-{i}"),
                                None, NOW)
        except BaseException as exc:  # reported below, with the thread's traceback
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    assert errors == []
    with seeded() as s:
        codes = s.scalars(select(Case.code)).all()
    assert len(codes) == len(set(codes)) == threads * per_thread
    assert all(re.fullmatch(r"F0-2026-\d{6}", c) for c in codes)
    assert max(int(c[-6:]) for c in codes) == threads * per_thread


def test_change_values_are_json(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        create_case(s, _topic(s), CaseFields(form=_f0_form()), None, NOW)
    with seeded() as s:
        row = s.scalars(select(CaseChange).where(CaseChange.field == "form.red_flags")).one()
    assert row.old_value is None and json.loads(row.new_value) == ["dyspnoea"]
