"""Topics as data: read a topics TOML file, check it, and load or update it in one transaction."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.errors import DataError
from db.models import Agency, Topic
from db.text_files import read_text
from rules.board import check_board
from rules.callbacks import check_callbacks
from rules.declaration import check_declaration
from rules.forms import check_schema, field_rules_problems, with_outcomes
from rules.monitoring import check_monitoring
from rules.referral import check_forwarding
from rules.triage import check_rules

STRATEGIES = (
    "ring-all", "longest-idle-agent", "round-robin", "top-down", "agent-with-least-talk-time",
    "agent-with-fewest-calls", "sequentially-by-agent-order", "random", "ring-progressively",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutcomeSpec(_Strict):
    """A way to end a case, and the case status it leads to (the desktop sets the status from
    the chosen outcome; before one is chosen a new case is open)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)
    status: Literal["open", "follow_up", "escalated", "closed"] = "closed"


class QueueSpec(_Strict):
    """mod_callcenter parameters of the topic's queue (switch_conf renders them)."""

    strategy: Literal[STRATEGIES] = "longest-idle-agent"  # type: ignore[valid-type]
    announce_position: bool = False
    moh_sound: str = "$${hold_music}"
    announce_sound: str | None = None  # a prompt name of switch_conf/prompts.toml
    announce_frequency: int = Field(default=0, ge=0, le=86400)
    max_wait_time: int = Field(default=0, ge=0, le=86400)
    max_wait_time_with_no_agent: int = Field(default=0, ge=0, le=86400)
    max_wait_time_with_no_agent_time_reached: int = Field(default=5, ge=0, le=86400)
    tier_rules_apply: bool = False
    tier_rule_wait_second: int = Field(default=0, ge=0, le=86400)
    # Long enough that a caller who hangs up and calls back keeps their place.
    discard_abandoned_after: int = Field(default=900, ge=0, le=86400)
    # The key that leaves the queue for a callback (cc_exit_keys), if the topic allows it.
    callback_key: str | None = Field(default=None, pattern=r"^[0-9*#]$")


class TopicSpec(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    menu_key: str | None = Field(default=None, pattern=r"^[0-9]$")
    code_prefix: str = Field(pattern=r"^[A-Z0-9]{1,8}$")
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    short_vi: str | None = Field(default=None, min_length=1, max_length=40)
    short_en: str | None = Field(default=None, min_length=1, max_length=40)
    queue: str = Field(pattern=r"^[A-Za-z0-9_.-]+(@[A-Za-z0-9_.-]+)?$")
    service_level_seconds: int = Field(gt=0)
    acw_seconds: int = Field(ge=0)
    active: bool = True
    agencies: list[str] = []
    outcomes: list[OutcomeSpec] = Field(min_length=1)
    rules: dict[str, Any] = {}
    queue_settings: QueueSpec = QueueSpec()
    form: dict[str, Any]

    @field_validator("outcomes")
    @classmethod
    def _unique_outcomes(cls, outcomes: list[OutcomeSpec]) -> list[OutcomeSpec]:
        codes = [o.code for o in outcomes]
        if len(codes) != len(set(codes)):
            raise ValueError(f"outcome codes repeat: {codes}")
        return outcomes


class AgencySpec(_Strict):
    code: str = Field(pattern=r"^[A-Z0-9_]{1,32}$")
    name: str = Field(min_length=1)


class TopicsFile(_Strict):
    topic: list[TopicSpec] = Field(min_length=1)
    agency: list[AgencySpec] = []


def read_topics_file(path: Path) -> TopicsFile:
    """Parse and check a topics file; every problem names the topic and key at fault."""
    try:
        raw = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path}: {exc}") from exc
    try:
        spec = TopicsFile.model_validate(raw)
    except ValidationError as exc:
        raise DataError(f"{path}: " + _describe(exc, raw)) from exc
    _check_consistency(spec, path)
    return spec


