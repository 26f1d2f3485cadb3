"""A case form's values checked against its JSON Schema, in words a nurse reads beside the field.

The check is jsonschema's (draft 2020-12, with format checking), as rules.forms.form_errors does on
the server, so the form and the daemon accept and refuse the same data; only the wording differs:
short, per field, and translatable (English source strings, context "CaseForm").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from PySide6.QtCore import QCoreApplication

FORM_LEVEL = ""  # errors that belong to no one field (e.g. unknown fields in a draft)


def _tr(text: str) -> str:
    return QCoreApplication.translate("CaseForm", text)


def schema_errors(schema: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    """{field: message} for every field of `values` (or missing from it) the schema refuses;
    the first problem of a field wins. Errors outside any field are under FORM_LEVEL."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    found: dict[str, str] = {}
    for error in validator.iter_errors(values):
        if error.validator == "required" and not error.absolute_path:
            for name in error.validator_value:
                if name not in values:
                    found.setdefault(name, _tr("Required"))
        elif error.validator == "additionalProperties" and not error.absolute_path:
            extra = sorted(set(values) - set(schema.get("properties", {})))
            found.setdefault(FORM_LEVEL, _tr("Not fields of this form: %1").replace(
                "%1", ", ".join(extra)))
        else:
            field = str(error.absolute_path[0]) if error.absolute_path else FORM_LEVEL
            found.setdefault(field, message(error))
    return found


def message(error: ValidationError) -> str:
    """One jsonschema error in a nurse's words."""
    limit = error.validator_value
    texts = {
        "minimum": _tr("At least %1"),
        "maximum": _tr("At most %1"),
        "exclusiveMinimum": _tr("More than %1"),
        "exclusiveMaximum": _tr("Less than %1"),
        "maxLength": _tr("At most %1 characters"),
        "minLength": _tr("At least %1 characters") if limit != 1 else _tr("Required"),
        "pattern": _tr("Not in the expected form"),
        "oneOf": _tr("Choose one of the listed values"),
        "const": _tr("Choose one of the listed values"),
        "enum": _tr("Choose one of the listed values"),
        "uniqueItems": _tr("A choice is listed twice"),
        "type": _tr("Not the right kind of value"),
        "format": _tr("Not a valid date") if limit == "date" else _tr("Not valid"),
    }
    text = texts.get(str(error.validator))
    if text is None:
        return error.message
    return text.replace("%1", _number(limit))


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
