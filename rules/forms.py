"""Case forms: JSON Schemas kept in the topic, checked with the jsonschema library."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from rules.errors import DataError, FormInvalid


def check_schema(schema: dict[str, Any], where: str) -> None:
    """Refuse a form definition that is not a valid JSON Schema (draft 2020-12)."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        path = "/".join(str(p) for p in exc.path) or "(root)"
        raise DataError(f"{where}: the form is not a valid JSON Schema at {path}: "
                        f"{exc.message}") from exc


def form_errors(schema: dict[str, Any], data: dict[str, Any]) -> list[tuple[str, str]]:
    """Every problem of `data` against `schema`, as (field path, message), in field order."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors: set[tuple[str, str]] = set()
    for error in validator.iter_errors(data):
        path = ".".join(str(p) for p in error.absolute_path)
        said = error.schema.get("x-message-en") if isinstance(error.schema, dict) else None
        if error.validator == "required" and isinstance(error.instance, dict):
            prefix = f"{path}." if path else ""
            errors.update((prefix + name, said or "is required")
                          for name in error.validator_value if name not in error.instance)
        elif error.validator == "dependentRequired" and isinstance(error.instance, dict):
            prefix = f"{path}." if path else ""
            errors.update((prefix + need, f"is required with {name}")
                          for name, needs in error.validator_value.items()
                          if name in error.instance
                          for need in needs if need not in error.instance)
        else:
            errors.add((path, said or error.message))
    return sorted(errors)


def validate_form(schema: dict[str, Any], data: dict[str, Any]) -> None:
    errors = form_errors(schema, data)
    if errors:
        raise FormInvalid(errors)


def with_outcomes(schema: dict[str, Any],
                  outcomes: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """The schema with each `x-outcomes` property limited to the topic's outcome codes.

    Outcomes are listed once, on the topic; the form points at them instead of repeating them.
    """
    properties = {}
    for name, spec in schema.get("properties", {}).items():
        if spec.get("x-outcomes"):
            spec = {**spec, "oneOf": [
                {"const": o["code"], "title": o["vi"], "x-title-en": o["en"]} for o in outcomes]}
        properties[name] = spec
    return {**schema, "properties": properties}


def field_rules_problems(schema: Mapping[str, Any]) -> list[str]:
    """Fields named by the form's rules between fields (`dependentRequired`, `allOf` items'
    `if`/`then`) that are not fields of the form: a misspelt one would never apply."""
    properties = schema.get("properties", {})
    named: list[str] = []
    for name, needs in schema.get("dependentRequired", {}).items():
        named += [name, *needs]
    for item in schema.get("allOf", []):
        for part in (item.get("if", {}), item.get("then", {}), item.get("else", {})):
            if isinstance(part, Mapping):
                named += [*part.get("required", []), *part.get("properties", {})]
    unknown = sorted({name for name in named if name not in properties})
    return [f"the form's rules between fields name {name!r}, not a field of the form"
            for name in unknown]


def required_now(schema: Mapping[str, Any], values: Mapping[str, Any]) -> set[str]:
    """The fields `values` must have: the form's `required`, those of each `allOf` item whose
    `if` holds (its `then`, else its `else`), and `dependentRequired` ones of fields given."""
    needed = set(schema.get("required", []))
    for item in schema.get("allOf", []):
        if "if" not in item:
            continue
        holds = Draft202012Validator(item["if"]).is_valid(values)
        branch = item.get("then" if holds else "else", {})
        if isinstance(branch, Mapping):
            needed.update(branch.get("required", []))
    for name, needs in schema.get("dependentRequired", {}).items():
        if values.get(name) is not None:
            needed.update(needs)
    return needed