def _describe(exc: ValidationError, raw: dict[str, Any]) -> str:
    problems = []
    for error in exc.errors():
        loc = list(error["loc"])
        where = ".".join(str(p) for p in loc)
        if loc[:1] == ["topic"] and len(loc) > 1 and isinstance(loc[1], int):
            key = raw["topic"][loc[1]].get("key", f"#{loc[1] + 1}")
            where = f"topic '{key}': " + ".".join(str(p) for p in loc[2:])
        kind = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        problems.append(f"{where}: {kind}")
    return "; ".join(problems)


def _check_consistency(spec: TopicsFile, path: Path) -> None:
    agency_codes = {a.code for a in spec.agency}
    for field in ("key", "menu_key", "code_prefix", "queue"):
        seen: dict[str, str] = {}
        for topic in spec.topic:
            value = getattr(topic, field)
            if value is None:
                continue
            if value in seen:
                raise DataError(f"{path}: topics '{seen[value]}' and '{topic.key}' share the "
                                f"{field} {value!r}")
            seen[value] = topic.key
    for topic in spec.topic:
        where = f"{path}: topic '{topic.key}'"
        check_schema(topic.form, where)
        properties = topic.form.get("properties", {})
        if not any(p.get("x-outcomes") for p in properties.values()):
            raise DataError(f"{where}: the form has no field marked x-outcomes")
        unknown = [name for name in topic.form.get("x-order", []) if name not in properties]
        if unknown:
            raise DataError(f"{where}: the form's x-order names {', '.join(map(repr, unknown))}"
                            ", not fields of the form")
        problems = check_rules(topic.rules.get("triage", {}), properties)
        problems += field_rules_problems(topic.form)
        problems += check_callbacks(topic.rules)
        problems += check_board(topic.rules)
        problems += check_declaration(topic.rules, properties)
        problems += check_forwarding(topic.rules, properties)
        problems += check_monitoring(topic.rules, properties)
        if problems:
            raise DataError(f"{where}: " + "; ".join(problems))
        for code in topic.agencies:
            if code not in agency_codes:
                raise DataError(f"{where}: unknown agency {code!r} (declare it as [[agency]])")


def load_topics(session: Session, spec: TopicsFile) -> list[str]:
    """Create or update agencies and topics; returns one line per change made."""
    changes: list[str] = []
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    for declared in spec.agency:
        agency = agencies.get(declared.code)
        if agency is None:
            agency = agencies[declared.code] = Agency(code=declared.code, name=declared.name)
            session.add(agency)
            changes.append(f"agency {declared.code}: added")
        elif agency.name != declared.name:
            agency.name = declared.name
            changes.append(f"agency {declared.code}: renamed")
    existing = {t.key: t for t in session.scalars(select(Topic))}
    # Menu keys and queues may move between topics: free them first so the unique
    # constraints hold at every flush.
    for topic in existing.values():
        if any(t.key != topic.key and t.menu_key == topic.menu_key for t in spec.topic):
            topic.menu_key = None
    session.flush()
    for item in spec.topic:
        values = _topic_values(item)
        found = existing.get(item.key)
        if found is None:
            topic = Topic(key=item.key, **values)
            session.add(topic)
            changes.append(f"topic {item.key}: added (key {item.menu_key}, queue {item.queue})")
        else:
            topic = found
            changed = [name for name, value in values.items() if getattr(topic, name) != value]
            for name in changed:
                setattr(topic, name, values[name])
            if changed:
                changes.append(f"topic {item.key}: updated {', '.join(changed)}")
        for code in item.agencies:
            if topic not in agencies[code].topics:
                agencies[code].topics.append(topic)
    session.flush()
    return changes


def _topic_values(item: TopicSpec) -> dict[str, Any]:
    outcomes = [o.model_dump() for o in item.outcomes]
    return {
        "menu_key": item.menu_key,
        "code_prefix": item.code_prefix,
        "name_vi": item.name_vi,
        "name_en": item.name_en,
        "short_vi": item.short_vi,
        "short_en": item.short_en,
        "queue": item.queue,
        "service_level_seconds": item.service_level_seconds,
        "acw_seconds": item.acw_seconds,
        "active": item.active,
        "outcomes": outcomes,
        "rules": item.rules,
        "queue_options": item.queue_settings.model_dump(exclude_none=True),
        "form_schema": with_outcomes(item.form, outcomes),
    }
