"""The web check-in's schema is derived from the topic's data as the declaration's is (the
monitoring rules' `check_in_fields` of the case form, after the receipt code and the phone),
its widgets are the declaration form's, and what a schema cannot say is checked apart."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from callcenter.web import check_in_form, fields
from callcenter.web.check_in_form import CheckInForm, check_in_schema
from db.topics import read_topics_file
from rules.declaration import DeclarationRules
from rules.monitoring import MonitoringRules
from tests.conftest import TOPICS_FILE

TODAY = date(2026, 12, 4)


def _topic() -> Any:
    return next(t for t in read_topics_file(TOPICS_FILE).topic if t.key == "f0_home_care")


def _form(rules: dict[str, Any] | None = None) -> CheckInForm:
    topic = _topic()
    rules = rules or topic.rules
    monitoring = MonitoringRules.of(rules)
    assert monitoring is not None
    schema = check_in_schema(topic.form, monitoring, DeclarationRules.of(rules))
    return CheckInForm(1, topic.key, schema["title"], schema["x-title-en"], schema,
                       rules["triage"], topic.form)


def test_the_check_in_is_the_code_the_phone_and_the_topics_check_in_fields() -> None:
    form = _form()
    schema = form.schema
    assert schema["x-order"] == ["receipt_code", "phone", "spo2", "respiratory_rate",
                                 "temperature", "symptoms", "red_flags", "negative_test_on"]
    assert schema["required"] == ["receipt_code", "phone"]
    assert schema["additionalProperties"] is False
    assert form.readings == schema["x-order"][2:]
    assert schema["properties"]["spo2"] == _topic().form["properties"]["spo2"]
    items = fields.widgets(schema, "vi", "red_flags")
    kinds = {i.name: i.kind for i in items}
    assert kinds == {"receipt_code": "receipt", "phone": "phone", "spo2": "number",
                     "respiratory_rate": "integer", "temperature": "number",
                     "symptoms": "checkboxes", "red_flags": "checkboxes",
                     "negative_test_on": "date"}
    by_name = {i.name: i for i in items}
    assert by_name["receipt_code"].label == "Mã tiếp nhận"
    assert by_name["phone"].label == "Số điện thoại đã khai báo"
    assert by_name["receipt_code"].required and not by_name["spo2"].required
    assert by_name["red_flags"].danger and not by_name["symptoms"].danger
    english = {i.name: i for i in fields.widgets(schema, "en", "red_flags")}
    assert english["phone"].label == "The phone number you declared"
    assert english["respiratory_rate"].unit == "/min"
    assert (form.title, form.title_en) == ("Báo cáo sức khỏe hằng ngày khi điều trị tại nhà",
                                           "Daily health check-in during home treatment")


def test_a_new_check_in_field_in_the_data_is_a_new_field_on_the_page() -> None:
    rules = dict(_topic().rules)
    rules["monitoring"] = {**rules["monitoring"], "check_in_fields": ["pulse", "spo2"]}
    form = _form(rules)
    assert form.schema["x-order"] == ["receipt_code", "phone", "pulse", "spo2"]
    items = fields.widgets(form.schema, "vi", None)
    assert (items[2].name, items[2].kind) == ("pulse", "integer")


def test_the_receipt_code_is_read_as_typed() -> None:
    posted = MultiDict([("receipt_code", " kb 7k3m 9q2p "), ("phone", "0912 345 678"),
                        ("spo2", "96,5"), ("red_flags", "dyspnoea"), ("csrf_token", "x")])
    assert fields.read_form(_form().schema, posted) == {
        "receipt_code": "kb 7k3m 9q2p", "phone": "0912 345 678", "spo2": 96.5,
        "red_flags": ["dyspnoea"]}


def _codes(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in check_in_form.problems(_form(), data, TODAY)]


@pytest.mark.parametrize(("data", "found"), [
    ({"receipt_code": "kb 7k3m 9qop", "phone": "0912345678", "spo2": 97}, []),
    ({"receipt_code": "KB-7K3M-9Q2P", "phone": "0912345678", "symptoms": ["cough"]}, []),
    ({}, [("receipt_code", "required"), ("phone", "required"), ("spo2", "no_reading")]),
    ({"receipt_code": "KB-7K3M", "phone": "0912345678", "spo2": 97},
     [("receipt_code", "receipt")]),
    ({"receipt_code": "KB-7K3M-9Q2U", "phone": "0912345678", "spo2": 97},
     [("receipt_code", "receipt")]),
    ({"receipt_code": "KB-7K3M-9Q2P", "phone": "115", "spo2": 97}, [("phone", "phone")]),
    ({"receipt_code": "KB-7K3M-9Q2P", "phone": "0912345678", "spo2": 101},
     [("spo2", "too_large")]),
    ({"receipt_code": "KB-7K3M-9Q2P", "phone": "0912345678",
      "negative_test_on": "2026-12-05"}, [("negative_test_on", "future_date")]),
    ({"receipt_code": "KB-7K3M-9Q2P", "phone": "0912345678", "spo2": 97, "outcome": "x"},
     [("outcome", "unknown_field")]),
])
def test_what_a_schema_cannot_say_is_checked_too(data: dict[str, Any],
                                                  found: list[tuple[str, str]]) -> None:
    assert _codes(data) == found


@pytest.mark.parametrize(("data", "level", "call_115"), [
    ({"spo2": 98, "temperature": 37}, "green", False),
    ({"spo2": 96}, "orange", True),  # at the topic's SpO2 threshold
    ({"red_flags": ["chest_pain"]}, "orange", True),
    ({}, "red", True),
])
def test_a_danger_sign_or_a_red_level_says_call_115(data: dict[str, Any], level: str,
                                                      call_115: bool) -> None:
    assert check_in_form.escalates(_form(), data, level) is call_115
