"""The patient's own home-treatment check-in on the web: its JSON Schema, derived from the
topic's data (`check_in_fields` of `[topic.rules.monitoring]`, fields of the case form) the way
a declaration's is, what a schema cannot say (the receipt code's form, a phone that cannot be
called, a date in the future, a report with nothing in it), and the check-in stored, audited,
in one transaction (db/monitoring.py decides what it does to the episode).

The receipt code and the phone find the episode; they are fields of the schema so that the page
and its errors are made the same way as the declaration's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.web.wording import TEXTS
from db import audit, monitoring
from db.declarations import normalise_receipt
from db.errors import DataError
from db.models import Callback, Topic
from db.models.calls import OPEN_CALLBACK_STATES
from rules.declaration import (
    DeclarationRules,
    FieldError,
    declaration_schema,
    plausibility_errors,
    schema_errors,
)
from rules.monitoring import MonitoringRules
from rules.phone import callable_phone
from rules.triage import triage

CODE_FIELD, PHONE_FIELD = "receipt_code", "phone"
_OWN = (CODE_FIELD, PHONE_FIELD)
_PHONE_SPEC = {"type": "string", "maxLength": 20, "x-widget": "phone"}


class NoCheckIns(DataError):
    """The topic takes no check-ins on the web (or does not exist)."""


@dataclass(frozen=True)
class CheckInForm:
    """A topic's check-in form, as the page uses it."""

    topic_id: int
    topic_key: str
    title: str
    title_en: str
    schema: dict[str, Any]  # the check-in's JSON Schema, the receipt code and phone first
    triage_rules: dict[str, Any]
    form_schema: dict[str, Any]  # the whole case form (labels of the danger signs)

    @property
    def readings(self) -> list[str]:
        """The check-in's own fields (what is stored), without the code and the phone."""
        return [name for name in self.schema["x-order"] if name not in _OWN]


@dataclass(frozen=True)
class Recorded:
    """What the patient is told after a check-in was stored."""

    level: str | None
    alert: bool  # the nurses were alerted (worse than before, or at an alert level)
    ended: str | None  # the plan ended with this check-in (recovered)
    escalate: bool  # a danger sign or a level the topic escalates: "call 115 now"
    due_at: dt.datetime | None  # the next check-in call owed to the patient


def check_in_schema(form_schema: Mapping[str, Any], rules: MonitoringRules,
                    declaration: DeclarationRules | None = None) -> dict[str, Any]:
    """The JSON Schema a web check-in is checked against: the receipt code and the declared
    phone (both required), then the topic's `check_in_fields` of the case form, in that order
    — made by the declaration's own derivation, so a field means the same on both forms."""
    phone = dict((declaration.properties if declaration else {}).get(PHONE_FIELD, _PHONE_SPEC))
    vi, en = TEXTS["status_phone"]
    phone.update({"title": vi, "x-title-en": en})
    code_vi, code_en = TEXTS["receipt_code"]
    code = {"type": "string", "maxLength": 32, "title": code_vi, "x-title-en": code_en,
            "x-widget": "receipt"}
    title_vi, title_en = TEXTS["check_in_title"]
    derived = DeclarationRules(
        fields=(*_OWN, *(f for f in rules.check_in_fields if f not in _OWN)),
        required=_OWN, properties={CODE_FIELD: code, PHONE_FIELD: phone},
        title=title_vi, title_en=title_en)
    return declaration_schema(form_schema, derived)


