"""The web declaration of a topic (`[topic.rules.declaration]` in db/seed/topics.toml): which
fields of the case form a member of the public fills in, which are required, how soon a nurse
calls back by triage level, and when two declarations are the same person.

Pure: the web form, the portal API, the OpenAPI document and the store all read it from here.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

# A case-form keyword the declaration drops: outcomes are the agent's, not the citizen's.
_AGENT_ONLY_KEYWORDS = ("x-outcomes",)


@dataclass(frozen=True)
class DeclarationRules:
    """A topic's declaration part.

    Attributes:
        fields: the form's fields in the order shown, from the case form or `properties`.
        title, title_en: the public form's title.
        required: the fields a declaration must have.
        properties: fields the case form does not have (the phone number).
        call_back_within: minutes from receipt to the nurse's call, by triage level.
        alert_levels: triage levels that alert the topic's leads at once.
        same_person_days: a declaration with the same phone, name and birth year within
            this many days is the same person's (attached to the first).
    """

    fields: tuple[str, ...]
    required: tuple[str, ...] = ()
    properties: Mapping[str, Any] = field(default_factory=dict)
    call_back_within: Mapping[str, int] = field(default_factory=dict)
    alert_levels: tuple[str, ...] = ()
    same_person_days: int = 14
    default_minutes: int = 24 * 60
    title: str = ""
    title_en: str = ""

    @classmethod
    def of(cls, rules: Mapping[str, Any]) -> DeclarationRules | None:
        """The declaration part of a topic's rules, or None if the topic takes none."""
        part = rules.get("declaration")
        if not part:
            return None
        within = dict(part.get("call_back_within_minutes", {}))
        return cls(fields=tuple(part.get("fields", ())),
                   required=tuple(part.get("required", ())),
                   properties=dict(part.get("properties", {})),
                   call_back_within=within,
                   alert_levels=tuple(part.get("alert_levels", ())),
                   same_person_days=int(part.get("same_person_days", 14)),
                   default_minutes=max(within.values(), default=24 * 60),
                   title=str(part.get("title", "")), title_en=str(part.get("x-title-en", "")))

    def due(self, received: dt.datetime, level: str | None) -> dt.datetime:
        """When the nurse's call is due: the level's minutes after receipt (the slowest
        level's when the triage found none)."""
        minutes = self.call_back_within.get(level or "", self.default_minutes)
        return received + dt.timedelta(minutes=minutes)

    def alerts(self, level: str | None) -> bool:
        return level in self.alert_levels


def declaration_schema(form_schema: Mapping[str, Any], rules: DeclarationRules
                       ) -> dict[str, Any]:
    """The JSON Schema a declaration is checked against: the declared fields of the case form
    (plus the declaration's own), nothing else; a required text must not be blank."""
    source = {**form_schema.get("properties", {}), **rules.properties}
    properties: dict[str, Any] = {}
    for name in rules.fields:
        spec = {k: v for k, v in source[name].items() if k not in _AGENT_ONLY_KEYWORDS}
        if name in rules.required and spec.get("type") == "string":
            spec.setdefault("minLength", 1)
        properties[name] = spec
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "title": rules.title or form_schema.get("title", ""),
            "x-title-en": rules.title_en or form_schema.get("x-title-en", ""),
            "required": list(rules.required), "additionalProperties": False,
            "x-order": list(rules.fields), "properties": properties}


