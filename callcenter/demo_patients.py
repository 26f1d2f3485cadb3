"""The demo's patients under home-treatment monitoring: declarations of the last days and the
nurses' check-ins since, written through the same code as real ones (db.declarations,
db.monitoring) at their past times, so the nurse's list and the lead's cohort start from a
working week — most patients getting better, two getting worse, one not reached at their
last check-in, some recovered. Only for the demo; `--no-history` starts empty."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import declarations, monitoring
from db.cases import CaseFields, create_case, update_case
from db.models import AdminUnit, Agent, Callback, Case, Episode, Topic
from rules.monitoring import next_check_in

TOPIC = "f0_home_care"
# Not the demo staff's names (callcenter/demo.py FAMILY × GIVEN): a patient is not a nurse.
NAMES = ("Nguyễn Văn Út", "Trần Thị Bé", "Lê Hoàng Nam", "Phạm Thị Xuân", "Đinh Văn Hải",
         "Cao Thị Lài", "Lâm Minh Trí", "Tô Thị Hồng", "Châu Văn Lực", "Quách Thị Mận",
         "La Văn Dũng", "Thái Thị Sen", "Kiều Văn Phước", "Triệu Thị Bích", "Huỳnh Văn Sáu",
         "Tạ Thị Lan Anh", "Mạc Văn Tấn", "Lục Thị Nga")


@dataclass(frozen=True)
class Course:
    """How a patient's readings go from one check-in to the next: better, and for some worse
    over the last day and a half (the ones the nurse must call now)."""

    worse_in_last_hours: float = 0.0
    missed_last: bool = False


BETTER, WORSE, MISSED = Course(), Course(worse_in_last_hours=36), Course(missed_last=True)
CALLED_AFTER = timedelta(hours=2)  # a check-in time this long past was called; later: owed


def seed_patients(session: Session, now: datetime, zone: ZoneInfo, seed: int = 1) -> int:
    """Patients declared over the last ten days and checked on since; returns how many."""
    rng = random.Random(seed)  # noqa: S311 — simulated patients, not a secret
    topic = session.scalars(select(Topic).where(Topic.key == TOPIC)).one()
    form = declarations.declaration_form(session, TOPIC)
    units = list(session.scalars(select(AdminUnit.code).where(AdminUnit.kind != "province")
                                 .order_by(AdminUnit.code)))[:12]  # a few communes, several each
    nurses: list[int | None] = list(session.scalars(
        select(Agent.id).where(Agent.role == "nurse").order_by(Agent.id))) or [None]
    today = now.astimezone(zone).date()
    for n, name in enumerate(NAMES):
        course = WORSE if n in (3, 11) else MISSED if n == 7 else BETTER
        # the worse and the missed ones still in their plan (not yet ten days)
        positive = today - timedelta(days=rng.randint(2, 12) if course is BETTER else
                                     rng.randint(3, 7))
        declared = datetime.combine(positive + timedelta(days=1), time(7), zone) + \
            timedelta(minutes=rng.randint(0, 600))
        if declared >= now:
            declared = now - timedelta(hours=3)
        born = rng.choice((1950, 1958, 1972, 1985, 1990, 1996, 2001))
        data: dict[str, object] = {
            "full_name": name, "birth_year": born,
            "sex": "female" if " Thị " in name else "male",
            "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
            "admin_unit": rng.choice(units), "positive_date": positive.isoformat(),
            "test_type": "rapid_antigen", "spo2": rng.choice((97, 98, 98, 99))}
        declarations.receive(session, form, data, source="web", now=declared,
                             today=declared.astimezone(zone).date())
        monitoring.open_from_declarations(session, declared, zone)
        episode = session.scalars(select(Episode).order_by(Episode.id.desc())).first()
        if episode is not None:
            _check_ins(session, topic, episode, data, course, rng.choice(nurses), now, zone,
                       rng)
    monitoring.owe_all(session, now, zone)
    return len(NAMES)


def _check_ins(session: Session, topic: Topic, episode: Episode, data: dict[str, object],
               course: Course, nurse: int | None, now: datetime, zone: ZoneInfo,
               rng: random.Random) -> None:
    """The nurse's calls at the plan's times, up to the last time already passed (the one due
    now is left owed), each with the day's readings."""
    rules = monitoring.rules_of(topic)
    assert rules is not None  # noqa: S101 - the shipped topic monitors
    slot = next_check_in(_times(episode), episode.started_at, zone)
    spo2, breathing, day = float(str(data["spo2"])), 18.0, 0
    while episode.state == "active":
        following = next_check_in(_times(episode), slot, zone)
        if slot > now - CALLED_AFTER:  # the last hours' and the future times: owed
            break
        day += 1
        episode.last_slot_at = slot
        at = slot + timedelta(minutes=rng.randint(5, 50))
        if course.missed_last and following > now - CALLED_AFTER:  # the last one called
            _missed(session, episode, slot, at)
            slot = following
            continue
        worse = now - at < timedelta(hours=course.worse_in_last_hours)
        spo2 = min(99.0, spo2 + (-2.2 if worse else 0.3) + rng.uniform(-0.3, 0.3))
        breathing = max(14.0, breathing + (3.0 if worse else -0.5) + rng.uniform(-0.5, 0.5))
        form = {**data, "spo2": round(spo2), "respiratory_rate": round(breathing),
                "temperature": round(rng.uniform(36.6, 38.4 if day < 3 else 37.4), 1),
                "outcome": "follow_up",
                "follow_up_on": following.astimezone(zone).date().isoformat()}
        form.pop("phone", None)
        form.pop("sex", None)
        if day >= 5 and course is not WORSE and rng.random() < 0.5:
            form["negative_test_on"] = at.astimezone(zone).date().isoformat()
        _called(session, topic, episode, form, nurse, at)
        monitoring.record(session, episode, topic, form, at, "call", agent_id=nurse)
        monitoring.assess(session, episode, topic, form, at, zone, "call")
        slot = following


def _called(session: Session, topic: Topic, episode: Episode, form: dict[str, object],
            nurse: int | None, at: datetime) -> None:
    """The first call makes the patient's case; the declaration's callback is done."""
    if episode.case_id is None:
        case = create_case(session, topic, CaseFields(form=form, status="follow_up",
                                                      caller_phone=episode.phone,
                                                      assignee_id=nurse), nurse, at)
        episode.case_id = case.id
    else:
        case = session.get_one(Case, episode.case_id)
        update_case(session, case.code, case.version, CaseFields(
            form=form, status="follow_up", caller_phone=episode.phone, assignee_id=nurse),
            nurse, at)
    for callback in session.scalars(select(Callback).where(
            Callback.phone == episode.phone, Callback.state == "open")):
        callback.state, callback.attempts, callback.last_attempt_at = "done", 1, at
        callback.last_result, callback.updated_at = "SUCCESS", at


def _missed(session: Session, episode: Episode, slot: datetime, at: datetime) -> None:
    """A check-in not reached after its three tries."""
    given_up = Callback(phone=episode.phone, topic_id=episode.topic_id, reason="follow_up",
                        state="failed", due_at=slot, attempts=3, episode_id=episode.id,
                        note=monitoring.CHECK_IN_NOTE, last_result="NO_ANSWER",
                        last_attempt_at=at + timedelta(minutes=30), created_at=slot,
                        updated_at=at + timedelta(minutes=30))
    session.add(given_up)
    session.flush()
    monitoring.missed(session, given_up, at + timedelta(minutes=30))


def _times(episode: Episode) -> list[time]:
    return [time.fromisoformat(t) for t in episode.times]
