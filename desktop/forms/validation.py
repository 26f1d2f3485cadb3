"""A case form's values checked against its JSON Schema, in words a nurse reads beside the field.

The check is jsonschema's (draft 2020-12, with format checking), as rules.forms.form_errors does on
the server, so the form and the daemon accept and refuse the same data; only the wording differs:
short, per field, and translatable (English source strings, context "CaseForm"). A rule between
fields (an `allOf` item's `then`, a property inside it) may say its own words: `x-message`
(Vietnamese) and `x-message-en`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from PySide6.QtCore import QCoreApplication

from desktop.i18n import QT_TRANSLATE_NOOP

FORM_LEVEL = ""  # errors that belong to no one field (e.g. unknown fields in a draft)

REQUIRED = QT_TRANSLATE_NOOP("CaseForm", "Required")
REQUIRED_WITH = QT_TRANSLATE_NOOP("CaseForm", "Required with %1")
NOT_FIELDS = QT_TRANSLATE_NOOP("CaseForm", "Not fields of this form: %1")
TEXTS = {
    "minimum": QT_TRANSLATE_NOOP("CaseForm", "At least %1"),
    "maximum": QT_TRANSLATE_NOOP("CaseForm", "At most %1"),
    "exclusiveMinimum": QT_TRANSLATE_NOOP("CaseForm", "More than %1"),
    "exclusiveMaximum": QT_TRANSLATE_NOOP("CaseForm", "Less than %1"),
    "maxLength": QT_TRANSLATE_NOOP("CaseForm", "At most %1 characters"),
    "minLength": QT_TRANSLATE_NOOP("CaseForm", "At least %1 characters"),
    "pattern": QT_TRANSLATE_NOOP("CaseForm", "Not in the expected form"),
    "oneOf": QT_TRANSLATE_NOOP("CaseForm", "Choose one of the listed values"),
    "const": QT_TRANSLATE_NOOP("CaseForm", "Choose one of the listed values"),
    "enum": QT_TRANSLATE_NOOP("CaseForm", "Choose one of the listed values"),
    "not": QT_TRANSLATE_NOOP("CaseForm", "Not allowed with the other answers"),
    "uniqueItems": QT_TRANSLATE_NOOP("CaseForm", "A choice is listed twice"),
    "type": QT_TRANSLATE_NOOP("CaseForm", "Not the right kind of value"),
    "date": QT_TRANSLATE_NOOP("CaseForm", "Not a valid date"),
    "format": QT_TRANSLATE_NOOP("CaseForm", "Not valid"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("CaseForm", text)


def schema_errors(schema: Mapping[str, Any], values: Mapping[str, Any], language: str = "vi",
                  labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """{field: message} for every field of `values` (or missing from it) the schema refuses;
    the first problem of a field wins. Errors outside any field are under FORM_LEVEL.
    `labels` names the fields in messages that point at another one."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    found: dict[str, str] = {}
    for error in validator.iter_errors(values):
        own = _own_words(error, language)
        if error.validator == "required" and not error.absolute_path:
            for name in error.validator_value:
                if name not in values:
                    found.setdefault(name, own or _tr(REQUIRED))
        elif error.validator == "dependentRequired" and not error.absolute_path:
            for name, needs in error.validator_value.items():
                for need in (n for n in needs if name in values and n not in values):
                    found.setdefault(need, _tr(REQUIRED_WITH).replace(
                        "%1", (labels or {}).get(name, name)))
        elif error.validator == "additionalProperties" and not error.absolute_path:
            extra = sorted(set(values) - set(schema.get("properties", {})))
            found.setdefault(FORM_LEVEL, _tr(NOT_FIELDS).replace("%1", ", ".join(extra)))
        else:
            field = str(error.absolute_path[0]) if error.absolute_path else FORM_LEVEL
            found.setdefault(field, own or message(error))
    return found


def _own_words(error: ValidationError, language: str) -> str | None:
    """The rule's own message (`x-message`, `x-message-en`), if the schema that failed has one."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    said = schema.get("x-message-en", schema.get("x-message")) if language == "en" \
        else schema.get("x-message")
    return str(said) if said else None


def message(error: ValidationError) -> str:
    """One jsonschema error in a nurse's words."""
    limit = error.validator_value
    kind = str(error.validator)
    if kind == "minLength" and limit == 1:
        return _tr(REQUIRED)
    if kind == "format" and limit == "date":
        kind = "date"
    text = TEXTS.get(kind)
    if text is None:
        return error.message
    return _tr(text).replace("%1", _number(limit))


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
