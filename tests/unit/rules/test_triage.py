"""Triage of the F0 form by the shipped rules: thresholds at their boundaries, levels in order,
missing vitals, red-flag signs alone, and the rules checked against the form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from db.errors import DataError
from db.topics import read_topics_file
from rules.triage import Finding, Triage, check_rules, triage
from tests.conftest import TOPICS_FILE

F0 = read_topics_file(TOPICS_FILE).topic[0]
RULES = F0.rules
TODAY = dt.date(2026, 12, 1)
# A healthy adult: every vital within its limits, vaccinated, no risk factor.
WELL = {"birth_year": 1990, "vaccine_doses": 3, "spo2": 98, "respiratory_rate": 16,
        "pulse": 80, "bp_systolic": 120, "bp_diastolic": 80}


def _triage(**form: Any) -> Triage:
    return triage(RULES, {**WELL, **form}, schema=F0.form, today=TODAY)


def _codes(result: Triage) -> list[str]:
    return [f.code for f in result.red_flags]


def test_a_well_patient_is_green_with_nothing_to_escalate() -> None:
    result = _triage()
    assert result == Triage("green", (), (), False, "115")


@pytest.mark.parametrize("field, value, flagged", [
    ("spo2", 96, True), ("spo2", 97, False), ("spo2", 96.5, False), ("spo2", 95.9, True),
    ("respiratory_rate", 20, True), ("respiratory_rate", 19, False),
    ("pulse", 120, False), ("pulse", 121, True), ("pulse", 50, False), ("pulse", 49, True),
    ("bp_systolic", 89, True), ("bp_systolic", 90, False),
    ("bp_diastolic", 59, True), ("bp_diastolic", 60, False),
])
def test_vital_thresholds_at_the_boundary(field: str, value: float, flagged: bool) -> None:
    result = _triage(**{field: value})
    assert _codes(result) == ([field] if flagged else [])
    assert result.escalate is flagged
    assert result.level == ("orange" if flagged else "green")


def test_a_vital_flag_carries_its_labels() -> None:
    (flag,) = _triage(pulse=121).red_flags
    assert flag == Finding("pulse", "Mạch > 120 lần/phút", "Pulse > 120/min")
    assert flag.label("en") == "Pulse > 120/min" and flag.label() == "Mạch > 120 lần/phút"


def test_missing_vitals_raise_no_flag() -> None:
    result = triage(RULES, {}, today=TODAY)
    assert result.red_flags == () and result.level == "green" and not result.escalate
    assert triage(RULES, {"spo2": None, "pulse": "", "respiratory_rate": "fast"}).red_flags == ()


def test_a_red_flag_sign_alone_escalates_with_its_label_from_the_schema() -> None:
    result = triage(RULES, {"red_flags": ["chest_pain"]}, schema=F0.form, today=TODAY)
    assert result.red_flags == (Finding("chest_pain", "Đau tức ngực kéo dài",
                                        "Persistent chest pain"),)
    assert result.level == "orange" and result.escalate
    assert [r.en for r in result.reasons] == ["A red flag"]
    assert triage(RULES, {"red_flags": ["chest_pain"]}).red_flags[0].label() == "chest_pain"


def test_two_red_flags_make_red_signs_first_then_vitals() -> None:
    result = _triage(red_flags=["dyspnoea"], spo2=95)
    assert _codes(result) == ["dyspnoea", "spo2"] and result.level == "red"
    assert [r.en for r in result.reasons] == ["Two or more red flags"]


@pytest.mark.parametrize("form, level", [
    ({"spo2": 93.9}, "red"), ({"spo2": 94}, "orange"),
    ({"respiratory_rate": 26}, "red"), ({"respiratory_rate": 25}, "orange"),
])
def test_severe_vitals_alone_are_red(form: dict[str, Any], level: str) -> None:
    assert _triage(**form).level == level


@pytest.mark.parametrize("form, reason", [
    ({"birth_year": 1961}, "Aged 65 or over"),
    ({"comorbidities": ["diabetes"]}, "Comorbidity"),
    ({"pregnant": True}, "Pregnant"),
    ({"vaccine_doses": 0}, "Not vaccinated"),
])
def test_risk_factors_make_yellow_without_escalation(form: dict[str, Any], reason: str) -> None:
    result = _triage(**form)
    assert result.level == "yellow" and not result.escalate
    assert [r.en for r in result.reasons] == [reason]


@pytest.mark.parametrize("form", [
    {"birth_year": 1962}, {"comorbidities": []}, {"pregnant": False}, {"vaccine_doses": 1},
])
def test_just_short_of_a_risk_factor_stays_green(form: dict[str, Any]) -> None:
    assert _triage(**form).level == "green"


def test_every_risk_factor_is_a_reason() -> None:
    result = _triage(birth_year=1950, comorbidities=["cancer"], vaccine_doses=0)
    assert [r.code for r in result.reasons] == ["birth_year", "comorbidities", "vaccine_doses"]


def test_a_red_flag_outranks_risk_factors() -> None:
    assert _triage(birth_year=1950, pulse=45).level == "orange"


def test_the_triage_part_alone_and_rules_without_levels() -> None:
    assert triage(RULES["triage"], {"spo2": 90}).level == "red"
    bare = {"vital_flags": RULES["triage"]["vital_flags"], "escalation_number": "115"}
    result = triage(bare, {"spo2": 90})
    assert result.level is None and result.escalate and _codes(result) == ["spo2"]
    assert triage({}, {"spo2": 90}) == Triage(None)


def test_the_shipped_rules_are_consistent_with_the_form() -> None:
    assert check_rules(RULES["triage"], F0.form["properties"]) == []


@pytest.mark.parametrize("change, problem", [
    ({"levels": [{"level": "purple"}]}, "triage level 'purple' is not a choice"),
    ({"levels": [{"level": "red", "any": [{"field": "spo3", "op": "<", "value": 1}]}]},
     "unknown field 'spo3'"),
    ({"levels": [{"level": "red", "any": [{"field": "spo2", "op": "=<", "value": 1}]}]},
     "unknown op '=<'"),
    ({"levels": [{"level": "red", "any": [{"op": "<", "value": 1}]}]}, "needs exactly one of"),
    ({"escalate_levels": ["black"]}, "escalate level 'black'"),
    ({"red_flag_field": "danger"}, "unknown field 'danger'"),
])
def test_bad_rules_are_named(change: dict[str, Any], problem: str) -> None:
    problems = check_rules({**RULES["triage"], **change}, F0.form["properties"])
    assert any(problem in p for p in problems), problems


def test_a_topics_file_with_a_misspelt_level_condition_is_refused(tmp_path: Path) -> None:
    text = TOPICS_FILE.read_text(encoding="utf-8").replace(
        'field = "comorbidities", op = "not_empty"', 'field = "comorbidity", op = "not_empty"')
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="topic 'f0_home_care': triage rule names unknown field"):
        read_topics_file(path)
