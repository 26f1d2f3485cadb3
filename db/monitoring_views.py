"""What the desktops show of home-treatment episodes, as plain dicts ready for JSON: a
check-in callback's summary (the last readings and their trend), a patient's whole episode (the
readings over days, for the chart), and the leads' cohort by commune."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models import AdminUnit, Agent, Callback, Case, CheckIn, Episode, Topic
from db.models.calls import OPEN_CALLBACK_STATES
from db.monitoring import readings, rules_of
from rules.monitoring import MonitoringRules, overdue

COHORT_DAYS = 30  # episodes ended within this many days still show (recovered, …)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def reading_payload(row: CheckIn) -> dict[str, Any]:
    return {"at": row.at.isoformat(), "source": row.source, "spo2": row.spo2,
            "respiratory_rate": row.respiratory_rate, "temperature": row.temperature,
            "level": row.level, "red_flags": row.red_flags,
            "negative_test": row.negative_test}


def summary(episode: Episode, rows: list[CheckIn], due_at: dt.datetime | None,
            rules: MonitoringRules | None, now: dt.datetime, zone: dt.tzinfo
            ) -> dict[str, Any]:
    """One episode as a line: its day of illness, level, trend, the last two readings, the
    next check-in and whether it is overdue."""
    today = now.astimezone(zone).date()
    missed_last = episode.missed_at is not None and (
        episode.last_check_in_at is None or episode.missed_at > episode.last_check_in_at)
    late = episode.state == "active" and rules is not None and overdue(
        due_at, now, missed_last, rules)
    return {"id": episode.id, "state": episode.state, "level": episode.level,
            "person_name": episode.person_name, "birth_year": episode.birth_year,
            "worsening": episode.worsening, "reasons": list(episode.reasons or []),
            "alert": episode.alert_at is not None, "missed": episode.missed,
            "overdue": late, "times": list(episode.times or []),
            "day": (today - episode.positive_date).days + 1 if episode.positive_date else None,
            "positive_date": episode.positive_date.isoformat() if episode.positive_date
            else None, "check_ins": len(rows), "next_due_at": _iso(due_at),
            "last_check_in_at": _iso(episode.last_check_in_at),
            "last": reading_payload(rows[-1]) if rows else None,
            "previous": reading_payload(rows[-2]) if len(rows) > 1 else None,
            "started_at": episode.started_at.isoformat(), "ended_at": _iso(episode.ended_at)}


def for_callbacks(session: Session, episode_ids: Collection[int], now: dt.datetime,
                  zone: dt.tzinfo) -> dict[int, dict[str, Any]]:
    """The summaries the callback rows carry, by episode id."""
    if not episode_ids:
        return {}
    episodes = session.execute(select(Episode, AdminUnit.name).outerjoin(
        AdminUnit, AdminUnit.code == Episode.admin_unit_code).where(
        Episode.id.in_(episode_ids))).all()
    rules = _rules(session)
    due = _due(session, [e.id for e, _ in episodes])
    checked = _all_readings(session, [e.id for e, _ in episodes])  # one query, not one each
    return {e.id: summary(e, checked.get(e.id, []), due.get(e.id), rules.get(e.topic_id),
                          now, zone) | {"unit": unit} for e, unit in episodes}


def episode_view(session: Session, episode_id: int, now: dt.datetime, zone: dt.tzinfo
                 ) -> dict[str, Any] | None:
    """The whole episode: who, where, the plan, and every check-in (the chart's points)."""
    episode = session.get(Episode, episode_id)
    if episode is None:
        return None
    rows = readings(session, episode.id)
    view = summary(episode, rows, _due(session, [episode.id]).get(episode.id),
                   _rules(session).get(episode.topic_id), now, zone)
    unit = session.get(AdminUnit, episode.admin_unit_code) if episode.admin_unit_code else None
    case = session.get(Case, episode.case_id) if episode.case_id else None
    view.update({"topic": session.get_one(Topic, episode.topic_id).key,
                 "unit": unit.name if unit else None, "case_id": episode.case_id,
                 "case_code": case.code if case else None, "end_note": episode.end_note,
                 "readings": [reading_payload(r) for r in rows]})
    return view


def episode_of(session: Session, case_id: int | None = None, phone: str | None = None,
               topic_key: str | None = None) -> int | None:
    """The episode of a case (the newest), or the active one of a caller in a topic."""
    if case_id is not None:
        return session.scalar(select(Episode.id).where(Episode.case_id == case_id)
                              .order_by(Episode.id.desc()).limit(1))
    if phone and topic_key:
        return session.scalar(select(Episode.id).join(Topic).where(
            Episode.phone == phone, Topic.key == topic_key, Episode.state == "active"))
    return None


def cohort(session: Session, topic_ids: Collection[int] | None, now: dt.datetime,
           zone: dt.tzinfo) -> dict[str, Any]:
    """The leads' view: the patients under monitoring (and those ended lately) with their
    line, and by commune how many are monitored, due today, overdue, worse, recovered."""
    query = select(Episode, AdminUnit.name, Case.code, Agent.full_name).outerjoin(
        AdminUnit, AdminUnit.code == Episode.admin_unit_code).outerjoin(
        Case, Case.id == Episode.case_id).outerjoin(Agent, Agent.id == Case.assignee_id).where(
        or_(Episode.state == "active",
            Episode.ended_at >= now - dt.timedelta(days=COHORT_DAYS)))
    if topic_ids is not None:
        query = query.where(Episode.topic_id.in_(topic_ids))
    found = session.execute(query.order_by(Episode.id)).all()
    rules = _rules(session)
    due = _due(session, [e.id for e, *_ in found])
    checked = _all_readings(session, [e.id for e, *_ in found])
    end_of_day = dt.datetime.combine(now.astimezone(zone).date() + dt.timedelta(days=1),
                                     dt.time(0), zone)
    patients: list[dict[str, Any]] = []
    units: dict[str, dict[str, Any]] = {}
    for episode, unit, code, nurse in found:
        line = summary(episode, checked.get(episode.id, []), due.get(episode.id),
                       rules.get(episode.topic_id), now, zone)
        line.update({"unit": unit, "unit_code": episode.admin_unit_code, "case_code": code,
                     "nurse": nurse})
        line["due_today"] = episode.state == "active" and due.get(episode.id) is not None \
            and due[episode.id] < end_of_day
        patients.append(line)
        counts = units.setdefault(episode.admin_unit_code or "", {
            "unit_code": episode.admin_unit_code, "unit": unit, "active": 0, "due_today": 0,
            "overdue": 0, "worsening": 0, "recovered": 0, "facility": 0})
        if episode.state == "active":
            counts["active"] += 1
            counts["due_today"] += line["due_today"]
            counts["overdue"] += line["overdue"]
            counts["worsening"] += bool(episode.worsening or line["alert"])
        elif episode.state in ("recovered", "facility"):
            counts[episode.state] += 1
    ordered = sorted(units.values(), key=lambda u: (-u["overdue"], -u["worsening"],
                                                    -u["active"], u["unit"] or ""))
    return {"units": ordered, "patients": patients, "days": COHORT_DAYS}


def _rules(session: Session) -> dict[int, MonitoringRules | None]:
    return {t.id: rules_of(t) for t in session.scalars(select(Topic))}


def _due(session: Session, episode_ids: list[int]) -> dict[int, dt.datetime]:
    """Each episode's next check-in: when its open callback is due."""
    if not episode_ids:
        return {}
    rows = session.execute(select(Callback.episode_id, Callback.due_at).where(
        Callback.episode_id.in_(episode_ids), Callback.state.in_(OPEN_CALLBACK_STATES)))
    return {episode_id: due_at for episode_id, due_at in rows if episode_id is not None}


def _all_readings(session: Session, episode_ids: list[int]) -> dict[int, list[CheckIn]]:
    found: dict[int, list[CheckIn]] = {}
    if episode_ids:
        for row in session.scalars(select(CheckIn).where(CheckIn.episode_id.in_(episode_ids))
                                   .order_by(CheckIn.at, CheckIn.id)):
            found.setdefault(row.episode_id, []).append(row)
    return found