def check_declaration(rules: Mapping[str, Any], form_properties: Mapping[str, Any]
                      ) -> list[str]:
    """What is wrong with a topic's declaration part (checked at `topic load`)."""
    part = rules.get("declaration")
    if not part:
        return []
    problems: list[str] = []
    own = part.get("properties", {})
    fields = part.get("fields", [])
    if not fields:
        problems.append("declaration: `fields` is empty")
    for name in fields:
        if name not in form_properties and name not in own:
            problems.append(f"declaration: field {name!r} is neither in the form nor in "
                            "the declaration's properties")
    for name in part.get("required", []):
        if name not in fields:
            problems.append(f"declaration: required field {name!r} is not in `fields`")
    if "phone" not in fields or "phone" not in part.get("required", []):
        problems.append("declaration: `phone` must be a required field (the nurse calls it)")
    for level, minutes in part.get("call_back_within_minutes", {}).items():
        if not isinstance(minutes, int) or minutes < 0:
            problems.append(f"declaration: call_back_within_minutes.{level} must be a "
                            "whole number of minutes, 0 or more")
    days = part.get("same_person_days", 14)
    if not isinstance(days, int) or days < 0:
        problems.append("declaration: same_person_days must be a whole number, 0 or more")
    return problems


def person_key(phone: str, full_name: str, birth_year: int | None) -> str:
    """Who a declaration is about, for telling a second declaration from a new person: the
    normalised phone, the name with case and spacing ignored (diacritics kept: Vietnamese
    names differ by them), and the birth year."""
    name = " ".join(unicodedata.normalize("NFC", full_name).casefold().split())
    return f"{phone}|{name}|{birth_year or ''}"


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, as a code (what the web form words in Vietnamese and the
    API returns as is) and the English message.

    Codes: required, type, choice, too_small, too_large, too_short, too_long, format,
    unknown_field, phone, admin_unit, future_date."""

    field: str
    code: str
    message: str
    limit: Any = None


_CODES = {"required": "required", "type": "type", "enum": "choice", "const": "choice",
          "oneOf": "choice", "minimum": "too_small", "exclusiveMinimum": "too_small",
          "maximum": "too_large", "exclusiveMaximum": "too_large", "minLength": "too_short",
          "minItems": "too_short", "maxLength": "too_long", "maxItems": "too_long",
          "format": "format", "pattern": "format", "uniqueItems": "format",
          "additionalProperties": "unknown_field"}


def schema_errors(schema: Mapping[str, Any], data: Any) -> list[FieldError]:
    """Every problem of `data` against the declaration's schema, one per field (the first
    found), in the form's order; a field of a list (a choice) is named by the list."""
    if not isinstance(data, dict):
        return [FieldError("", "type", "the declaration must be a JSON object")]
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    found: dict[str, FieldError] = {}
    for error in validator.iter_errors(data):
        kind = str(error.validator)
        if kind == "required":
            for name in error.validator_value:
                if name not in data:
                    found.setdefault(name, FieldError(name, "required", f"{name} is required"))
            continue
        if kind == "additionalProperties":
            for name in sorted(set(data) - set(schema.get("properties", {}))):
                found.setdefault(name, FieldError(name, "unknown_field",
                                                  f"{name} is not a field of this form"))
            continue
        name = str(error.absolute_path[0]) if error.absolute_path else ""
        limit = error.validator_value if kind in (
            "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
            "exclusiveMinimum", "exclusiveMaximum") else None
        found.setdefault(name, FieldError(name, _CODES.get(kind, "format"), error.message,
                                          limit))
    order = {name: i for i, name in enumerate(schema.get("x-order", []))}
    return sorted(found.values(), key=lambda e: (order.get(e.field, len(order)), e.field))


def plausibility_errors(data: Mapping[str, Any], schema: Mapping[str, Any],
                        today: dt.date) -> list[FieldError]:
    """Dates in the future (a positive test tomorrow is a typing slip), and a birth year
    after this one."""
    errors = []
    year = data.get("birth_year")
    if isinstance(year, int) and not isinstance(year, bool) and year > today.year:
        errors.append(FieldError("birth_year", "too_large", "birth_year is in the future",
                                 today.year))
    for name, spec in schema.get("properties", {}).items():
        value = data.get(name)
        if spec.get("format") == "date" and isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                continue
            if day > today:
                errors.append(FieldError(name, "future_date", f"{name} is in the future"))
    return errors
