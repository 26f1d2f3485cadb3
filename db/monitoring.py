"""Home-treatment monitoring plans: an episode per F0 patient from the first call or declaration
to recovery, its check-ins (a nurse's call, the patient's report on the web, a declaration),
and the check-in callbacks it owes, at the plan's times (rules/monitoring.py decides; this module
reads and writes).

Every function takes `now` and the site's time zone: the hub passes its clock, tests a fixed one.
A check-in is owed as a `follow_up` callback carrying the episode; a caller's callback already
open in the topic (one per caller and topic) is taken as the check-in instead."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.errors import DataError, NotFound
from db.models import Callback, Case, CheckIn, Declaration, Episode, Topic
from db.models.calls import OPEN_CALLBACK_STATES
from rules.monitoring import (
    END_STATES,
    MonitoringRules,
    Reading,
    alerting,
    check_times,
    negative_test,
    next_check_in,
    reading_of,
    recovered,
    trend,
)
from rules.phone import normalise_phone
from rules.triage import triage

CHECK_IN_NOTE = "Theo dõi tại nhà"  # the note of a check-in callback this module owed
DECLARATION_WINDOW = dt.timedelta(days=14)  # how far back a declaration still starts a plan


@dataclass(frozen=True)
class Checked:
    """What a check-in (or a case saved) did to its episode."""

    episode_id: int
    alert: bool = False  # worse, or at an alert level: the lead is told, the next one sooner
    ended: str | None = None  # the state the episode ended as
    level: str | None = None


def rules_of(topic: Topic) -> MonitoringRules | None:
    return MonitoringRules.of(topic.rules)


def active_episode(session: Session, phone: str, topic_id: int) -> Episode | None:
    return session.scalar(select(Episode).where(
        Episode.phone == phone, Episode.topic_id == topic_id, Episode.state == "active"))


def start(session: Session, topic: Topic, rules: MonitoringRules, phone: str,
          form: Mapping[str, Any], now: dt.datetime, zone: dt.tzinfo) -> Episode:
    """The patient's active episode in the topic, or a new one planned from `form`."""
    episode = active_episode(session, phone, topic.id)
    if episode is None:
        episode = Episode(topic_id=topic.id, phone=phone, state="active", started_at=now,
                          updated_at=now, missed=0, worsening=False, reasons=[])
        session.add(episode)
    _describe(episode, form)
    episode.times = _times(rules, form, episode.level, now.astimezone(zone).date())
    session.flush()
    return episode


def open_from_declarations(session: Session, now: dt.datetime, zone: dt.tzinfo) -> list[int]:
    """Each declaration of a monitored topic not yet seen here (lately): its person's episode
    (started, or the active one), with the declaration as a check-in, and its callback as the
    episode's first check-in. Returns the episodes touched."""
    topics = {t.id: t for t in session.scalars(select(Topic).where(Topic.active))
              if rules_of(t) is not None}
    if not topics:
        return []
    seen = select(CheckIn.id).where(CheckIn.declaration_id == Declaration.id).exists()
    rows = session.scalars(select(Declaration).where(
        Declaration.topic_id.in_(topics), Declaration.received_at >= now - DECLARATION_WINDOW,
        ~seen).order_by(Declaration.id).limit(500)).all()  # an anti-join on the index
    touched = []
    for declaration in rows:
        topic = topics[declaration.topic_id or 0]
        rules = rules_of(topic)
        assert rules is not None  # noqa: S101 - topics holds monitored topics only
        form = dict(declaration.payload or {})
        episode = start(session, topic, rules, declaration.phone, form, now, zone)
        if episode.declaration_id is None:
            episode.declaration_id = declaration.id
        record(session, episode, topic, form, declaration.received_at, "declaration",
               declaration_id=declaration.id)
        assess(session, episode, topic, form, now, zone, "declaration")
        owe_check_in(session, episode, rules, now, zone)
        touched.append(episode.id)
    return touched


def on_case_saved(session: Session, case: Case, call_id: int | None, agent_id: int | None,
                  now: dt.datetime, zone: dt.tzinfo) -> Checked | None:
    """A case of a monitored topic was saved: a case with a positive test date and a
    home-treatment outcome starts a plan; saved on a call, it is a check-in of the patient's
    episode (one per call); an ending outcome ends the episode."""
    topic = session.get_one(Topic, case.topic_id)
    rules = rules_of(topic)
    if rules is None or not case.caller_phone:
        return None
    form = case.form_data or {}
    episode = session.scalar(select(Episode).where(
        Episode.case_id == case.id, Episode.state == "active")) or active_episode(
        session, case.caller_phone, topic.id)
    if episode is None:
        if not form.get("positive_date") or case.outcome_code not in rules.start_outcomes:
            return None
        episode = start(session, topic, rules, case.caller_phone, form, now, zone)
    else:
        _describe(episode, form)
    if episode.case_id is None:
        episode.case_id = case.id
    checked = Checked(episode.id)
    if call_id is not None:
        record(session, episode, topic, form, now, "call", call_id=call_id, agent_id=agent_id)
        checked = assess(session, episode, topic, form, now, zone, "call")
    ending = rules.end_outcomes.get(case.outcome_code or "")
    if ending and episode.state == "active":
        close(session, episode.id, ending, agent_id, now, f"outcome {case.outcome_code}")
        return Checked(episode.id, checked.alert, ending, checked.level)
    if episode.state == "active":
        owe_check_in(session, episode, rules, now, zone)
    return checked