def problems(form: CheckInForm, data: Any, today: dt.date) -> list[FieldError]:
    """Everything wrong with a check-in, field by field: the schema, then a receipt code not
    of the form KB-XXXX-XXXX, a phone that cannot be called, a date in the future, and a
    report with no reading and no sign at all (it would read as a healthy day)."""
    errors = schema_errors(form.schema, data)
    if not isinstance(data, dict):
        return errors
    bad = {e.field for e in errors}
    code = data.get(CODE_FIELD)
    if isinstance(code, str) and CODE_FIELD not in bad and normalise_receipt(code) is None:
        errors.append(FieldError(CODE_FIELD, "receipt", "not a receipt code KB-XXXX-XXXX"))
    phone = data.get(PHONE_FIELD)
    if isinstance(phone, str) and PHONE_FIELD not in bad and callable_phone(phone) is None:
        errors.append(FieldError(PHONE_FIELD, "phone", "not a Vietnamese phone number"))
    errors += [e for e in plausibility_errors(data, form.schema, today) if e.field not in bad]
    readings = form.readings
    if readings and not any(data.get(name) not in (None, "", []) for name in readings):
        errors.append(FieldError(readings[0], "no_reading", "no reading and no sign given"))
    order = {name: i for i, name in enumerate(form.schema["x-order"])}
    return sorted(errors, key=lambda e: order.get(e.field, len(order)))


def escalates(form: CheckInForm, data: Mapping[str, Any], level: str | None = None) -> bool:
    """The patient must call 115 now: a danger sign ticked or a vital sign past its threshold
    (the topic's triage), or a level the topic escalates, or red."""
    found = triage(form.triage_rules, data, schema=form.form_schema)
    return found.escalate or level == "red" or level in form.triage_rules.get(
        "escalate_levels", [])


def check_in_form(session: Session, topic_key: str) -> CheckInForm:
    topic = session.scalar(select(Topic).where(Topic.key == topic_key, Topic.active))
    rules = MonitoringRules.of(topic.rules) if topic is not None else None
    if topic is None or rules is None or not rules.check_in_fields:
        raise NoCheckIns(f"topic {topic_key!r} takes no check-ins on the web")
    schema = check_in_schema(topic.form_schema, rules, DeclarationRules.of(topic.rules))
    return CheckInForm(topic.id, topic.key, schema["title"], schema["x-title-en"], schema,
                       topic.rules.get("triage", {}), topic.form_schema)


def check_in_topics(session: Session) -> list[tuple[str, str, str]]:
    """The active topics a patient checks in on the web: key, Vietnamese and English names."""
    topics = session.scalars(select(Topic).where(Topic.active).order_by(Topic.menu_key))
    return [(t.key, t.name_vi, t.name_en) for t in topics
            if (rules := MonitoringRules.of(t.rules)) is not None and rules.check_in_fields]


def submit(session: Session, form: CheckInForm, data: dict[str, Any], *, now: dt.datetime,
           zone: dt.tzinfo, client: str | None) -> Recorded | list[FieldError] | None:
    """Check a posted check-in and, if nothing is wrong, store it on the patient's active
    episode: the field errors, None when the code and phone match no active episode (the same
    answer for a wrong code, a wrong phone and an ended plan), or what the patient is told.
    Audited either way, with the field codes only (not what was typed)."""
    actor = "source:web"
    errors = problems(form, data, now.astimezone(zone).date())
    if errors:
        audit.record(session, actor, "check_in_refused", None, client=client,
                     topic=form.topic_key, errors=[f"{e.field}:{e.code}" for e in errors])
        return errors
    code = normalise_receipt(str(data[CODE_FIELD]))
    phone = callable_phone(str(data[PHONE_FIELD]))
    assert code is not None and phone is not None  # noqa: S101 - problems() checked both
    readings = {k: v for k, v in data.items() if k not in _OWN}
    topic = session.get_one(Topic, form.topic_id)
    checked = monitoring.web_check_in(session, topic, code, phone, readings, now, zone)
    if checked is None:
        audit.record(session, actor, "check_in_refused", None, client=client,
                     topic=form.topic_key, errors=[], reason="no_active_episode")
        return None
    audit.record(session, actor, "check_in_received", code, client=client,
                 topic=form.topic_key, episode_id=checked.episode_id, level=checked.level,
                 alert=checked.alert, ended=checked.ended)
    due = None if checked.ended else session.scalar(
        select(Callback.due_at).where(Callback.episode_id == checked.episode_id,
                                      Callback.state.in_(OPEN_CALLBACK_STATES))
        .order_by(Callback.due_at).limit(1))
    return Recorded(checked.level, checked.alert, checked.ended,
                    escalates(form, readings, checked.level), due)
