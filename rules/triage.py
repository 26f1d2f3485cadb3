"""Triage of a case form: red flags and a risk level, computed from the topic's rules (data).

Pure (no Qt, no database): the desktop computes it as the nurse types, and the daemon can compute
it again on save, so both agree by construction. The rules are `[topic.rules.triage]` of
db/seed/topics.toml; their comments there say what each key means.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
OPS = (*_COMPARE, "not_empty")
_OPERANDS = ("red_flags_at_least", "field", "age_from")


@dataclass(frozen=True)
class Finding:
    """One thing the triage found: a red flag, or the reason a level was chosen."""

    code: str
    vi: str
    en: str

    def label(self, language: str = "vi") -> str:
        return self.en if language == "en" else self.vi


@dataclass(frozen=True)
class Triage:
    """The outcome of `triage`.

    Attributes:
        level: the first level of `rules["levels"]` that holds; None if the rules have no levels.
        red_flags: signs ticked in the red-flag field, then vitals beyond their thresholds.
        reasons: the labelled conditions that made `level` hold (empty for the default level).
        escalate: the level is one of `escalate_levels`, or there is any red flag.
        escalation_number: where to transfer when escalating (e.g. "115").
        missing: the fields of `assess_with` not filled in: with any missing, a level found
            by no condition (the default one) is not a finding but an empty form.
    """

    level: str | None
    red_flags: tuple[Finding, ...] = ()
    reasons: tuple[Finding, ...] = ()
    escalate: bool = False
    escalation_number: str | None = None
    missing: tuple[str, ...] = ()

    @property
    def assessed(self) -> bool:
        """A level the data supports: something held, or everything needed was given."""
        return self.level is not None and (bool(self.reasons or self.red_flags)
                                           or not self.missing)


def triage(rules: Mapping[str, Any], form: Mapping[str, Any], *,
           schema: Mapping[str, Any] | None = None, today: dt.date | None = None) -> Triage:
    """Triage `form` by the topic's `rules["triage"]` (or by `rules` itself if it is that part).

    `schema` (the topic's form) gives the red-flag signs their labels; without it a sign is
    labelled by its code. `today` fixes the year ages are counted from (tests pass it).
    """
    rules = rules.get("triage", rules)
    year = (today or dt.date.today()).year
    flags = _signs(rules, form, schema) + _vital_flags(rules, form)
    level: str | None = None
    reasons: tuple[Finding, ...] = ()
    for entry in rules.get("levels", []):
        conditions = entry.get("any")
        if conditions is None:
            level = entry["level"]
            break
        held = [c for c in conditions if _holds(c, form, len(flags), year)]
        if held:
            level = entry["level"]
            reasons = tuple(_finding(c) for c in held if "vi" in c)
            break
    escalate = bool(flags) or level in rules.get("escalate_levels", [])
    missing = tuple(name for name in rules.get("assess_with", []) if form.get(name) is None)
    return Triage(level, flags, reasons, escalate, rules.get("escalation_number"), missing)


def _signs(rules: Mapping[str, Any], form: Mapping[str, Any],
           schema: Mapping[str, Any] | None) -> tuple[Finding, ...]:
    name = rules.get("red_flag_field")
    ticked = form.get(name) if name else None
    if not isinstance(ticked, list):
        return ()
    prop = (schema or {}).get("properties", {}).get(name, {})
    choices = {c.get("const"): c for c in prop.get("items", {}).get("oneOf", [])}
    found = []
    for code in ticked:
        choice = choices.get(code, {})
        found.append(Finding(str(code), choice.get("title", str(code)),
                             choice.get("x-title-en", choice.get("title", str(code)))))
    return tuple(found)


def _vital_flags(rules: Mapping[str, Any], form: Mapping[str, Any]) -> tuple[Finding, ...]:
    return tuple(Finding(rule["field"], rule.get("vi", rule["field"]),
                         rule.get("en", rule.get("vi", rule["field"])))
                 for rule in rules.get("vital_flags", [])
                 if _compare(form.get(rule["field"]), rule.get("op", "=="), rule.get("value")))


def condition_holds(condition: Mapping[str, Any], form: Mapping[str, Any], flags: int,
                    year: int) -> bool:
    """One condition of the rules' grammar (see the module) on `form`, with `flags` red flags
    found and ages counted from `year` (the monitoring plan's rules use it too)."""
    return _holds(condition, form, flags, year)


def check_condition(condition: Mapping[str, Any], properties: Mapping[str, Any]) -> list[str]:
    return _check_condition(condition, properties)


def _holds(condition: Mapping[str, Any], form: Mapping[str, Any], flags: int, year: int) -> bool:
    if "red_flags_at_least" in condition:
        return flags >= int(condition["red_flags_at_least"])
    value: Any
    if "age_from" in condition:
        born = form.get(condition["age_from"])
        value = year - born if born is not None and _is_number(born) else None
    else:
        value = form.get(condition.get("field", ""))
    return _compare(value, condition.get("op", "=="), condition.get("value"))


def _compare(value: Any, op: str, limit: Any) -> bool:
    """`value op limit`; an empty field, or one of another type than the limit, never holds."""
    if op == "not_empty":
        return value not in (None, "", [], False)
    if value is None or isinstance(value, bool) != isinstance(limit, bool):
        return False
    if _is_number(limit) and not _is_number(value):
        return False
    try:
        return bool(_COMPARE[op](value, limit))
    except TypeError:
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finding(condition: Mapping[str, Any]) -> Finding:
    code = str(condition.get("field") or condition.get("age_from") or "red_flags")
    return Finding(code, condition["vi"], condition.get("en", condition["vi"]))


def check_rules(rules: Mapping[str, Any], properties: Mapping[str, Any]) -> list[str]:
    """What is wrong with a topic's triage rules against its form's properties (empty: nothing).

    A misspelt field or operator would otherwise make a condition silently never hold.
    """
    problems = []
    for name in ("level_field", "red_flag_field"):
        if rules.get(name) is not None and rules[name] not in properties:
            problems.append(f"triage rule names unknown field {rules[name]!r}")
    for rule in rules.get("vital_flags", []):
        problems += _check_condition(rule, properties)
    problems += [f"triage rule assess_with names unknown field {name!r}"
                 for name in rules.get("assess_with", []) if name not in properties]
    levels = _level_codes(rules, properties)
    for entry in rules.get("levels", []):
        if levels is not None and entry.get("level") not in levels:
            problems.append(f"triage level {entry.get('level')!r} is not a choice of "
                            f"{rules.get('level_field')!r}")
        for condition in entry.get("any", []):
            problems += _check_condition(condition, properties)
    for level in rules.get("escalate_levels", []):
        if levels is not None and level not in levels:
            problems.append(f"escalate level {level!r} is not a choice of "
                            f"{rules.get('level_field')!r}")
    return problems


def _check_condition(condition: Mapping[str, Any], properties: Mapping[str, Any]) -> list[str]:
    operands = [k for k in _OPERANDS if k in condition]
    if len(operands) != 1:
        return [f"triage condition {dict(condition)} needs exactly one of {', '.join(_OPERANDS)}"]
    if operands[0] == "red_flags_at_least":
        return []
    field = condition[operands[0]]
    if field not in properties:
        return [f"triage rule names unknown field {field!r}"]
    op = condition.get("op", "==")
    if op not in OPS:
        return [f"triage rule on {field!r} has unknown op {op!r} (one of {' '.join(OPS)})"]
    return []


def _level_codes(rules: Mapping[str, Any], properties: Mapping[str, Any]) -> set[str] | None:
    prop = properties.get(rules.get("level_field") or "", {})
    choices: Sequence[Mapping[str, Any]] = prop.get("oneOf", [])
    return {c["const"] for c in choices if "const" in c} or None