def record(session: Session, episode: Episode, topic: Topic, form: Mapping[str, Any],
           at: dt.datetime, source: str, *, call_id: int | None = None,
           declaration_id: int | None = None, agent_id: int | None = None,
           known: Mapping[str, Any] | None = None) -> CheckIn:
    """A check-in's readings, triaged again by the topic's rules with what is `known` of the
    patient (age, chronic conditions, pregnancy, vaccination: a patient's own report has only
    the readings); a call's second save replaces its first."""
    rules = rules_of(topic)
    found = triage(topic.rules, {**(known or {}), **form}, schema=topic.form_schema,
                   today=at.date())
    taken = reading_of(rules, form, at, found.level, len(found.red_flags)) if rules else None
    row = session.scalar(select(CheckIn).where(
        CheckIn.episode_id == episode.id, CheckIn.call_id == call_id)) if call_id else None
    if row is None:
        row = CheckIn(episode_id=episode.id, at=at, source=source, call_id=call_id,
                      declaration_id=declaration_id)
        session.add(row)
    fields = rules.check_in_fields if rules and rules.check_in_fields else tuple(form)
    row.agent_id, row.form = agent_id, {k: form[k] for k in fields if k in form}
    if taken is not None:
        row.spo2, row.respiratory_rate, row.temperature = (
            taken.spo2, taken.respiratory_rate, taken.temperature)
    row.level, row.red_flags = found.level, len(found.red_flags)
    row.negative_test = rules is not None and negative_test(rules, form, episode.positive_date)
    session.flush()
    return row


def readings(session: Session, episode_id: int) -> list[CheckIn]:
    return list(session.scalars(select(CheckIn).where(CheckIn.episode_id == episode_id)
                                .order_by(CheckIn.at, CheckIn.id)))


def as_reading(row: CheckIn) -> Reading:
    return Reading(at=row.at, spo2=row.spo2, respiratory_rate=row.respiratory_rate,
                   temperature=row.temperature, level=row.level, red_flags=row.red_flags)


def assess(session: Session, episode: Episode, topic: Topic, form: Mapping[str, Any],
           now: dt.datetime, zone: dt.tzinfo, source: str) -> Checked:
    """The episode after its newest check-in: level, trend, the plan's times (a higher level
    may call for twice a day), recovery (the episode ends), or an alert (the lead is told and
    the next check-in is brought forward: at once after the patient's own report, within
    `recheck_hours` after a nurse's call)."""
    rules = rules_of(topic)
    rows = readings(session, episode.id)
    if rules is None or not rows:
        return Checked(episode.id)
    taken = [as_reading(r) for r in rows]
    last, worse = taken[-1], trend(rules, taken)
    episode.level, episode.worsening, episode.reasons = last.level, worse.worsening, \
        list(worse.reasons)
    episode.last_check_in_at = max(last.at, episode.last_check_in_at or last.at)
    today = now.astimezone(zone).date()
    episode.times = _times(rules, form, last.level, today)
    alert = alerting(rules, last, worse)
    episode.alert_at = (episode.alert_at or now) if alert else None
    if not alert and recovered(rules, episode.positive_date or today, today,
                               any(r.negative_test for r in rows), last):
        close(session, episode.id, "recovered", None, now, "recovered by the plan's rules")
        return Checked(episode.id, False, "recovered", last.level)
    if alert:
        soon = now if source != "call" else now + dt.timedelta(hours=rules.recheck_hours)
        owe_check_in(session, episode, rules, now, zone, by=soon)
    return Checked(episode.id, alert, None, last.level)


def owe_check_in(session: Session, episode: Episode, rules: MonitoringRules,
                 now: dt.datetime, zone: dt.tzinfo, by: dt.datetime | None = None
                 ) -> Callback | None:
    """The episode's next check-in: at the plan's next time after the last slot owed and the
    last check-in (or sooner: `by`). The caller's callback open in the topic is taken as it
    (brought forward to `by`); else a follow_up is owed."""
    if episode.state != "active" or not episode.times:
        return None
    after = max(t for t in (episode.last_slot_at, episode.last_check_in_at,
                            episode.started_at) if t is not None)
    slot = next_check_in([dt.time.fromisoformat(t) for t in episode.times], after, zone)
    due = min(slot, by) if by is not None else slot
    current = session.scalar(select(Callback).where(
        Callback.phone == episode.phone, Callback.topic_id == episode.topic_id,
        Callback.state.in_(OPEN_CALLBACK_STATES)))
    if current is not None:
        current.episode_id = episode.id
        if by is not None and current.state == "open" and by < current.due_at:
            current.due_at, current.updated_at = by, now
        return current
    episode.last_slot_at = slot
    callback = Callback(phone=episode.phone, topic_id=episode.topic_id, reason="follow_up",
                        state="open", due_at=due, attempts=0, episode_id=episode.id,
                        note=CHECK_IN_NOTE, created_at=now, updated_at=now)
    session.add(callback)
    session.flush()
    return callback


