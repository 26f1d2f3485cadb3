"""The public form's fields, made from the topic's declaration schema (data, not code), and the
posted form read back into the JSON the schema checks.

Pure: the schema and the posted values in, widgets and data out. A value that cannot be read
(letters in a year) is kept as typed, so the schema names the field's error and the form
shows back what the person typed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

RADIO_UP_TO = 4  # choices shown as radio buttons up to this many, as a list beyond


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class Widget:
    """One field as the template draws it.

    kind: text, textarea, phone, integer, number, date, radio, select, checkboxes, checkbox,
    admin_unit, receipt (a receipt code KB-XXXX-XXXX)."""

    name: str
    kind: str
    label: str
    required: bool = False
    choices: list[Choice] = field(default_factory=list)
    unit: str = ""
    minimum: Any = None
    maximum: Any = None
    max_length: int | None = None
    value: Any = None  # as typed (text), or the chosen values (a list for checkboxes)
    error: str = ""
    danger: bool = False  # the danger signs: ticking one shows "call 115 now"


def widgets(schema: Mapping[str, Any], language: str, danger_field: str | None
            ) -> list[Widget]:
    """The form's fields, in its order, labelled in `language` (vi or en)."""
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    result = []
    for name in schema.get("x-order", list(properties)):
        spec = properties[name]
        result.append(Widget(
            name=name, kind=_kind(spec), label=_label(spec, language),
            required=name in required, choices=_choices(spec, language),
            unit=_unit(spec, language), minimum=spec.get("minimum"),
            maximum=spec.get("maximum"), max_length=spec.get("maxLength"),
            danger=name == danger_field))
    return result


def read_form(schema: Mapping[str, Any], form: Any) -> dict[str, Any]:
    """The posted form (a MultiDict: `get`, `getlist`) as the schema's JSON: empty fields left
    out, numbers and dates read as people type them (96,5; 03/12/2026)."""
    data: dict[str, Any] = {}
    for name, spec in schema.get("properties", {}).items():
        kind = _kind(spec)
        if kind == "checkboxes":
            values = [v for v in form.getlist(name) if v]
            if values:
                data[name] = values
            continue
        raw = (form.get(name) or "").strip()
        if kind == "textarea":
            raw = (form.get(name) or "").strip("\r\n ")
        if not raw:
            continue
        data[name] = _typed(kind, raw)
    return data


def fill(items: Sequence[Widget], typed: Mapping[str, Any], errors: Mapping[str, str]
         ) -> list[Widget]:
    """The widgets with what was typed and the errors, for showing the form again."""
    for item in items:
        value = typed.get(item.name)
        if item.kind == "checkboxes":
            item.value = list(value) if isinstance(value, list) else []
        elif isinstance(value, bool):
            item.value = value
        elif value is not None:
            item.value = _shown(value)
        item.error = errors.get(item.name, "")
    return list(items)


def _kind(spec: Mapping[str, Any]) -> str:
    widget = spec.get("x-widget")
    if widget in ("admin_unit", "textarea", "phone", "receipt"):
        return str(widget)
    kind = spec.get("type")
    if kind == "array":
        return "checkboxes"
    if kind == "boolean":
        return "checkbox"
    if "oneOf" in spec:
        return "radio" if len(spec["oneOf"]) <= RADIO_UP_TO else "select"
    if kind in ("integer", "number"):
        return str(kind)
    if spec.get("format") == "date":
        return "date"
    return "text"


def _typed(kind: str, raw: str) -> Any:
    if kind == "integer" and re.fullmatch(r"[+-]?\d+", raw):
        return int(raw)
    if kind == "number" and re.fullmatch(r"[+-]?\d+([.,]\d+)?", raw):
        number = float(raw.replace(",", "."))
        return int(number) if number.is_integer() else number
    if kind == "checkbox":
        return raw in ("true", "on", "1", "yes")
    if kind == "date":
        return _iso_date(raw)
    return raw


def _iso_date(raw: str) -> str:
    """2026-12-03 as is; 3/12/2026 or 03-12-2026 (day first, as in Vietnam) → 2026-12-03;
    anything else as typed (the schema says it is not a date)."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", raw)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return raw
    return raw


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _label(spec: Mapping[str, Any], language: str) -> str:
    if language == "en":
        return str(spec.get("x-title-en") or spec.get("title", ""))
    return str(spec.get("title", ""))


def _unit(spec: Mapping[str, Any], language: str) -> str:
    if language == "en":
        return str(spec.get("x-unit-en") or spec.get("x-unit", ""))
    return str(spec.get("x-unit", ""))


def _choices(spec: Mapping[str, Any], language: str) -> list[Choice]:
    options = spec.get("oneOf") or spec.get("items", {}).get("oneOf") or []
    return [Choice(str(o["const"]), _label(o, language)) for o in options if "const" in o]
