"""The public form is made from the topic's declaration schema (data, not code), reads a posted
form back into the schema's JSON as people type it, and says everything in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from callcenter.web import fields, wording
from db.topics import read_topics_file
from rules.declaration import DeclarationRules, FieldError, declaration_schema
from tests.conftest import TOPICS_FILE


def _schema() -> dict[str, Any]:
    topic = next(t for t in read_topics_file(TOPICS_FILE).topic if t.key == "f0_home_care")
    rules = DeclarationRules.of(topic.rules)
    assert rules is not None
    return declaration_schema(topic.form, rules)


def test_the_form_is_the_topics_declaration_fields_in_their_order() -> None:
    schema = _schema()
    items = fields.widgets(schema, "vi", "red_flags")
    assert [i.name for i in items] == schema["x-order"]
    kinds = {i.name: i.kind for i in items}
    assert kinds == {
        "full_name": "text", "birth_year": "integer", "sex": "radio", "phone": "phone",
        "admin_unit": "admin_unit", "address_detail": "text", "positive_date": "date",
        "test_type": "radio", "symptoms": "checkboxes", "red_flags": "checkboxes",
        "spo2": "number", "comorbidities": "checkboxes", "pregnant": "checkbox",
        "vaccine_doses": "integer"}
    by_name = {i.name: i for i in items}
    assert by_name["full_name"].label == "Họ và tên người bệnh"
    assert by_name["full_name"].required and not by_name["sex"].required
    assert by_name["red_flags"].danger and not by_name["symptoms"].danger
    assert by_name["vaccine_doses"].unit == "mũi"
    english = {i.name: i for i in fields.widgets(schema, "en", "red_flags")}
    assert english["vaccine_doses"].unit == "doses"
    assert english["sex"].choices[0].label == "Male"


def test_a_new_field_in_the_data_is_a_new_field_on_the_form() -> None:
    topic = next(t for t in read_topics_file(TOPICS_FILE).topic if t.key == "f0_home_care")
    part = dict(topic.rules["declaration"])
    part["fields"] = [*part["fields"], "temperature"]
    rules = DeclarationRules.of({"declaration": part})
    assert rules is not None
    items = fields.widgets(declaration_schema(topic.form, rules), "vi", None)
    assert (items[-1].name, items[-1].kind, items[-1].unit) == ("temperature", "number", "°C")


def test_the_posted_form_is_read_as_people_type_it() -> None:
    posted = MultiDict([
        ("full_name", "  Lê Thị Hồng "), ("birth_year", "1990"), ("sex", "female"),
        ("phone", "0912 345 678"), ("admin_unit", "Xã Tân Thuận"),
        ("positive_date", "3/12/2026"), ("symptoms", "fever"), ("symptoms", "cough"),
        ("spo2", "96,5"), ("vaccine_doses", "hai"), ("pregnant", "true"), ("address_detail", ""),
        ("csrf_token", "x")])
    assert fields.read_form(_schema(), posted) == {
        "full_name": "Lê Thị Hồng", "birth_year": 1990, "sex": "female",
        "phone": "0912 345 678", "admin_unit": "Xã Tân Thuận", "positive_date": "2026-12-03",
        "symptoms": ["fever", "cough"], "spo2": 96.5, "vaccine_doses": "hai",
        "pregnant": True}
    assert fields.read_form(_schema(), MultiDict([("positive_date", "31/02/2026"),
                                                   ("spo2", "95")])) == {
        "positive_date": "31/02/2026", "spo2": 95}


def test_the_form_shows_back_what_was_typed_and_the_errors() -> None:
    items = fields.widgets(_schema(), "vi", "red_flags")
    filled = {i.name: i for i in fields.fill(
        items, {"birth_year": "19x0", "symptoms": ["fever"], "spo2": 96.5, "pregnant": True},
        {"birth_year": "Năm sinh: vui lòng nhập số."})}
    assert filled["birth_year"].value == "19x0"
    assert filled["birth_year"].error == "Năm sinh: vui lòng nhập số."
    assert filled["symptoms"].value == ["fever"] and filled["red_flags"].value == []
    assert filled["spo2"].value == "96.5" and filled["pregnant"].value is True


def test_every_text_is_in_vietnamese_and_english() -> None:
    for key, (vi, en) in wording.TEXTS.items():
        assert vi.strip() and en.strip(), key
        assert vi != en or key in ("call_115",), key
    for code in ("required", "type", "choice", "too_small", "too_large", "too_short",
                 "too_long", "format", "unknown_field", "phone", "admin_unit", "future_date",
                 "admin_unit_many"):
        assert f"err_{code}" in wording.TEXTS, code


@pytest.mark.parametrize(("error", "vi", "en"), [
    (FieldError("birth_year", "required", "x"), "Vui lòng nhập Năm sinh.",
     "Please enter Năm sinh."),
    (FieldError("birth_year", "too_small", "x", 1900), "Năm sinh phải từ 1900 trở lên.",
     "Năm sinh must be 1900 or more."),
    (FieldError("positive_date", "format", "'3/13' is not a 'date'"),
     "Năm sinh: vui lòng nhập ngày theo dạng ngày/tháng/năm.",
     "Năm sinh: please enter a date as day/month/year."),
    (FieldError("admin_unit", "admin_unit_many", "x", ["Xã A", "Xã B"]),
     "Có nhiều xã, phường khớp: Xã A, Xã B. Vui lòng chọn một.",
     "Several communes or wards match: Xã A, Xã B. Please choose one."),
])
def test_field_errors_are_worded_for_people(error: FieldError, vi: str, en: str) -> None:
    assert wording.field_error(error, "Năm sinh", "vi") == vi
    assert wording.field_error(error, "Năm sinh", "en") == en