def owe_all(session: Session, now: dt.datetime, zone: dt.tzinfo) -> list[int]:
    """Every active episode with no callback open owes its next check-in (after a check-in
    callback was reached or given up, or the daemon was down): the ids of those owed."""
    open_ = select(Callback.id).where(
        Callback.phone == Episode.phone, Callback.topic_id == Episode.topic_id,
        Callback.state.in_(OPEN_CALLBACK_STATES)).exists()
    episodes = session.scalars(select(Episode).where(Episode.state == "active", ~open_)
                               .limit(1000)).all()
    topics = {t.id: rules_of(t) for t in session.scalars(select(Topic))}
    owed = []
    for episode in episodes:
        rules = topics.get(episode.topic_id)
        if rules is not None and owe_check_in(session, episode, rules, now, zone) is not None:
            owed.append(episode.id)
    return owed


def missed(session: Session, callback: Callback, now: dt.datetime) -> None:
    """A check-in callback given up (not reached after its retries): a missed check-in."""
    episode = session.get(Episode, callback.episode_id) if callback.episode_id else None
    if episode is not None and episode.state == "active":
        episode.missed += 1
        episode.missed_at = episode.updated_at = now


def close(session: Session, episode_id: int, state: str, agent_id: int | None,
          now: dt.datetime, note: str | None = None) -> Episode:
    """End the episode as `state` (recovered, facility, deceased, lost): the check-ins it
    owed are cancelled; a callback it only took over stays owed, as what it was."""
    if state not in END_STATES:
        raise DataError(f"an episode ends as one of {', '.join(END_STATES)}, not {state!r}")
    episode = session.get(Episode, episode_id)
    if episode is None:
        raise NotFound(f"no episode {episode_id}")
    if episode.state != "active":
        raise DataError(f"episode {episode_id} ended already ({episode.state})")
    episode.state, episode.ended_at, episode.ended_by_id = state, now, agent_id
    episode.end_note, episode.alert_at, episode.updated_at = note, None, now
    for callback in session.scalars(select(Callback).where(
            Callback.episode_id == episode_id, Callback.state == "open")):
        if callback.reason == "follow_up" and callback.note == CHECK_IN_NOTE:
            callback.state = "cancelled"
        else:
            callback.episode_id = None
        callback.updated_at = now
    session.flush()
    return episode


def web_check_in(session: Session, topic: Topic, receipt_code: str, phone: str,
                 form: Mapping[str, Any], now: dt.datetime, zone: dt.tzinfo) -> Checked | None:
    """The patient's own check-in on the web, found by their declaration's receipt code and
    phone; None when they do not match an active episode (the same answer for a wrong code,
    a wrong phone and an ended plan)."""
    try:
        number = normalise_phone(phone)
    except ValueError:
        return None
    declaration = session.scalar(select(Declaration).where(
        Declaration.receipt_code == receipt_code, Declaration.topic_id == topic.id))
    if declaration is None or declaration.phone != number:
        return None
    episode = active_episode(session, number, topic.id)
    if episode is None:
        return None
    case = session.get(Case, episode.case_id) if episode.case_id else None
    known = {**(declaration.payload or {}), **(case.form_data if case else {})}
    for reading in (topic.rules.get("triage", {}).get("red_flag_field", "red_flags"),
                    *(rules.check_in_fields if (rules := rules_of(topic)) else ())):
        known.pop(reading, None)  # the patient's report is today's readings, not the last
    record(session, episode, topic, form, now, "web", known=known)
    return assess(session, episode, topic, {**known, **form}, now, zone, "web")


def _describe(episode: Episode, form: Mapping[str, Any]) -> None:
    """Who the patient is, from the newest form that says."""
    if form.get("full_name"):
        episode.person_name = str(form["full_name"])[:200]
    if isinstance(form.get("birth_year"), int):
        episode.birth_year = form["birth_year"]
    if form.get("admin_unit"):
        episode.admin_unit_code = str(form["admin_unit"])
    if form.get("positive_date"):
        with contextlib.suppress(ValueError):  # a draft's malformed date: keep the last
            episode.positive_date = dt.date.fromisoformat(str(form["positive_date"]))


def _times(rules: MonitoringRules, form: Mapping[str, Any], level: str | None,
           today: dt.date) -> list[str]:
    context = {**form, rules.level_field: level or form.get(rules.level_field)}
    return [t.strftime("%H:%M") for t in check_times(rules, context, today)]
